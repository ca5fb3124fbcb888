"""Diagrams generated from NetBox: a physical view (devices and cables) and an L3 view (networks and the
devices and virtual machines addressed in them), and the refresh that merges a new generation into a
diagram the user has arranged.

The queries here are bounded: their number does not grow with the number of devices, cables or
addresses (one query per kind of object, never per object). Every queryset is restricted to what the
user may view, so a diagram never shows an object its author could not open.
"""

import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace

from circuits.models import CircuitTermination
from dcim.filtersets import DeviceFilterSet
from dcim.models import Cable, CableTermination, Device, Interface, Location, Rack, Site
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from ipam.models import VRF, IPAddress, Prefix
from netaddr import IPNetwork
from virtualization.models import VirtualMachine, VMInterface

from netbox_archiflow.choices import DiagramVersionKindChoices
from netbox_archiflow.drawio import merge
from netbox_archiflow.drawio.build import (
    PAGE_ID,
    Container,
    Edge,
    EndLabel,
    Link,
    Node,
    Topology,
    build_diagram,
    build_page,
    cell_id,
    page_name,
)
from netbox_archiflow.drawio.pages import ParsedDiagram
from netbox_archiflow.models import Diagram, IPPool, Segment
from netbox_archiflow.services import diagrams as diagram_service
from netbox_archiflow.services.errors import NotFound, PermissionDenied, ServiceError

__all__ = (
    'CIRCUIT_STYLE',
    'KINDS',
    'NETWORK_STYLE',
    'GeneratorSpec',
    'generate_diagram',
    'generate_xml',
    'parse_spec',
    'device_shape',
    'refresh_diagram',
    'topology',
)

KIND_PHYSICAL = 'physical'
KIND_L3 = 'l3'
SCOPES = {
    KIND_PHYSICAL: ('dcim.site', 'dcim.location', 'dcim.rack', 'dcim.device'),
    KIND_L3: ('ipam.vrf', 'dcim.site'),
}
KINDS = tuple(SCOPES)
SCOPE_MODELS = {'dcim.site': Site, 'dcim.location': Location, 'dcim.rack': Rack, 'ipam.vrf': VRF}
# name: (type, default, kinds it applies to)
OPTIONS = {
    'primary_ip': (bool, True, (KIND_PHYSICAL,)),
    'platform': (bool, False, (KIND_PHYSICAL,)),
    'trace_patch_panels': (bool, False, (KIND_PHYSICAL,)),
    'circuits': (bool, True, (KIND_PHYSICAL,)),
    'filters': (dict, None, (KIND_PHYSICAL,)),
    'virtual_machines': (bool, True, (KIND_L3,)),
    'empty_prefixes': (bool, False, (KIND_L3,)),
    'mark_removed': (bool, False, KINDS),
}
METADATA_KEY = 'generator'

# Tiers by device role (slug or name contains one of the words), top to bottom.
TIER_WORDS = (
    (0, ('internet', 'border', 'edge', 'wan', 'router', 'firewall', 'core', 'spine')),
    (1, ('distribution', 'aggregation', 'leaf')),
    (2, ('access', 'tor', 'patch')),
    (4, ('server', 'srv', 'host', 'compute', 'hypervisor', 'storage', 'vm')),
)
DEFAULT_TIER = 3
# Draw.io's network stencils by role word, with the shape's size.
SHAPES = (
    (('firewall',), 'firewall', 60, 60),
    (('router', 'border', 'edge', 'wan', 'internet'), 'router', 80, 30),
    (('patch',), 'patch_panel', 80, 20),
    (('storage', 'nas'), 'storage', 60, 60),
    (('server', 'srv', 'host', 'compute', 'hypervisor'), 'server', 40, 60),
    (('wireless', 'wifi', 'access-point'), 'wireless_hub', 60, 40),
    (('switch', 'core', 'spine', 'leaf', 'distribution', 'aggregation', 'access', 'tor'), 'switch', 80, 30),
)
STENCIL = 'outlineConnect=0;strokeColor=#36393d;gradientColor=none;strokeWidth=1;shape=mxgraph.networks.'
CIRCUIT_STYLE = 'ellipse;fillColor=#fff2cc;strokeColor=#d6b656;'
NETWORK_STYLE = 'rounded=1;fillColor=#d5e8d4;strokeColor=#82b366;verticalLabelPosition=middle;verticalAlign=middle;'
EXTERNAL_STYLE = 'dashed=1;'


@dataclass
class GeneratorSpec:
    """What to generate: kind, scope and options, as validated (and as stored on the diagram)."""

    kind: str
    scope_type: str
    scope_id: int | None
    options: dict = field(default_factory=dict)
    scope: object = None

    def as_dict(self):
        return {'kind': self.kind, 'scope_type': self.scope_type, 'scope_id': self.scope_id, 'options': self.options}


def parse_spec(user, kind, scope_type, scope_id=None, options=None):
    """Validate a generation request; a 400 (or 404 for an unseen scope) naming the field otherwise."""
    if kind not in SCOPES:
        raise ServiceError(f'kind must be one of {", ".join(KINDS)}, not {kind!r}.', field='kind')
    if scope_type not in SCOPES[kind]:
        raise ServiceError(
            f'A {kind} diagram is generated for one of {", ".join(SCOPES[kind])}, not {scope_type!r}.',
            field='scope_type',
        )
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ServiceError('options must be an object.', field='options')
    clean = {}
    for name, value in options.items():
        if name not in OPTIONS or kind not in OPTIONS[name][2]:
            raise ServiceError(f'Unknown option {name!r} for a {kind} diagram.', field=f'options.{name}')
        expected = OPTIONS[name][0]
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ServiceError(f'Option {name!r} must be a {expected.__name__}.', field=f'options.{name}')
        clean[name] = value
    for name, (_type, default, kinds) in OPTIONS.items():
        if kind in kinds and default is not None:
            clean.setdefault(name, default)
    spec = GeneratorSpec(kind, scope_type, None, clean)
    if scope_type == 'dcim.device':
        if scope_id is not None:
            raise ServiceError('A device selection has no scope_id: give options.filters.', field='scope_id')
        if not clean.get('filters'):
            raise ServiceError('A device selection needs options.filters (device filters).', field='options.filters')
        return spec
    if isinstance(scope_id, bool) or not isinstance(scope_id, int):
        try:
            scope_id = int(scope_id)
        except (TypeError, ValueError):
            raise ServiceError('scope_id must be an integer.', field='scope_id') from None
    model = SCOPE_MODELS[scope_type]
    spec.scope = model.objects.restrict(user, 'view').filter(pk=scope_id).first()
    if spec.scope is None:
        raise NotFound(f'{model._meta.verbose_name.capitalize()} {scope_id} does not exist.', field='scope_id')
    spec.scope_id = scope_id
    return spec


def spec_from_diagram(user, diagram):
    """The spec saved with a generated diagram."""
    saved = (diagram.metadata or {}).get(METADATA_KEY)
    if not isinstance(saved, dict):
        raise ServiceError(
            f'Diagram {diagram.pk} was not generated from NetBox: nothing to refresh.',
            code='not_generated',
            field='id',
        )
    return parse_spec(user, saved.get('kind'), saved.get('scope_type'), saved.get('scope_id'), saved.get('options'))


#
# Shapes
#


def _words(role):
    return f'{role.slug} {role.name}'.lower() if role is not None else ''


def _tier(role):
    words = _words(role)
    for tier, keys in TIER_WORDS:
        if any(key in words for key in keys):
            return tier
    return DEFAULT_TIER


def device_shape(role):
    """Draw.io style (a network stencil chosen by the role's words, in the role's colour), width and height."""
    words = _words(role)
    colour = f'fillColor=#{role.color};' if role is not None and role.color else 'fillColor=#dae8fc;'
    for keys, shape, width, height in SHAPES:
        if any(key in words for key in keys):
            return f'{STENCIL}{shape};{colour}', width, height
    return f'rounded=1;{colour}', 60, 40


def _device_node(device, spec, container=None, external=False):
    lines = [device.name or f'Device {device.pk}']
    if external and device.site_id:
        lines[0] += f' ({device.site.name})'
    options = spec.options
    if options.get('primary_ip') and device.primary_ip:
        lines.append(str(device.primary_ip.address.ip))
    if options.get('platform') and device.platform_id:
        lines.append(device.platform.name)
    style, width, height = device_shape(device.role)
    return Node(
        cell_id('dcim.device', device.pk),
        '\n'.join(lines),
        Link('dcim.device', device.pk, str(device)),
        style + (EXTERNAL_STYLE if external else ''),
        width,
        height,
        _tier(device.role),
        container,
    )


def _link(obj):
    meta = obj._meta
    return Link(f'{meta.app_label}.{meta.model_name}', obj.pk, str(obj))


def _container(obj, parent=None, style=''):
    link = _link(obj)
    return Container(link.key, str(obj), link, style, parent)


LABEL_FIELDS = ('id', 'name', 'label')  # what str() of a port or power feed reads
CABLE_FIELDS = ('id', 'label', 'color', 'status')


class Row(SimpleNamespace):
    """A port, power feed or cable read with values(): the model's own str() and _meta without a model
    instance. A site has thousands of them, and NetBox's change tracking makes each instance costly."""

    def __str__(self):
        return self.model.__str__(self)

    @property
    def _meta(self):
        return self.model._meta


def rows(model, queryset, fields):
    """Rows of queryset (its values() of fields) as Row objects of model."""
    return (Row(model=model, _pk=values['id'], pk=values['id'], **values) for values in queryset.values(*fields))


DEVICE_RELATED = ('role', 'platform', 'primary_ip4', 'primary_ip6', 'site', 'location', 'rack')


#
# Physical
#


def _scope_devices(spec, user):
    queryset = Device.objects.restrict(user, 'view').select_related(*DEVICE_RELATED).order_by('name', 'pk')
    if spec.scope_type == 'dcim.site':
        return queryset.filter(site=spec.scope)
    if spec.scope_type == 'dcim.location':
        return queryset.filter(location__in=spec.scope.get_descendants(include_self=True))
    if spec.scope_type == 'dcim.rack':
        return queryset.filter(rack=spec.scope)
    filterset = DeviceFilterSet(spec.options['filters'], queryset)
    if not filterset.is_valid():
        name, errors = next(iter(filterset.errors.items()))
        raise ServiceError(f'Device filter {name!r}: {" ".join(errors)}', field=f'options.filters.{name}')
    return filterset.qs


def _containers(devices, user, spec):
    """Site → location → rack boxes around the devices, for the boxes the user may view."""
    site_ids = {d.site_id for d in devices}
    if spec.scope_type == 'dcim.site':
        site_ids.add(spec.scope.pk)
    sites = {s.pk: s for s in Site.objects.restrict(user, 'view').filter(pk__in=site_ids)}
    locations = {
        loc.pk: loc
        for loc in Location.objects.restrict(user, 'view')
        .filter(site_id__in=site_ids)
        .only('pk', 'name', 'parent_id', 'site_id', 'path')
    }
    racks = {
        rack.pk: rack
        for rack in Rack.objects.restrict(user, 'view').filter(pk__in={d.rack_id for d in devices if d.rack_id})
    }
    used = set()

    def chain_location(location_id):
        while location_id in locations and location_id not in used:
            used.add(location_id)
            location_id = locations[location_id].parent_id

    home = {}
    for device in devices:
        if device.rack_id in racks:
            home[device.pk] = cell_id('dcim.rack', device.rack_id)
            chain_location(racks[device.rack_id].location_id)
        elif device.location_id in locations:
            home[device.pk] = cell_id('dcim.location', device.location_id)
            chain_location(device.location_id)
        elif device.site_id in sites:
            home[device.pk] = cell_id('dcim.site', device.site_id)
    if spec.scope_type == 'dcim.location':
        chain_location(spec.scope.pk)

    def location_parent(location):
        if location.parent_id in used:
            return cell_id('dcim.location', location.parent_id)
        return cell_id('dcim.site', location.site_id) if location.site_id in sites else None

    containers = [_container(site) for site in sorted(sites.values(), key=lambda s: s.name)]
    for location_id in sorted(used, key=lambda pk: (locations[pk].level, locations[pk].name)):
        location = locations[location_id]
        containers.append(_container(location, location_parent(location)))
    for rack in sorted(racks.values(), key=lambda r: r.name):
        parent = (
            cell_id('dcim.location', rack.location_id)
            if rack.location_id in used
            else (cell_id('dcim.site', rack.site_id) if rack.site_id in sites else None)
        )
        containers.append(_container(rack, parent, 'fillColor=#f5f5f5;'))
    return containers, home


def _physical(spec, user):
    devices = list(_scope_devices(spec, user))
    device_ids = {d.pk for d in devices}
    containers, home = _containers(devices, user, spec)
    nodes = {d.pk: _device_node(d, spec, home.get(d.pk)) for d in devices}
    topology = Topology(_name(spec), containers=containers)
    edges = []

    cables = {
        cable.pk: cable
        for cable in rows(
            Cable,
            Cable.objects.restrict(user, 'view').filter(
                pk__in=CableTermination.objects.filter(_device_id__in=device_ids).values('cable_id')
            ),
            CABLE_FIELDS,
        )
    }
    terminations = list(
        CableTermination.objects.filter(cable_id__in=cables)
        .order_by('cable_id', 'cable_end', 'pk')
        .values_list('cable_id', 'cable_end', 'termination_type_id', 'termination_id', '_device_id')
    )
    objects = _termination_objects(terminations, user)
    panels = set()
    if spec.options.get('trace_patch_panels'):
        panels = _panel_devices(terminations, objects, device_ids)
        for pk in panels:
            nodes.pop(pk, None)

    far_ids = {t[4] for t in terminations if t[4] and t[4] not in device_ids}
    far_devices = {}
    if far_ids:
        far_devices = {
            d.pk: d
            for d in Device.objects.restrict(user, 'view').filter(pk__in=far_ids).select_related(*DEVICE_RELATED)
        }
    circuit_nodes = {}
    if spec.options.get('circuits'):
        circuit_nodes = _circuit_nodes(terminations, objects, user, topology, edges)

    def endpoint(ct_id, object_id, device_id):
        """The node a cable end is drawn on and the label for that end."""
        obj = objects.get((ct_id, object_id))
        if obj is None:
            return None, None
        if device_id:
            if device_id in panels:
                return None, None
            if device_id not in nodes:
                if device_id not in far_devices:
                    return None, None
                nodes[device_id] = _device_node(far_devices[device_id], spec, external=True)
            return nodes[device_id].key, EndLabel(obj.name, _link(obj))
        if isinstance(obj, CircuitTermination) and obj.pk in circuit_nodes:
            return circuit_nodes[obj.pk], EndLabel(f'term {obj.term_side}', _link(obj))
        return None, None

    by_cable = {}
    for cable_id, end, ct_id, object_id, device_id in terminations:
        by_cable.setdefault(cable_id, {'A': [], 'B': []})[end].append((ct_id, object_id, device_id))
    for cable_id, ends in by_cable.items():
        cable = cables[cable_id]
        pairs = [(a, b) for a in ends['A'] for b in ends['B']]
        for index, (a, b) in enumerate(pairs):
            source, source_label = endpoint(*a)
            target, target_label = endpoint(*b)
            if source is None or target is None:
                continue
            key = cell_id('dcim.cable', cable_id, '' if len(pairs) == 1 else f'/{index}')
            style = f'strokeColor=#{cable.color};' if cable.color else ''
            if cable.status != 'connected':
                style += 'dashed=1;'
            edges.append(Edge(key, source, target, cable.label, _link(cable), source_label, target_label, style=style))
    if panels:
        edges.extend(_traced_edges(device_ids, nodes, far_devices, spec, user))
    topology.nodes = [*nodes.values(), *topology.nodes]
    topology.edges = edges
    return topology


def _termination_objects(terminations, user):
    """The cabled objects (interfaces, ports, circuit terminations), one query per type, as viewable."""
    wanted = {}
    for _cable, _end, ct_id, object_id, _device in terminations:
        wanted.setdefault(ct_id, set()).add(object_id)
    objects = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        queryset = model.objects.restrict(user, 'view').filter(pk__in=ids)
        if model is CircuitTermination:
            queryset = queryset.select_related('circuit__provider', 'circuit__type')
        else:  # a port or a power feed: drawn by its name (thousands of them, so only what is drawn is read)
            queryset = rows(model, queryset, [f.name for f in model._meta.concrete_fields if f.name in LABEL_FIELDS])
        for obj in queryset:
            objects[(ct_id, obj.pk)] = obj
    return objects


def _panel_devices(terminations, objects, device_ids):
    """Scope devices cabled only through front and rear ports: patch panels, traced through."""
    kinds = {}
    for _cable, _end, ct_id, object_id, device_id in terminations:
        if device_id:
            obj = objects.get((ct_id, object_id))
            kinds.setdefault(device_id, set()).add(obj._meta.model_name if obj is not None else '')
    return {pk for pk, names in kinds.items() if names <= {'frontport', 'rearport'}}


def _traced_edges(device_ids, nodes, far_devices, spec, user):
    """One edge per complete cable path between two interfaces that runs through patch panels."""
    interface_type = ContentType.objects.get_for_model(Interface).pk
    origins = list(
        Interface.objects.restrict(user, 'view')
        .filter(device_id__in=device_ids, _path__is_complete=True)
        .select_related('_path')
    )
    far_ids = set()
    paths = []
    for interface in origins:
        path = interface._path.path
        if len(path) <= 3:  # interface - cable - interface: drawn as the cable itself
            continue
        for node in path[-1]:
            ct_id, object_id = (int(part) for part in node.split(':'))
            if ct_id == interface_type and object_id != interface.pk:
                paths.append((interface, object_id))
                far_ids.add(object_id)
    far = {i.pk: i for i in Interface.objects.restrict(user, 'view').filter(pk__in=far_ids)}
    missing = {i.device_id for i in far.values() if i.device_id not in nodes}
    if missing:
        for device in Device.objects.restrict(user, 'view').filter(pk__in=missing).select_related(*DEVICE_RELATED):
            nodes[device.pk] = _device_node(device, spec, external=True)
    edges, seen = [], set()
    for interface, far_id in paths:
        other = far.get(far_id)
        pair = tuple(sorted((interface.pk, far_id)))
        if other is None or other.device_id not in nodes or pair in seen:
            continue
        seen.add(pair)
        edges.append(
            Edge(
                f'nb:trace:{pair[0]}:{pair[1]}',
                nodes[interface.device_id].key,
                nodes[other.device_id].key,
                source_label=EndLabel(interface.name, _link(interface)),
                target_label=EndLabel(other.name, _link(other)),
                style='dashed=1;dashPattern=8 4;',
            )
        )
    return edges


def _circuit_nodes(terminations, objects, user, topology, edges):
    """Circuits cabled to the scope, and each circuit's far end (a site or a provider network)."""
    cabled = [obj for obj in objects.values() if isinstance(obj, CircuitTermination)]
    if not cabled:
        return {}
    circuit_ids = {t.circuit_id for t in cabled}
    far_ends = (
        CircuitTermination.objects.restrict(user, 'view')
        .filter(circuit_id__in=circuit_ids)
        .exclude(pk__in=[t.pk for t in cabled])
        .select_related('_site', '_location', '_provider_network')
    )
    nodes = {}
    result = {}
    for termination in cabled:
        circuit = termination.circuit
        key = cell_id('circuits.circuit', circuit.pk)
        if key not in nodes:
            nodes[key] = Node(
                key,
                f'{circuit.cid}\n{circuit.provider.name}',
                _link(circuit),
                CIRCUIT_STYLE,
                70,
                40,
                tier=-1,
            )
        result[termination.pk] = key
    container_keys = {c.key for c in topology.containers}
    for termination in far_ends:
        end = termination._location or termination._site or termination._provider_network
        if end is None:
            continue
        link = _link(end)
        key = link.key if link.key not in container_keys else None
        if key is None:
            continue
        if key not in nodes:
            nodes[key] = Node(key, str(end), link, 'ellipse;shape=cloud;fillColor=#f5f5f5;', 90, 55, tier=-2)
        edges.append(
            Edge(
                cell_id('circuits.circuittermination', termination.pk),
                cell_id('circuits.circuit', termination.circuit_id),
                key,
                f'term {termination.term_side}',
                _link(termination),
                style='dashed=1;',
            )
        )
    topology.nodes.extend(nodes.values())
    return result


#
# L3
#


def _l3(spec, user):
    addresses = IPAddress.objects.restrict(user, 'view').filter(assigned_object_id__isnull=False)
    interface_type = ContentType.objects.get_for_model(Interface)
    vminterface_type = ContentType.objects.get_for_model(VMInterface)
    if spec.scope_type == 'ipam.vrf':
        addresses = addresses.filter(vrf=spec.scope)
        prefixes = Prefix.objects.restrict(user, 'view').filter(vrf=spec.scope)
    else:
        at_site = Q(interface__device__site=spec.scope)
        if spec.options.get('virtual_machines'):
            at_site |= Q(vminterface__virtual_machine__site=spec.scope)
        addresses = addresses.filter(at_site)
        # The site's prefixes, and those (of the same VRF) that hold one of its addresses.
        sql, params = addresses.values('pk').query.sql_with_params()
        holding = RawSQL(
            'SELECT p.id FROM ipam_prefix p JOIN ipam_ipaddress a ON inet(host(a.address)) <<= p.prefix '
            f'AND a.vrf_id IS NOT DISTINCT FROM p.vrf_id WHERE a.id IN ({sql})',
            params,
        )
        prefixes = Prefix.objects.restrict(user, 'view').filter(Q(_site=spec.scope) | Q(pk__in=holding))
    if not spec.options.get('virtual_machines'):
        addresses = addresses.filter(assigned_object_type=interface_type)
    addresses = list(
        addresses.filter(assigned_object_type__in=(interface_type, vminterface_type))
        .select_related('vrf')
        .order_by('address', 'pk')
    )
    prefixes = list(prefixes.select_related('vrf').order_by('vrf__name', 'prefix', 'pk'))

    interface_ids = {a.assigned_object_id for a in addresses if a.assigned_object_type_id == interface_type.pk}
    vminterface_ids = {a.assigned_object_id for a in addresses if a.assigned_object_type_id == vminterface_type.pk}
    interfaces = {
        i.pk: i
        for i in Interface.objects.restrict(user, 'view')
        .filter(pk__in=interface_ids)
        .select_related(*(f'device__{name}' for name in DEVICE_RELATED))
    }
    vminterfaces = {
        i.pk: i
        for i in VMInterface.objects.restrict(user, 'view')
        .filter(pk__in=vminterface_ids)
        .select_related('virtual_machine__role', 'virtual_machine__site', 'virtual_machine__primary_ip4')
    }
    visible_devices = set(
        Device.objects.restrict(user, 'view')
        .filter(pk__in={i.device_id for i in interfaces.values()})
        .values_list('pk', flat=True)
    )
    visible_vms = set(
        VirtualMachine.objects.restrict(user, 'view')
        .filter(pk__in={i.virtual_machine_id for i in vminterfaces.values()})
        .values_list('pk', flat=True)
    )

    by_network = {}
    lengths = {}
    for prefix in prefixes:
        by_network[(prefix.vrf_id, str(prefix.prefix.cidr))] = prefix
        lengths.setdefault(prefix.prefix.version, set()).add(prefix.prefix.prefixlen)
    lengths = {version: sorted(found, reverse=True) for version, found in lengths.items()}

    def containing(address):
        """The most specific prefix of the address's VRF that holds it."""
        ip = address.address.ip
        for length in lengths.get(ip.version, ()):
            prefix = by_network.get((address.vrf_id, str(IPNetwork(f'{ip}/{length}').cidr)))
            if prefix is not None:
                return prefix
        return None

    nodes = {}
    edges = []
    attached = set()
    for address in addresses:
        prefix = containing(address)
        if prefix is None:
            continue
        if address.assigned_object_type_id == interface_type.pk:
            interface = interfaces.get(address.assigned_object_id)
            if interface is None or interface.device_id not in visible_devices:
                continue
            device = interface.device
            key = cell_id('dcim.device', device.pk)
            if key not in nodes:
                node = _device_node(device, spec)
                node.tier = 0
                nodes[key] = node
        else:
            interface = vminterfaces.get(address.assigned_object_id)
            if interface is None or interface.virtual_machine_id not in visible_vms:
                continue
            vm = interface.virtual_machine
            key = cell_id('virtualization.virtualmachine', vm.pk)
            if key not in nodes:
                nodes[key] = Node(
                    key,
                    vm.name,
                    _link(vm),
                    f'{STENCIL}virtual_server;fillColor=#{vm.role.color if vm.role_id else "dae8fc"};',
                    40,
                    60,
                    2,
                )
        attached.add(prefix.pk)
        edges.append(
            Edge(
                cell_id('ipam.ipaddress', address.pk),
                key,
                cell_id('ipam.prefix', prefix.pk),
                str(address.address),
                _link(address),
                source_label=EndLabel(interface.name, _link(interface)),
            )
        )

    segments = {s.prefix_id: s for s in Segment.objects.restrict(user, 'view').filter(prefix__in=prefixes)}
    pools = {}
    for pool in IPPool.objects.restrict(user, 'view').filter(prefix__in=prefixes).order_by('name'):
        pools.setdefault(pool.prefix_id, []).append(pool)
    networks = []
    for prefix in prefixes:
        extra = []
        if prefix.pk in segments:
            segment = segments[prefix.pk]
            extra.append(f'segment {segment}')
        extra.extend(f'pool {pool.name}' for pool in pools.get(prefix.pk, ()))
        if prefix.pk not in attached and not extra and not spec.options.get('empty_prefixes'):
            continue
        vrf = prefix.vrf.name if prefix.vrf_id else 'global'
        label = '\n'.join([str(prefix.prefix), vrf, *extra])
        networks.append(
            Node(cell_id('ipam.prefix', prefix.pk), label, _link(prefix), NETWORK_STYLE, 160, 40 + 14 * len(extra), 1)
        )
    return Topology(_name(spec), [*nodes.values(), *networks], [], edges)


def _name(spec):
    scope = spec.scope if spec.scope is not None else 'selected devices'
    return f'{"Physical" if spec.kind == KIND_PHYSICAL else "L3"}: {scope}'


#
# Entry points
#


def topology(spec, user):
    """What to draw for the spec, read from NetBox as the user may see it."""
    return _physical(spec, user) if spec.kind == KIND_PHYSICAL else _l3(spec, user)


def generate_xml(spec, user):
    return build_diagram(topology(spec, user))


def _digest(drawn, mark_removed):
    """What a generation drew (objects, labels, links, ends, containers; not where), as a short hash."""

    def link(item):
        return item and (item.netbox_type, item.netbox_id, item.display)

    def end(label):
        return label and (label.text, link(label.link))

    parts = [
        drawn.name,
        mark_removed,
        [(c.key, c.label, link(c.link), c.style, c.parent) for c in drawn.containers],
        [(n.key, n.label, link(n.link), n.style, n.width, n.height, n.tier, n.container) for n in drawn.nodes],
        [
            (e.key, e.source, e.target, e.label, link(e.link), end(e.source_label), end(e.target_label), e.style)
            for e in drawn.edges
        ],
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _metadata(diagram_metadata, spec, version, digest):
    """The diagram's metadata with the spec and the generation its content ``version`` holds (``digest``)."""
    metadata = dict(diagram_metadata or {})
    metadata[METADATA_KEY] = {**spec.as_dict(), 'generated': {'version': version, 'digest': digest}}
    return metadata


def generate_diagram(name, spec, user, **fields):
    """A new diagram (version 1) drawn from NetBox, its spec saved for refreshes."""
    if not isinstance(name, str) or not name.strip():
        raise ServiceError('A diagram name is required.', field='name')
    drawn = topology(spec, user)
    xml = build_diagram(drawn)
    digest = _digest(drawn, spec.options.get('mark_removed', False))
    metadata = _metadata(fields.pop('metadata', None), spec, 1, digest)
    if spec.scope_type == 'dcim.site' and 'site' not in fields:
        fields['site'] = spec.scope
    with transaction.atomic():
        diagram = diagram_service.create_diagram(
            name.strip(), xml, user, summary=f'Generated from NetBox ({_name(spec)})', metadata=metadata, **fields
        )
        if not Diagram.objects.restrict(user, 'add').filter(pk=diagram.pk).exists():
            raise PermissionDenied('The new diagram is outside the diagrams you may add.')
    return diagram


def refresh_diagram(diagram, user, *, base_version=None, mark_removed=None):
    """Regenerate from the saved spec and merge into the current content: a new version (kind ``refresh``)
    with a summary of what changed, or nothing when NetBox has not changed.

    The content is neither laid out, read nor merged when the current version is the one a generation
    (or refresh) wrote and NetBox draws the same today: the generation's digest is kept in the metadata.
    """
    spec = spec_from_diagram(user, diagram)
    if mark_removed is None:
        mark_removed = spec.options.get('mark_removed', False)
    drawn = topology(spec, user)
    digest = _digest(drawn, mark_removed)
    if diagram.metadata[METADATA_KEY].get('generated') == {'version': diagram.version, 'digest': digest}:
        return diagram_service.SaveResult(diagram), merge.MergeResult(lambda: diagram.xml)
    generated = ParsedDiagram('mxfile', [(PAGE_ID, page_name(drawn), build_page(drawn))])
    current = diagram_service.parse_diagram_xml(diagram.xml) if diagram.xml else None
    result = merge.merge_diagram(current, generated, mark_removed=mark_removed)
    if not result.changes:
        return diagram_service.SaveResult(diagram), result
    saved = diagram_service.save_diagram(
        diagram,
        result.xml,
        user,
        base_version=base_version,
        kind=DiagramVersionKindChoices.KIND_REFRESH,
        summary=result.summary,
        metadata=lambda version: _metadata(diagram.metadata, spec, version, digest),
    )
    return saved, result
