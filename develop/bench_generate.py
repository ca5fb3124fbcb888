# Run by develop/bench_diagrams inside `netbox shell` (Django is set up; the bench database is selected).
# A site of BENCH_GEN_DEVICES devices and BENCH_GEN_CABLES cables, drawn by the plugin's generator and by
# netbox-topology-views' draw.io export (when the benchmark installed it), side by side. Removed afterwards.
import cProfile
import os
import pstats
import random
import time

from benchreport import Report
from dcim.models import (
    Cable,
    CableTermination,
    Device,
    DeviceRole,
    DeviceType,
    Interface,
    Location,
    Manufacturer,
    Rack,
    Site,
)
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from users.models import User

from netbox_archiflow.models import Diagram
from netbox_archiflow.services import generate

DEVICES = int(os.environ.get('BENCH_GEN_DEVICES', 500))
CABLES = int(os.environ.get('BENCH_GEN_CABLES', 2000))
SLUG = 'bench-gen'


report = Report('bench_generate')


def measure(label, fn):
    """Run fn once; record its time and query count under label."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    report.add(f'{label} time', elapsed * 1000, 'ms')
    report.add(f'{label} queries', len(queries.captured_queries))
    return result, elapsed, len(queries.captured_queries)


def cleanup():
    Diagram.objects.filter(name__startswith=SLUG).delete()
    site = Site.objects.filter(slug=SLUG).first()
    if site is None:
        return
    # The cables were written in bulk, without paths: remove them the same way (no per-cable signals).
    cable_ids = list(CableTermination.objects.filter(_site=site).values_list('cable_id', flat=True))
    Interface.objects.filter(device__site=site).update(cable=None, cable_end='')
    CableTermination.objects.filter(_site=site)._raw_delete('default')
    Cable.objects.filter(pk__in=cable_ids)._raw_delete('default')
    Device.objects.filter(site=site).delete()
    Rack.objects.filter(site=site).delete()
    Location.objects.filter(site=site).order_by('-path').delete()
    site.delete()
    DeviceType.objects.filter(slug=SLUG).delete()
    Manufacturer.objects.filter(slug=SLUG).delete()
    DeviceRole.objects.filter(slug__startswith=SLUG).delete()


def build():
    """Core, leaf and server tiers in racks of two halls; cables written in bulk (no per-cable path tracing)."""
    rng = random.Random(1)
    site = Site.objects.create(name='Bench generate', slug=SLUG)
    halls = [Location.objects.create(site=site, name=f'Hall {n}', slug=f'{SLUG}-hall-{n}') for n in (1, 2)]
    manufacturer = Manufacturer.objects.create(name=SLUG, slug=SLUG)
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=SLUG, slug=SLUG)
    roles = {
        name: DeviceRole.objects.create(name=f'{SLUG} {name}', slug=f'{SLUG}-{name}', color=colour)
        for name, colour in (('core', '8a2be2'), ('leaf', '2f6a31'), ('server', '0d6efd'))
    }
    cores, leaves = max(2, DEVICES // 50), max(4, DEVICES // 10)
    racks = [Rack.objects.create(site=site, location=halls[n % 2], name=f'R{n:03d}') for n in range(DEVICES // 20 + 1)]
    devices = []
    for n in range(DEVICES):
        role = 'core' if n < cores else 'leaf' if n < cores + leaves else 'server'
        rack = racks[n // 20]
        devices.append(
            Device(
                name=f'{SLUG}-{role}-{n:04d}',
                site=site,
                location=rack.location,
                rack=rack,
                device_type=device_type,
                role=roles[role],
                status='active',
            )
        )
    devices = Device.objects.bulk_create(devices)
    core, leaf, server = devices[:cores], devices[cores : cores + leaves], devices[cores + leaves :]
    pairs = []
    while len(pairs) < CABLES:
        tier = rng.random()
        if tier < 0.1:
            pairs.append((rng.choice(core), rng.choice(core)))
        elif tier < 0.25:
            pairs.append((rng.choice(leaf), rng.choice(core)))
        else:
            pairs.append((rng.choice(server), rng.choice(leaf)))
    pairs = [(a, b) for a, b in pairs if a.pk != b.pk]
    counters = {}

    def port(device):
        counters[device.pk] = counters.get(device.pk, 0) + 1
        return Interface(device=device, name=f'eth{counters[device.pk]}', type='10gbase-x-sfpp')

    interfaces = Interface.objects.bulk_create([port(d) for pair in pairs for d in pair])
    cables = Cable.objects.bulk_create([Cable(status='connected') for _ in pairs])
    terminations = []
    for index, cable in enumerate(cables):
        for end, interface in (('A', interfaces[2 * index]), ('B', interfaces[2 * index + 1])):
            device = interface.device
            terminations.append(
                CableTermination(
                    cable=cable,
                    cable_end=end,
                    termination=interface,
                    _device=device,
                    _rack_id=device.rack_id,
                    _location_id=device.location_id,
                    _site=site,
                )
            )
            interface.cable, interface.cable_end = cable, end
    CableTermination.objects.bulk_create(terminations)
    Interface.objects.bulk_update(interfaces, ['cable', 'cable_end'])
    return site, len(cables)


user, _ = User.objects.get_or_create(username='bench', defaults={'is_superuser': True})
user.is_superuser = True
user.save()
client = Client()
client.force_login(user)
cleanup()
try:
    start = time.perf_counter()
    site, cable_count = build()
    report.section('generate')
    report.add('site devices', DEVICES)
    report.add('site cables', cable_count)
    report.add('site built in', time.perf_counter() - start, 's')
    spec = generate.parse_spec(user, 'physical', 'dcim.site', site.pk)
    generate.generate_xml(spec, user)  # warm-up: imports, content types
    client.get('/api/plugins/archiflow/diagrams/?limit=1')  # warm-up: URLs, API schema
    xml, ours, our_queries = measure(
        'plugin generate_xml (read, lay out, label, link)', lambda: generate.generate_xml(spec, user)
    )
    report.add('plugin diagram size', len(xml) / 1e6, 'MB')
    report.add('plugin linked cells', xml.count('netbox_type='))
    response, api_time, _q = measure(
        'plugin POST diagrams/generate/ (+ version 1 + preview)',
        lambda: client.post(
            '/api/plugins/archiflow/diagrams/generate/',
            {'name': f'{SLUG}-diagram', 'kind': 'physical', 'scope_type': 'dcim.site', 'scope_id': site.pk},
            content_type='application/json',
        ),
    )
    diagram = Diagram.objects.get(pk=response.json()['id'])
    (saved, _merged), refresh_time, refresh_queries = measure(
        'plugin refresh, NetBox unchanged (no version)', lambda: generate.refresh_diagram(diagram, user)
    )
    assert not saved.modified
    if os.environ.get('BENCH_PROFILE'):
        profile = cProfile.Profile()
        profile.runcall(generate.generate_xml, spec, user)
        pstats.Stats(profile).sort_stats('cumulative').print_stats(int(os.environ['BENCH_PROFILE']))
    if 'netbox_topology_views' in settings.PLUGINS:
        url = (
            f'/api/plugins/netbox_topology_views/xml-export/?site_id={site.pk}&show_cables=True'
            '&group_sites=True&group_locations=True&group_racks=True&draw_termination_labels=True'
        )
        client.get(url)  # warm-up
        theirs_response, theirs, their_queries = measure(
            'netbox-topology-views 5.0.0 GET xml-export/', lambda: client.get(url)
        )
        report.add('netbox-topology-views diagram size', len(theirs_response.content) / 1e6, 'MB')
        report.ratio(
            'generate_xml speed vs topology-views export (goal >= 2)',
            'netbox-topology-views 5.0.0 GET xml-export/ time',
            'plugin generate_xml (read, lay out, label, link) time',
        )
    else:
        print('netbox-topology-views is not installed in the benchmark environment: no comparison')
    report.ratio(
        'refresh unchanged vs POST generate (time)',
        'plugin refresh, NetBox unchanged (no version) time',
        'plugin POST diagrams/generate/ (+ version 1 + preview) time',
    )
    report.emit()
finally:
    cleanup()
