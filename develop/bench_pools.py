"""Body of develop/bench_pools, run inside `netbox shell` (Django is set up)."""

import multiprocessing
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from benchreport import Report, run_together
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from ipam.models import VRF, IPAddress, Prefix

from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import pools as svc

URL = os.environ.get('BENCH_URL') or f'http://127.0.0.1:{os.environ["ARCHIFLOW_PORT"]}'
N = int(os.environ.get('BENCH_N', '200'))
CLIENTS = int(os.environ.get('BENCH_CLIENTS', '16'))
SERIAL = 50
USAGE_ALLOCATIONS = 50_000
VIEW = "predecessor's view, literal (ms)"
key, secret = (Path(os.environ['NETBOX_ROOT']) / 'admin-token').read_text().split()
HEADERS = {'Authorization': f'Bearer nbt_{key}.{secret}', 'Accept': 'application/json'}
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20


def cleanup(vrf):
    """Delete what a run created. Raw deletes: 50,000 signal-driven ORM deletes would take minutes."""
    pools = list(IPPool.objects.filter(prefix__vrf=vrf))
    Alert.objects.filter(object_id__in=[p.pk for p in pools], object_type__model='ippool').delete()
    pool_ids = [p.pk for p in pools]
    with connection.cursor() as cursor:
        cursor.execute(
            'DELETE FROM extras_cachedvalue WHERE object_type_id = %s AND object_id IN '
            '(SELECT id FROM netbox_archiflow_ipallocation WHERE pool_id = ANY(%s))',
            [ContentType.objects.get_for_model(IPAllocation).pk, pool_ids],
        )
        cursor.execute('DELETE FROM netbox_archiflow_ipallocation WHERE pool_id = ANY(%s)', [pool_ids])
        cursor.execute(
            'DELETE FROM extras_cachedvalue WHERE object_type_id = %s AND object_id IN '
            '(SELECT id FROM ipam_ipaddress WHERE vrf_id = %s)',
            [ContentType.objects.get_for_model(IPAddress).pk, vrf.pk],
        )
        cursor.execute('DELETE FROM ipam_ipaddress WHERE vrf_id = %s', [vrf.pk])
    IPPool.objects.filter(pk__in=[p.pk for p in pools]).delete()
    Prefix.objects.filter(vrf=vrf).delete()
    vrf.delete()


for stale in VRF.objects.filter(name__startswith='bench-'):  # left by an interrupted run
    cleanup(stale)
vrf = VRF.objects.create(name=f'bench-{TAG}', enforce_unique=True)
prefixes = {}
counter = iter(range(0, 256, 4))


def make_pool(label):
    """A fresh /22 (1022 usable addresses, the same size for core and the plugin) and a pool over it."""
    third = next(counter)
    prefix = Prefix.objects.create(prefix=f'10.{OCTET}.{third}.0/22', vrf=vrf, status='active')
    prefixes[label] = prefix
    return IPPool.objects.create(name=f'bench {TAG} {label}', prefix=prefix)


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def post(session, url, body):
    start = time.perf_counter()
    response = session.post(url, json=body, headers=HEADERS, timeout=120)
    return time.perf_counter() - start, response.status_code


def core_url(prefix):
    return f'{URL}/api/ipam/prefixes/{prefix.pk}/available-ips/'


def plugin_url(pool):
    return f'{URL}/api/plugins/archiflow/ip-pools/{pool.pk}/allocate/'


def http_run(targets, count):
    """``count`` POSTs spread over CLIENTS threads, round-robin over ``targets`` [(url, body_fn)]."""
    sessions = [requests.Session() for _ in range(CLIENTS)]

    def client(index):
        results = []
        for n in range(index, count, CLIENTS):
            url, body = targets[n % len(targets)]
            results.append(post(sessions[index], url, body(n)))
        return results

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [r for chunk in pool.map(client, range(CLIENTS)) for r in chunk]
    elapsed = time.perf_counter() - start
    codes = {}
    for _latency, code in results:
        codes[code] = codes.get(code, 0) + 1
    latencies = sorted(latency * 1000 for latency, _ in results)
    return count / elapsed, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)], codes


def service_run(pools, count):
    """``count`` allocations by CLIENTS forked processes (each its own PostgreSQL connection), no HTTP."""
    per = count // CLIENTS
    pool_ids = [p.pk for p in pools]
    connections.close_all()
    context = multiprocessing.get_context('fork')
    barrier = context.Barrier(CLIENTS + 1)

    def worker(start_index):
        connections.close_all()
        loaded = {pk: IPPool.objects.select_related('prefix', 'prefix__vrf').get(pk=pk) for pk in pool_ids}
        barrier.wait()
        for n in range(start_index, start_index + per):
            svc.allocate_ip(loaded[pool_ids[n % len(pool_ids)]], f'svc-{n}')
        connections.close_all()

    processes = [context.Process(target=worker, args=(i * per,)) for i in range(CLIENTS)]
    elapsed = run_together(processes, barrier)
    done = IPAllocation.objects.filter(pool_id__in=pool_ids, is_active=True).count()
    return done / elapsed


def duplicates():
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT count(*) - count(DISTINCT host(address)) FROM ipam_ipaddress WHERE vrf_id = %s', [vrf.pk]
        )
        return cursor.fetchone()[0]


def median_time(func, runs=7):
    func()
    times = []
    for _ in range(runs):
        elapsed, result = timed(func)
        times.append(elapsed)
    return statistics.median(times), result


report = Report('bench_pools: IP pool allocation and usage')
try:
    requests.get(f'{URL}/api/status/', headers=HEADERS, timeout=10).raise_for_status()

    # 1. Serial latency (p50), same prefix size.
    core_prefix = make_pool('core-serial').prefix
    plugin_pool = make_pool('plugin-serial')
    session = requests.Session()
    post(session, core_url(core_prefix), {})
    post(session, plugin_url(plugin_pool), {'asset_id': 'warm'})
    core_lat = [post(session, core_url(core_prefix), {})[0] for _ in range(SERIAL)]
    plugin_lat = [post(session, plugin_url(plugin_pool), {'asset_id': f'serial-{n}'})[0] for n in range(SERIAL)]
    report.add('p50 core available-ips (ms)', statistics.median(core_lat) * 1000)
    report.add('p50 plugin allocate (ms)', statistics.median(plugin_lat) * 1000)

    # 2. Hot pool: CLIENTS concurrent HTTP clients on core's available-ips of one prefix, on one pool, on two pools.
    core_prefix = make_pool('core-hot').prefix
    one = make_pool('plugin-hot-one')
    two = [make_pool('plugin-hot-two-a'), make_pool('plugin-hot-two-b')]
    runs = {
        'core available-ips': [(core_url(core_prefix), lambda n: {})],
        'plugin, one pool': [(plugin_url(one), lambda n: {'asset_id': f'one-{n}'})],
        'plugin, two pools': [(plugin_url(p), lambda n: {'asset_id': f'two-{n}'}) for p in two],
    }
    codes = {}
    for label, targets in runs.items():
        throughput, _p50, p95, codes[label] = http_run(targets, N)
        report.add(f'HTTP {CLIENTS} clients {label} (alloc/s)', throughput)
        report.add(f'HTTP {CLIENTS} clients {label} p95 (ms)', p95)
    report.add('HTTP status codes', codes)
    report.add('duplicate addresses after the HTTP runs', duplicates())
    # 3. Lock scaling without HTTP: 8 processes, one pool vs two pools.
    svc_one = make_pool('svc-one')
    svc_two = [make_pool('svc-two-a'), make_pool('svc-two-b')]
    report.add(f'service {CLIENTS} processes, one pool (alloc/s)', service_run([svc_one], N))
    report.add(f'service {CLIENTS} processes, two pools (alloc/s)', service_run(svc_two, N))
    report.add('duplicate addresses', duplicates())

    # 4. Usage of a /16 holding 50,000 allocations vs enumerating the /16.
    big_prefix = Prefix.objects.create(prefix=f'10.{OCTET + 30}.0.0/16', vrf=vrf, status='active')
    big = IPPool.objects.create(name=f'bench {TAG} usage', prefix=big_prefix, gateway=f'10.{OCTET + 30}.0.1')
    # Rows are written with SQL: 50,000 ORM saves would measure the ORM, not the usage query.
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO ipam_ipaddress (created, last_updated, custom_field_data, address, vrf_id, status, dns_name,'
            " description, comments) SELECT now(), now(), '{}', set_masklen(%s::inet + g, 16), %s, 'active', '', '', ''"
            ' FROM generate_series(2, %s) AS g',
            [f'10.{OCTET + 30}.0.0', vrf.pk, USAGE_ALLOCATIONS + 1],
        )
        cursor.execute(
            'INSERT INTO netbox_archiflow_ipallocation (created, last_updated, custom_field_data, address,'
            ' ip_address_id, asset_id, device_name, device_type, mac_address, allocated_at, is_active, notes, pool_id)'
            " SELECT now(), now(), '{}', host(i.address)::inet, i.id, 'bulk-' || i.id, '', '', '', now(), true, '', %s"
            ' FROM ipam_ipaddress i WHERE i.vrf_id = %s AND host(i.address)::inet <<= %s::cidr',
            [big.pk, vrf.pk, str(big_prefix.prefix)],
        )
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE ipam_ipaddress; ANALYZE netbox_archiflow_ipallocation')
    big = IPPool.objects.select_related('prefix', 'prefix__vrf').get(pk=big.pk)
    usage_time, usage = median_time(lambda: svc.pool_usage(big))
    first, last = big.prefix.usable_ip_bounds
    enumerate_sql = (
        'SELECT count(*) FROM generate_series(0, %s::bigint) AS g(n) '
        'WHERE NOT EXISTS (SELECT 1 FROM netbox_archiflow_ipallocation a '
        '                  WHERE a.pool_id = %s AND a.is_active AND a.address = %s::inet + g.n) '
        'AND NOT EXISTS (SELECT 1 FROM ipam_ipaddress i '
        '                WHERE i.vrf_id = %s AND host(i.address)::inet = %s::inet + g.n) '
        'AND %s::inet + g.n <> %s::inet'
    )
    params = [int(last) - int(first), big.pk, str(first), vrf.pk, str(first), str(first), big.gateway]
    # The predecessor's ip_pool_usage view, on these tables: generate_series sizes the network (twice).
    view_sql = (
        'SELECT (SELECT count(*) FROM generate_series(0, %s::bigint)) - count(DISTINCT a.address) '
        'FROM netbox_archiflow_ipallocation a WHERE a.pool_id = %s AND a.is_active'
    )

    def run_sql(sql, args):
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchone()[0]

    enum_time, enum_available = median_time(lambda: run_sql(enumerate_sql, params), runs=3)
    view_time, _view = median_time(lambda: run_sql(view_sql, [int(last) - int(first), big.pk]), runs=5)
    report.add('usage /16 with 50,000 allocations (ms)', usage_time * 1000)
    report.add('enumerating generate_series, same answer (ms)', enum_time * 1000)
    report.add(VIEW, view_time * 1000)
    report.add('usage answers agree', usage['available'] == enum_available)
    report.add('usage', usage)
finally:
    cleanup(vrf)

report.section('Ratios')
report.ratio('plugin vs core p50 latency (goal <= 1)', 'p50 plugin allocate (ms)', 'p50 core available-ips (ms)')
report.ratio(
    f'plugin one pool vs core, {CLIENTS}-client HTTP throughput (goal >= 1)',
    f'HTTP {CLIENTS} clients plugin, one pool (alloc/s)',
    f'HTTP {CLIENTS} clients core available-ips (alloc/s)',
)
report.ratio(
    f'plugin one pool vs core, {CLIENTS}-client HTTP p95 (lower is better)',
    f'HTTP {CLIENTS} clients plugin, one pool p95 (ms)',
    f'HTTP {CLIENTS} clients core available-ips p95 (ms)',
)
report.ratio(
    f'two pools vs one, {CLIENTS}-client HTTP throughput',
    f'HTTP {CLIENTS} clients plugin, two pools (alloc/s)',
    f'HTTP {CLIENTS} clients plugin, one pool (alloc/s)',
)
report.ratio(
    f'two pools vs one, {CLIENTS} processes',
    f'service {CLIENTS} processes, two pools (alloc/s)',
    f'service {CLIENTS} processes, one pool (alloc/s)',
)
report.ratio(
    'usage vs enumeration (goal >= 20x)',
    'enumerating generate_series, same answer (ms)',
    'usage /16 with 50,000 allocations (ms)',
)
report.ratio('usage vs the predecessor view', VIEW, 'usage /16 with 50,000 allocations (ms)')
report.add('load average (1, 5, 15 min)', ' '.join(f'{n:.1f}' for n in os.getloadavg()))
report.emit()
