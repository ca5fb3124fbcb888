"""Demo IP pools (IPv4 and one IPv6), allocations to the demo devices, and a few alerts."""

from dcim.models import Device, Interface
from ipam.models import VRF, IPAddress, Prefix

from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import alerts, pools

# name: (cidr, vrf, gateway, dns, pool_type, threshold, allocations [(asset, device, interface)])
POOLS = {
    'ams1 servers': (
        '10.10.100.0/24',
        'Production',
        '10.10.100.1',
        ['10.10.0.53', '10.10.0.54'],
        'static',
        90,
        [
            ('ams1-srv-01', 'ams1-srv-01', 'eno2'),
            ('ams1-srv-02', 'ams1-srv-02', 'eno2'),
        ],
    ),
    'nyc1 servers': (
        '10.20.100.0/24',
        'Production',
        '10.20.100.1',
        ['10.20.0.53'],
        'static',
        90,
        [
            ('nyc1-srv-01', 'nyc1-srv-01', 'eno2'),
        ],
    ),
    'eu-west management': (
        '172.16.1.0/24',
        'Management',
        '172.16.1.1',
        ['172.16.0.53'],
        'dhcp',
        90,
        [
            ('ams1-core-01-mgmt', 'ams1-core-01', None),
            ('lon1-core-01-mgmt', 'lon1-core-01', None),
        ],
    ),
    'iad1 small lab': (
        '10.20.200.0/29',
        'Production',
        '10.20.200.1',
        [],
        'static',
        60,
        [
            ('lab-a', None, None),
            ('lab-b', None, None),
            ('lab-c', None, None),
            ('lab-d', None, None),
        ],
    ),
    'sin1 reserved': ('10.30.100.0/28', 'Production', None, [], 'reserved', 90, []),
    'ams1 servers v6': (
        '2001:db8:a100::/64',
        'Production',
        '2001:db8:a100::1',
        ['2001:db8:a100::53'],
        'static',
        90,
        [
            ('ams1-srv-01', 'ams1-srv-01', None),
            ('ams1-srv-02', 'ams1-srv-02', None),
        ],
    ),
    'lab global': ('192.168.50.0/24', None, None, [], 'static', 90, [('lab-printer', None, None)]),
}


def load():
    created = 0
    for name, (cidr, vrf_name, gateway, dns, pool_type, threshold, allocations) in POOLS.items():
        vrf = VRF.objects.get(name=vrf_name) if vrf_name else None
        prefix, new = Prefix.objects.get_or_create(prefix=cidr, vrf=vrf, defaults={'status': 'active'})
        created += new
        pool = IPPool.objects.filter(name=name).first()
        if pool is None:
            pool = IPPool(
                name=name,
                prefix=prefix,
                gateway=gateway,
                dns_servers=dns,
                pool_type=pool_type,
                alert_threshold=threshold,
                description=f'Demo pool {cidr}',
            )
            pool.full_clean()
            pool.save()
            created += 1
        for asset_id, device_name, interface_name in allocations:
            device = Device.objects.filter(name=device_name).first() if device_name else None
            interface = Interface.objects.filter(device=device, name=interface_name).first() if interface_name else None
            _allocation, new = pools.allocate_ip(
                pool, asset_id, device=device, interface=interface, device_name=device_name or '', device_type='server'
            )
            created += new
        alerts.evaluate_pool(pool.pk)

    # A released allocation, for the history.
    pool = IPPool.objects.get(name='nyc1 servers')
    if not IPAllocation.objects.filter(pool=pool, asset_id='nyc1-old-srv').exists():
        allocation, _ = pools.allocate_ip(pool, 'nyc1-old-srv', device_name='nyc1-old-srv')
        pools.release_ip(allocation)
        created += 1

    # An IP conflict: a hand-made address in the global table that collides with lab-printer's.
    holder = IPAllocation.objects.get(pool__name='lab global', asset_id='lab-printer', is_active=True)
    rogue = IPAddress.objects.filter(address__net_host=holder.address, vrf=None, description='rogue demo').first()
    if rogue is None:
        rogue = IPAddress.objects.create(address=f'{holder.address}/24', description='rogue demo')
        created += 1
    alerts.evaluate_ip_addresses([rogue.pk])

    # A device down.
    device = Device.objects.filter(name='syd1-srv-02').first()
    if device is not None:
        if device.status != 'offline':
            device.snapshot()
            device.status = 'offline'
            device.save()
        alerts.evaluate_device(device.pk)
    return created
