"""Native NetBox objects the plugin's demo builds on: tenancy, site groups, VRFs, prefixes, devices, cables."""

from dcim.models import Cable, Device, DeviceRole, DeviceType, Interface, Manufacturer, Site, SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify
from ipam.models import VRF, Prefix, Role, VLANGroup
from tenancy.models import Tenant

SITE_GROUPS = {
    'eu-west': ('Europe West', ['ams1', 'lon1']),
    'us-east': ('US East', ['nyc1', 'iad1']),
    'apac': ('Asia Pacific', ['sin1', 'syd1']),
}
VRFS = {
    'Production': ('65000:100', {'eu-west': '10.10.0.0/16', 'us-east': '10.20.0.0/16', 'apac': '10.30.0.0/16'}),
    'Management': ('65000:200', {'eu-west': '172.16.0.0/20', 'us-east': '172.16.16.0/20', 'apac': '172.16.32.0/20'}),
}
DEVICE_TYPES = {
    'core': ('Arista', 'DCS-7280SR3-48YC8', 'Core Switch', '8a2be2', [f'Ethernet{n}' for n in range(1, 9)]),
    'leaf': ('Arista', 'DCS-7050SX3-48YC8', 'Leaf Switch', '2f6a31', [f'Ethernet{n}' for n in range(1, 9)]),
    'server': ('Dell', 'PowerEdge R750', 'Server', '0d6efd', ['eno1', 'eno2']),
}


class Counter:
    """Counts the objects a loader really created, for an honest idempotency report."""

    def __init__(self):
        self.created = 0

    def get_or_create(self, model, defaults=None, **lookup):
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += created
        return obj


def load():
    counter = Counter()
    get = counter.get_or_create
    tenant = get(Tenant, slug='redbull', defaults={'name': 'RedBull'})
    get(Role, slug='data', defaults={'name': 'Data', 'weight': 1000})
    get(Role, slug='management', defaults={'name': 'Management', 'weight': 1100})

    site_groups = {}
    sites = {}
    for slug, (name, site_names) in SITE_GROUPS.items():
        group = get(SiteGroup, slug=slug, defaults={'name': name})
        site_groups[slug] = group
        for site_name in site_names:
            sites[site_name] = get(
                Site, slug=site_name, defaults={'name': site_name.upper(), 'group': group, 'tenant': tenant}
            )

    site_group_type = ContentType.objects.get_for_model(SiteGroup)
    for vrf_name, (rd, containers) in VRFS.items():
        vrf = get(VRF, name=vrf_name, defaults={'rd': rd, 'tenant': tenant, 'enforce_unique': True})
        for group_slug, cidr in containers.items():
            group = site_groups[group_slug]
            get(
                Prefix,
                prefix=cidr,
                vrf=vrf,
                defaults={
                    'status': 'container',
                    'tenant': tenant,
                    'scope_type': site_group_type,
                    'scope_id': group.pk,
                    'description': f'{vrf_name} supernet for {group.name}',
                },
            )
            get(
                VLANGroup,
                slug=slugify(f'{vrf_name}-{group_slug}'),
                defaults={
                    'name': f'{vrf_name}-{group_slug}',
                    'scope_type': site_group_type,
                    'scope_id': group.pk,
                    'tenant': tenant,
                },
            )

    device_types = {}
    device_roles = {}
    for key, (vendor, model, role_name, colour, _ports) in DEVICE_TYPES.items():
        manufacturer = get(Manufacturer, slug=slugify(vendor), defaults={'name': vendor})
        device_types[key] = get(DeviceType, manufacturer=manufacturer, slug=slugify(model), defaults={'model': model})
        device_roles[key] = get(DeviceRole, slug=slugify(role_name), defaults={'name': role_name, 'color': colour})

    for site_name, site in sites.items():
        devices = {}
        for key, hostname in (
            ('core', f'{site_name}-core-01'),
            ('leaf', f'{site_name}-leaf-01'),
            ('server', f'{site_name}-srv-01'),
            ('server', f'{site_name}-srv-02'),
        ):
            device = get(
                Device,
                name=hostname,
                site=site,
                defaults={
                    'device_type': device_types[key],
                    'role': device_roles[key],
                    'tenant': tenant,
                    'status': 'active',
                },
            )
            for port in DEVICE_TYPES[key][4]:
                get(Interface, device=device, name=port, defaults={'type': '10gbase-x-sfpp'})
            devices[hostname] = device
        links = (
            (f'{site_name}-leaf-01', 'Ethernet8', f'{site_name}-core-01', 'Ethernet1'),
            (f'{site_name}-srv-01', 'eno1', f'{site_name}-leaf-01', 'Ethernet1'),
            (f'{site_name}-srv-02', 'eno1', f'{site_name}-leaf-01', 'Ethernet2'),
        )
        for a_device, a_port, b_device, b_port in links:
            a = Interface.objects.get(device=devices[a_device], name=a_port)
            b = Interface.objects.get(device=devices[b_device], name=b_port)
            if a.cable_id is None and b.cable_id is None:
                Cable(a_terminations=[a], b_terminations=[b], status='connected').save()
                counter.created += 1
    return counter.created
