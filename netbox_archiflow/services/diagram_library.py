"""The editor's "NetBox" shape library: a site's devices, racks, circuits and prefixes as ready-linked shapes.

The editor page asks for it (the Draw.io frame never talks to NetBox) and hands the shapes to the frame, which
puts them in its sidebar. Every shape carries the link attributes of a generated diagram, with the same
stencils (a device's shape comes from its role, as in ``generate``). Only objects the user may view are listed.
One query per kind of object, whatever the size of the site.
"""

from circuits.models import Circuit
from dcim.models import Device, Rack, Site
from ipam.models import Prefix

from netbox_archiflow.drawio.build import NODE_STYLE
from netbox_archiflow.errors import ServiceError
from netbox_archiflow.services.errors import NotFound
from netbox_archiflow.services.generate import CIRCUIT_STYLE, METADATA_KEY, NETWORK_STYLE, device_shape

__all__ = ('LIMIT', 'library', 'library_site')

# Shapes per kind of object: a library is something to pick from, not a dump of the whole site.
LIMIT = 500
RACK_STYLE = (
    'shape=mxgraph.rackGeneral.rackCabinet3;fillColor2=#f4f4f4;container=1;collapsible=0;childLayout=rack;'
    'allowGaps=1;marginLeft=33;marginRight=9;marginTop=21;marginBottom=22;textColor=#666666;numDisp=ascend;'
)


def library_site(diagram, user, site_id=None):
    """The site whose objects the library shows: ``site_id`` when given, else the diagram's site, else the site
    the diagram was generated for; None when there is none. NotFound for a site the user may not view."""
    if site_id in (None, ''):
        site_id = diagram.site_id
        generator = (diagram.metadata or {}).get(METADATA_KEY)
        if site_id is None and isinstance(generator, dict) and generator.get('scope_type') == 'dcim.site':
            site_id = generator.get('scope_id')
        if site_id is None:
            return None
    try:
        site_id = int(site_id)
    except (TypeError, ValueError):
        raise ServiceError('site_id must be an integer.', field='site_id') from None
    site = Site.objects.restrict(user, 'view').filter(pk=site_id).first()
    if site is None:
        raise NotFound(f'Site {site_id} does not exist.', field='site_id')
    return site


def _item(obj, group, label, style, width, height):
    meta = obj._meta
    return {
        'group': group,
        'object_type': f'{meta.app_label}.{meta.model_name}',
        'object_id': obj.pk,
        'display': str(obj),
        'label': label,
        'style': NODE_STYLE + style,
        'width': width,
        'height': height,
    }


def _items(site, user):
    devices = Device.objects.restrict(user, 'view').filter(site=site).select_related('role').order_by('name', 'pk')
    for device in devices[:LIMIT]:
        style, width, height = device_shape(device.role)
        yield _item(device, 'Devices', device.name or str(device), style, width, height)
    for rack in Rack.objects.restrict(user, 'view').filter(site=site).order_by('name', 'pk')[:LIMIT]:
        yield _item(rack, 'Racks', rack.name, RACK_STYLE, 180, 228)
    circuits = (
        Circuit.objects.restrict(user, 'view')
        .filter(terminations___site=site)
        .distinct()
        .select_related('provider')
        .order_by('cid', 'pk')
    )
    for circuit in circuits[:LIMIT]:
        yield _item(circuit, 'Circuits', circuit.cid, CIRCUIT_STYLE, 70, 40)
    for prefix in Prefix.objects.restrict(user, 'view').filter(_site=site).order_by('vrf', 'prefix', 'pk')[:LIMIT]:
        yield _item(prefix, 'Prefixes', str(prefix.prefix), NETWORK_STYLE, 160, 40)


def library(diagram, user, site_id=None):
    """``{"site": {"id", "name"} | None, "items": [...]}``: each item a linked shape (``object_type``,
    ``object_id``, ``display``, ``label``, ``group``, Draw.io ``style``, ``width``, ``height``)."""
    site = library_site(diagram, user, site_id)
    if site is None:
        return {'site': None, 'items': []}
    return {'site': {'id': site.pk, 'name': site.name}, 'items': list(_items(site, user))}
