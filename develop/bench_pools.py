"""Body of develop/bench_pools, run inside `netbox shell` (Django is set up)."""

import multiprocessing
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import netaddr
import requests
from django.db import connection, connections

from ipam.models import VRF, IPAddress, Prefix
from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import pools as svc

URL = os.environ.get('BENCH_URL') or f'http://127.0.0.1:{os.environ["ARCHIFLOW_PORT"]}'
N = int(os.environ.get('BENCH_N', '200'))
CLIENTS = 8
SERIAL = 50
USAGE_ALLOCATIONS = 50_000
VIEW = "predecessor's view, literal (ms)"
key, secret = (Path(os.environ['NETBOX_ROOT']) / 'admin-token').read_text().split()
HEADERS = {'Authorization': f'Bearer nbt_{key}.{secret}', 'Accept': 'application/json'}
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20

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
    return count / elapsed, statistics.median(latency for latency, _ in results), codes


def _service_worker(args):
    pool_ids, start_index, count = args
    connections.close_all()
    pools = {pk: IPPool.objects.select_related('prefix', 'prefix__vrf').get(pk=pk) for pk in pool_ids}
    ok = 0
    for n in range(start_index, start_index + count):
        pk = pool_ids[n % len(pool_ids)]
        svc.allocate_ip(pools[pk], f'svc-{n}')
        ok += 1
    connections.close_all()
    return ok


def service_run(pools, count):
    """``count`` allocations by CLIENTS processes (each its own PostgreSQL connection), no HTTP."""
    per = count // CLIENTS
    connections.close_all()
    context = multiprocessing.get_context('fork')
    with context.Pool(CLIENTS) as workers:
        start = time.perf_counter()
        done = sum(workers.map(_service_worker, [([p.pk for p in pools], i * per, per) for i in range(CLIENTS)]))
        elapsed = time.perf_counter() - start
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


report = {}
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
    report['p50 core available-ips (ms)'] = statistics.median(core_lat) * 1000
    report['p50 plugin allocate (ms)'] = statistics.median(plugin_lat) * 1000

    # 2. 8-client HTTP throughput: core, plugin one pool, plugin two pools.
    core_prefix = make_pool('core-8').prefix
    one = make_pool('plugin-8-one')
    two = [make_pool('plugin-8-two-a'), make_pool('plugin-8-two-b')]
    core_tp, _core_p50, core_codes = http_run([(core_url(core_prefix), lambda n: {})], N)
    one_tp, _one_p50, one_codes = http_run([(plugin_url(one), lambda n: {'asset_id': f'one-{n}'})], N)
    two_tp, _two_p50, two_codes = http_run([(plugin_url(p), lambda n: {'asset_id': f'two-{n}'}) for p in two], N)
    report['HTTP 8 clients core available-ips (alloc/s)'] = core_tp
    report['HTTP 8 clients plugin, one pool (alloc/s)'] = one_tp
    report['HTTP 8 clients plugin, two pools (alloc/s)'] = two_tp
    report['HTTP status codes'] = {'core': core_codes, 'one pool': one_codes, 'two pools': two_codes}

    # 3. Lock scaling without HTTP: 8 processes, one pool vs two pools.
    svc_one = make_pool('svc-one')
    svc_two = [make_pool('svc-two-a'), make_pool('svc-two-b')]
    report['service 8 processes, one pool (alloc/s)'] = service_run([svc_one], N)
    report['service 8 processes, two pools (alloc/s)'] = service_run(svc_two, N)
    report['duplicate addresses'] = duplicates()

    # 4. Usage of a /16 holding 50,000 allocations vs enumerating the /16.
    big_prefix = Prefix.objects.create(prefix=f'10.{OCTET + 30}.0.0/16', vrf=vrf, status='active')
    big = IPPool.objects.create(name=f'bench {TAG} usage', prefix=big_prefix, gateway=f'10.{OCTET + 30}.0.1')
    base = int(netaddr.IPAddress(f'10.{OCTET + 30}.0.0'))
    hosts = [str(netaddr.IPAddress(base + 2 + n)) for n in range(USAGE_ALLOCATIONS)]
    ips = IPAddress.objects.bulk_create(
        [IPAddress(address=netaddr.IPNetwork(f'{h}/16'), vrf=vrf, status='active') for h in hosts], batch_size=5000
    )
    IPAllocation.objects.bulk_create(
        [
            IPAllocation(pool=big, address=h, ip_address=ip, asset_id=f'bulk-{n}')
            for n, (h, ip) in enumerate(zip(hosts, ips, strict=True))
        ],
        batch_size=5000,
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
    report['usage /16 with 50,000 allocations (ms)'] = usage_time * 1000
    report['enumerating generate_series, same answer (ms)'] = enum_time * 1000
    report[VIEW] = view_time * 1000
    report['usage answers agree'] = usage['available'] == enum_available
    report['usage'] = usage
finally:
    pools = list(IPPool.objects.filter(name__startswith=f'bench {TAG}'))
    Alert.objects.filter(object_id__in=[p.pk for p in pools], object_type__model='ippool').delete()
    IPAllocation.objects.filter(pool__in=pools).delete()
    IPAddress.objects.filter(vrf=vrf).delete()
    IPPool.objects.filter(pk__in=[p.pk for p in pools]).delete()
    Prefix.objects.filter(vrf=vrf).delete()
    vrf.delete()

width = max(len(k) for k in report)
print()
for name, value in report.items():
    shown = f'{value:,.1f}' if isinstance(value, float) else value
    print(f'{name:<{width}}  {shown}')
print()


def ratio(a, b):
    return report[a] / report[b] if report.get(b) else float('nan')


print('Ratios')
print(
    f'  plugin vs core p50 latency (lower is better):        '
    f'{ratio("p50 plugin allocate (ms)", "p50 core available-ips (ms)"):.2f}x'
)
print(
    f'  plugin one pool vs core, 8-client HTTP throughput:    '
    f'{ratio("HTTP 8 clients plugin, one pool (alloc/s)", "HTTP 8 clients core available-ips (alloc/s)"):.2f}x'
)
print(
    f'  two pools vs one, 8-client HTTP throughput:           '
    f'{ratio("HTTP 8 clients plugin, two pools (alloc/s)", "HTTP 8 clients plugin, one pool (alloc/s)"):.2f}x'
)
print(
    f'  two pools vs one, 8 processes (goal >= 1.6x):         '
    f'{ratio("service 8 processes, two pools (alloc/s)", "service 8 processes, one pool (alloc/s)"):.2f}x'
)
print(
    f'  usage vs enumeration (goal >= 20x):                   '
    f'{ratio("enumerating generate_series, same answer (ms)", "usage /16 with 50,000 allocations (ms)"):.1f}x'
)
print(
    f'  usage vs the predecessor view:                        '
    f'{ratio(VIEW, "usage /16 with 50,000 allocations (ms)"):.1f}x'
)
print(f'  duplicate addresses (goal 0):                         {report.get("duplicate addresses")}')
