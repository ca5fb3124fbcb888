"""The plugin's settings: defaults, validation and typed access.

Every key is documented in docs/configuration.md. Validation runs once in ``ready()`` so a bad
value stops NetBox at start-up with a message naming the key, instead of failing a request later.
"""

from urllib.parse import urlparse

from django.apps import apps
from netbox.plugins import get_plugin_config

from netbox_archiflow.drawio.links import OBJECT_TYPE

PLUGIN_NAME = 'netbox_archiflow'

DEFAULT_SETTINGS = {
    # Segments (prefix + VLAN handed to clusters)
    'segment_tenant': None,
    'segment_prefix_role': None,
    'segment_vlan_role': None,
    'segment_vlan_group_name': '{vrf}-{site_group}',
    'segment_vlan_name': '{site_group}-{vid}',
    'segment_vid_min': 2,
    'segment_vid_max': 4094,
    # Rules giving NetBox clusters their segments automatically (see cluster_segment_rules())
    'cluster_segments': [],
    # IP pools and allocations
    'pool_alert_threshold': 90,
    'release_keeps_ip_address': False,
    # Diagrams and the Draw.io editor
    'drawio_url': 'https://embed.diagrams.net/',
    'diagram_max_bytes': 10 * 1024 * 1024,
    'diagram_autosave': False,
    # Seconds between two refreshes of the viewer's live status overlay
    'diagram_status_interval': 30,
    # Types of NetBox objects a diagram cell may link to, on top of / taken from DEFAULT_LINKABLE_TYPES
    'diagram_link_types_add': [],
    'diagram_link_types_remove': [],
}

# What a user would draw: a cell may link to one of these unless diagram_link_types_remove takes it out.
DEFAULT_LINKABLE_TYPES = (
    'circuits.circuit',
    'circuits.circuittermination',
    'circuits.provider',
    'circuits.providernetwork',
    'dcim.cable',
    'dcim.device',
    'dcim.frontport',
    'dcim.interface',
    'dcim.location',
    'dcim.powerfeed',
    'dcim.powerpanel',
    'dcim.rack',
    'dcim.rearport',
    'dcim.site',
    'dcim.virtualchassis',
    'ipam.ipaddress',
    'ipam.iprange',
    'ipam.prefix',
    'ipam.vlan',
    'ipam.vrf',
    'netbox_archiflow.ipallocation',
    'netbox_archiflow.ippool',
    'netbox_archiflow.segment',
    'virtualization.cluster',
    'virtualization.virtualmachine',
    'virtualization.vminterface',
    'wireless.wirelesslan',
    'wireless.wirelesslink',
)


def _optional_name(value):
    if value is not None and (not isinstance(value, str) or not value.strip()):
        return 'must be a non-empty string or None'


def _pattern(*names):
    def check(value):
        if not isinstance(value, str) or not value:
            return 'must be a non-empty string'
        try:
            value.format(**dict.fromkeys(names, 'x'))
        except (KeyError, IndexError, ValueError) as exc:
            return f'may only use the placeholders {", ".join("{" + n + "}" for n in names)} ({exc!r})'

    return check


def _int_range(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f'must be an integer from {low} to {high}'

    return check


def _boolean(value):
    if not isinstance(value, bool):
        return 'must be True or False'


def _http_url(value):
    if not isinstance(value, str):
        return 'must be a URL string'
    parsed = urlparse(value)
    if parsed.scheme not in ('http', 'https') or not parsed.netloc:
        return 'must be an absolute http(s) URL, e.g. https://embed.diagrams.net/'


def _object_types(value):
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        return 'must be a list of "app_label.model" strings'
    bad = [item for item in value if not OBJECT_TYPE.match(item)]
    if bad:
        return f'must be a list of "app_label.model" strings in lower case, e.g. "dcim.device" (not {bad[0]!r})'


CLUSTER_RULE_KEYS = ('cluster_type', 'cluster_group', 'vrf', 'count')


def _cluster_rules(value):
    """A list of ``{'cluster_type'/'cluster_group': <slug>, 'vrf': <name>, 'count': <int>}`` rules."""
    if not isinstance(value, list | tuple):
        return "must be a list of rules such as {'cluster_type': 'kubernetes', 'vrf': 'Production', 'count': 1}"
    for index, rule in enumerate(value):
        where = f'rule {index + 1}'
        if not isinstance(rule, dict):
            return f'{where} must be a dict'
        unknown = sorted(set(rule) - set(CLUSTER_RULE_KEYS))
        if unknown:
            return f'{where} has unknown keys {unknown} (allowed: {", ".join(CLUSTER_RULE_KEYS)})'
        for key in ('cluster_type', 'cluster_group', 'vrf'):
            if key in rule and (not isinstance(rule[key], str) or not rule[key].strip()):
                return f'{where}: {key} must be a non-empty string'
        if 'cluster_type' not in rule and 'cluster_group' not in rule:
            return f'{where} needs cluster_type and/or cluster_group (a slug)'
        if 'vrf' not in rule:
            return f'{where} needs vrf (the name of the VRF to allocate from)'
        count = rule.get('count', 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
            return f'{where}: count must be an integer from 1 to 1000'


VALIDATORS = {
    'segment_tenant': _optional_name,
    'segment_prefix_role': _optional_name,
    'segment_vlan_role': _optional_name,
    'segment_vlan_group_name': _pattern('vrf', 'site_group'),
    'segment_vlan_name': _pattern('vrf', 'site_group', 'vid'),
    'segment_vid_min': _int_range(1, 4094),
    'segment_vid_max': _int_range(1, 4094),
    'cluster_segments': _cluster_rules,
    'pool_alert_threshold': _int_range(1, 100),
    'release_keeps_ip_address': _boolean,
    'drawio_url': _http_url,
    'diagram_max_bytes': _int_range(1024, 1024**3),
    'diagram_autosave': _boolean,
    'diagram_status_interval': _int_range(1, 3600),
    'diagram_link_types_add': _object_types,
    'diagram_link_types_remove': _object_types,
}


def validate_settings(settings):
    """Return a list of '<key>: <problem>' strings; empty when the settings are usable."""
    errors = []
    unknown = sorted(set(settings) - set(VALIDATORS))
    errors.extend(f'{key}: unknown setting' for key in unknown)
    for key, check in VALIDATORS.items():
        problem = check(settings.get(key, DEFAULT_SETTINGS[key]))
        if problem:
            errors.append(f'{key} {problem} (got {settings.get(key)!r})')
    if not errors and settings['segment_vid_min'] > settings['segment_vid_max']:
        errors.append('segment_vid_min must not be greater than segment_vid_max')
    if not errors:
        errors.extend(_link_type_errors(settings['diagram_link_types_add'], settings['diagram_link_types_remove']))
    return errors


def _link_type_errors(add, remove):
    """Added types must be installed models, removed types default ones: a typo would otherwise do nothing."""
    errors = []
    for object_type in add:
        try:
            apps.get_model(object_type)
        except LookupError:
            errors.append(f'diagram_link_types_add: {object_type!r} is not an installed model')
    for object_type in remove:
        if object_type not in DEFAULT_LINKABLE_TYPES:
            errors.append(f'diagram_link_types_remove: {object_type!r} is not one of the default linkable types')
    return errors


def linkable_types():
    """The ``app_label.model`` names a diagram cell may link to, with the settings applied."""
    remove = set(get('diagram_link_types_remove'))
    return frozenset(t for t in DEFAULT_LINKABLE_TYPES if t not in remove) | frozenset(get('diagram_link_types_add'))


def cluster_segment_rules():
    """The ``cluster_segments`` rules, each with its ``count`` (default 1)."""
    return [{'count': 1, **rule} for rule in get('cluster_segments')]


def get(key):
    """Read one plugin setting (PLUGINS_CONFIG over the defaults)."""
    if key not in DEFAULT_SETTINGS:
        raise KeyError(f'Unknown netbox_archiflow setting {key!r}')
    return get_plugin_config(PLUGIN_NAME, key, DEFAULT_SETTINGS[key])
