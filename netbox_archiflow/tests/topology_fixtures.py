"""A small site to draw: location → rack, core/leaf/servers, a patch panel, parallel cables, a circuit,
and addresses on device and VM interfaces in a VRF."""

from types import SimpleNamespace

from circuits.models import Circuit, CircuitTermination, CircuitType, Provider
from dcim.models import (
    Cable,
    Device,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    Location,
    Manufacturer,
    PortMapping,
    Rack,
    RearPort,
    Site,
)
from ipam.models import VRF, IPAddress, Prefix
from virtualization.models import Cluster, ClusterType, VirtualMachine, VMInterface


def cable(a, b, **fields):
    c = Cable(a_terminations=[a], b_terminations=[b], status='connected', **fields)
    c.save()
    return c


def make_topology(slug='gen'):
    site = Site.objects.create(name=f'{slug.upper()}1', slug=f'{slug}1')
    other_site = Site.objects.create(name=f'{slug.upper()}2', slug=f'{slug}2')
    hall = Location.objects.create(site=site, name='Hall', slug=f'{slug}-hall')
    room = Location.objects.create(site=site, parent=hall, name='Room', slug=f'{slug}-room')
    rack = Rack.objects.create(site=site, location=room, name='R1')
    rack2 = Rack.objects.create(site=site, location=room, name='R2')
    manufacturer = Manufacturer.objects.create(name=f'{slug}-vendor', slug=f'{slug}-vendor')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=f'{slug}-model', slug=f'{slug}-model')
    roles = {
        name: DeviceRole.objects.create(name=f'{slug} {name}', slug=f'{slug}-{name}', color=colour)
        for name, colour in (('core', 'ff0000'), ('leaf', '00ff00'), ('server', '0000ff'), ('patch', 'aaaaaa'))
    }

    def device(name, role, **fields):
        return Device.objects.create(name=name, site=site, device_type=device_type, role=roles[role], **fields)

    core = device(f'{slug}-core', 'core', location=room, rack=rack)
    leaf = device(f'{slug}-leaf', 'leaf', location=room, rack=rack2)
    servers = [device(f'{slug}-srv-{n}', 'server', location=room, rack=rack2) for n in (1, 2)]
    panel = device(f'{slug}-panel', 'patch', location=hall)
    lonely = device(f'{slug}-lonely', 'server')
    remote = Device.objects.create(name=f'{slug}-remote', site=other_site, device_type=device_type, role=roles['leaf'])

    def interfaces(dev, *names):
        return [Interface.objects.create(device=dev, name=name, type='10gbase-x-sfpp') for name in names]

    core_if = interfaces(core, 'et1', 'et2', 'et3', 'et4', 'et5')
    leaf_if = interfaces(leaf, 'et49', 'et50', 'et1', 'et2')
    srv_if = [interfaces(s, 'eno1')[0] for s in servers]
    lonely_if = interfaces(lonely, 'eno1')[0]
    remote_if = interfaces(remote, 'xe0')[0]
    rear = RearPort.objects.create(device=panel, name='rear1', type='lc', positions=1)
    front = FrontPort.objects.create(device=panel, name='front1', type='lc', positions=1)
    PortMapping.objects.create(
        device=panel, front_port=front, front_port_position=1, rear_port=rear, rear_port_position=1
    )

    cables = SimpleNamespace(
        uplink1=cable(core_if[0], leaf_if[0], label='uplink-1'),
        uplink2=cable(core_if[1], leaf_if[1], label='uplink-2'),
        srv1=cable(leaf_if[2], srv_if[0]),
        srv2=cable(leaf_if[3], srv_if[1]),
        to_panel=cable(core_if[2], front),
        from_panel=cable(rear, lonely_if),
        remote=cable(core_if[3], remote_if),
    )
    provider = Provider.objects.create(name=f'{slug} carrier', slug=f'{slug}-carrier')
    circuit_type = CircuitType.objects.create(name=f'{slug} internet', slug=f'{slug}-internet')
    circuit = Circuit.objects.create(cid=f'{slug}-C1', provider=provider, type=circuit_type)
    term_a = CircuitTermination.objects.create(circuit=circuit, term_side='A', termination=site)
    CircuitTermination.objects.create(circuit=circuit, term_side='Z', termination=other_site)
    cables.circuit = cable(core_if[4], term_a)

    vrf = VRF.objects.create(name=f'{slug}-vrf')
    prefixes = SimpleNamespace(
        servers=Prefix.objects.create(prefix='10.99.1.0/24', vrf=vrf, scope=site),
        transfer=Prefix.objects.create(prefix='10.99.0.0/31', vrf=vrf),
        supernet=Prefix.objects.create(prefix='10.99.0.0/16', vrf=vrf, status='container'),
        empty=Prefix.objects.create(prefix='10.99.2.0/24', vrf=vrf),
    )
    cluster = Cluster.objects.create(
        name=f'{slug}-cluster', type=ClusterType.objects.create(name=f'{slug}-ct', slug=f'{slug}-ct'), scope=site
    )
    vm = VirtualMachine.objects.create(name=f'{slug}-vm', cluster=cluster, site=site)
    vm_if = VMInterface.objects.create(virtual_machine=vm, name='eth0')

    def address(text, assigned):
        return IPAddress.objects.create(address=text, vrf=vrf, assigned_object=assigned)

    addresses = SimpleNamespace(
        core=address('10.99.0.0/31', core_if[0]),
        leaf=address('10.99.0.1/31', leaf_if[0]),
        srv1=address('10.99.1.11/24', srv_if[0]),
        leaf_svi=address('10.99.1.1/24', leaf_if[2]),
        vm=address('10.99.1.50/24', vm_if),
    )
    return SimpleNamespace(
        site=site,
        other_site=other_site,
        hall=hall,
        room=room,
        racks=(rack, rack2),
        core=core,
        leaf=leaf,
        servers=servers,
        panel=panel,
        lonely=lonely,
        remote=remote,
        cables=cables,
        circuit=circuit,
        vrf=vrf,
        prefixes=prefixes,
        vm=vm,
        addresses=addresses,
        interfaces=SimpleNamespace(core=core_if, leaf=leaf_if, servers=srv_if, lonely=lonely_if),
        device_type=device_type,
        roles=roles,
    )
