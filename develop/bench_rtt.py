"""Body of develop/bench_rtt, run inside `netbox shell`: allocation throughput with PostgreSQL behind added
round-trip time, against the scaling model of docs/performance.md.

For each round-trip time, develop/rtt_proxy.py is started in front of PostgreSQL and the default connection is
pointed at it, so the forked worker processes connect through it. PROCS processes then POST through Django's
test client (REST, in-process, one persistent connection each): the plugin's IP allocate on one pool and on two
(processes split over the pools), core's ``available-ips`` on one prefix and on two. Every request's lock window
is recorded (develop/lockwindow.py). The model's ceiling, 1 / window per pool for the plugin and 1 / window for
the whole instance for core, is printed beside the measured throughput.

The held window counts from the end of the last lock statement (the lock is granted) to the end of the
release, so time spent waiting for the lock is not in it.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid

import rtt_proxy
from benchreport import Report, run_together
from core.models import ObjectChange
from django.db import connection, connections
from django.test import Client
from ipam.models import VRF, IPAddress, Prefix
from lockwindow import recording, window
from users.models import Token, User

from netbox_archiflow.models import Alert, IPAllocation, IPPool

RTTS = [float(v) for v in os.environ.get('BENCH_RTTS', '0 0.5 2').split()]
PROCS = int(os.environ.get('BENCH_PROCS', '8'))
N = int(os.environ.get('BENCH_N', '160'))  # requests per run, split over the processes
PROBES = 300  # SELECT 1 round trips per probe of the proxy's added round-trip time
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20
DATABASE = connections['default'].settings_dict
PLUGIN = 'plugin IP allocate'
CORE = 'core available-ips'


def cleanup(vrf, user):
    pools = IPPool.objects.filter(prefix__vrf=vrf)
    Alert.objects.filter(object_type__model='ippool', object_id__in=pools.values('pk')).delete()
    IPAllocation.objects.filter(pool__prefix__vrf=vrf).delete()
    IPAddress.objects.filter(vrf=vrf).delete()
    pools.delete()
    Prefix.objects.filter(vrf=vrf).delete()
    vrf.delete()
    if user:
        ObjectChange.objects.filter(user=user).delete()
        user.delete()


def round_trip_ms():
    """p50 of ``SELECT 1`` on the default connection, in milliseconds."""
    connections.close_all()
    times = []
    with connection.cursor() as cursor:
        cursor.execute('SELECT 1')
        for _ in range(PROBES):
            start = time.perf_counter()
            cursor.execute('SELECT 1')
            cursor.fetchone()
            times.append(time.perf_counter() - start)
    connections.close_all()
    return statistics.median(times) * 1000


def start_proxy(rtt):
    target = f'{DATABASE["HOST"] or "127.0.0.1"}:{DATABASE["PORT"] or 5432}'
    process = subprocess.Popen(
        [sys.executable, rtt_proxy.__file__, '--rtt-ms', str(rtt), '--target', target],
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, int(process.stdout.readline().rsplit(':', 1)[1])


def worker(headers, path, asset, count, barrier, results):
    """Forked process: ``count`` POSTs to ``path``; (status, lock window) of each into ``results``."""
    connections.close_all()
    client = Client(**headers)
    connection.ensure_connection()
    rows = []
    barrier.wait()
    for n in range(count):
        body = {'asset_id': f'{asset}-{n}'} if asset else {}
        with recording(connection) as events:
            response = client.post(path, body, content_type='application/json')
        rows.append((response.status_code, window(events) if response.status_code == 201 else None))
    connections.close_all()
    results.extend(rows)


def run(headers, paths, asset=''):
    """PROCS processes, split round-robin over ``paths``: (allocations/s, windows, status codes). With ``asset``,
    each request sends an asset id (the plugin's allocate needs one)."""
    context = multiprocessing.get_context('fork')
    manager = context.Manager()
    results = manager.list()
    barrier = context.Barrier(PROCS + 1)
    per = N // PROCS
    connections.close_all()
    processes = [
        context.Process(
            target=worker,
            args=(headers, paths[i % len(paths)], asset and f'{asset}-{i}', per, barrier, results),
        )
        for i in range(PROCS)
    ]
    elapsed = run_together(processes, barrier)
    rows = list(results)
    manager.shutdown()
    codes = {}
    for code, _window in rows:
        codes[code] = codes.get(code, 0) + 1
    windows = [w for _code, w in rows if w]
    return codes.get(201, 0) / elapsed, windows, codes


report = Report(
    f'bench_rtt: {PROCS} processes through a delaying proxy in front of PostgreSQL, {N} requests per run '
    '(in-process REST, test client)'
)
for stale in VRF.objects.filter(name__startswith='bench-rtt-'):  # left by an interrupted run
    cleanup(stale, User.objects.filter(username=stale.name).first())
user = User.objects.create(username=f'bench-rtt-{TAG}', is_superuser=True)
token = Token(user=user, write_enabled=True)
token.save()
headers = {'HTTP_AUTHORIZATION': f'Bearer nbt_{token.key}.{token.token}', 'HTTP_ACCEPT': 'application/json'}
vrf = VRF.objects.create(name=f'bench-rtt-{TAG}', enforce_unique=True)
thirds = iter(range(0, 256, 4))
real = {'HOST': DATABASE['HOST'], 'PORT': DATABASE['PORT'], 'CONN_MAX_AGE': DATABASE['CONN_MAX_AGE']}


def prefix():
    """A fresh /22 (1022 addresses), so every run starts on an empty prefix."""
    return Prefix.objects.create(prefix=f'10.{OCTET}.{next(thirds)}.0/22', vrf=vrf, status='active')


def plugin_path(pool):
    return f'/api/plugins/archiflow/ip-pools/{pool.pk}/allocate/'


def core_path(prefix):
    return f'/api/ipam/prefixes/{prefix.pk}/available-ips/'


try:
    # Warm up this process (URL resolvers, serializers, caches) before the workers are forked from it.
    warm = Client(**headers)
    warm_pool = IPPool.objects.create(name=f'bench rtt {TAG} warm-up', prefix=prefix())
    warm.post(plugin_path(warm_pool), {'asset_id': 'warm-up'}, content_type='application/json')
    warm.post(core_path(warm_pool.prefix), {}, content_type='application/json')
    direct = round_trip_ms()
    # One persistent connection per worker, as NetBox's CONN_MAX_AGE (300 s) gives each gunicorn worker.
    DATABASE['CONN_MAX_AGE'] = 300
    baseline = {}  # (held p50, added round trip) of the first round-trip time, per kind
    for rtt in RTTS:
        proxy, port = start_proxy(rtt)
        try:
            DATABASE.update(HOST='127.0.0.1', PORT=port)
            report.section(f'added round trip {rtt:g} ms')
            added = report.add(
                'measured added round trip (SELECT 1 p50, through the proxy - direct)', round_trip_ms() - direct, 'ms'
            )
            pools = [IPPool.objects.create(name=f'bench rtt {TAG} {rtt} {n}', prefix=prefix()) for n in range(3)]
            cores = [prefix() for _ in range(3)]
            runs = {
                f'{PLUGIN}, 1 pool': run(headers, [plugin_path(pools[0])], f'one-{rtt}'),
                f'{PLUGIN}, 2 pools': run(headers, [plugin_path(p) for p in pools[1:]], f'two-{rtt}'),
                f'{CORE}, 1 prefix': run(headers, [core_path(cores[0])]),
                f'{CORE}, 2 prefixes': run(headers, [core_path(p) for p in cores[1:]]),
            }
            for name, (throughput, _windows, codes) in runs.items():
                report.add(f'{name} (alloc/s)', throughput)
                if set(codes) != {201}:
                    report.add(f'{name}: status codes', codes)
            for kind, one, two, scope in (
                (PLUGIN, f'{PLUGIN}, 1 pool', f'{PLUGIN}, 2 pools', 'per pool'),
                (CORE, f'{CORE}, 1 prefix', f'{CORE}, 2 prefixes', 'whole instance'),
            ):
                windows = runs[one][1] + runs[two][1]
                held = report.add(
                    f'{kind}: lock held p50 (both runs)', statistics.median(w.held_ms for w in windows), 'ms'
                )
                trips = report.add(
                    f'{kind}: round trips while held p50', statistics.median(w.round_trips for w in windows)
                )
                report.add(f'{kind}: ceiling 1 / held ({scope})', 1000 / held, 'alloc/s')
                if kind in baseline:
                    base_held, base_added = baseline[kind]
                    report.add(
                        f'{kind}: model held = held at {RTTS[0]:g} ms + round trips x added round trip',
                        base_held + trips * (added - base_added),
                        'ms',
                    )
                else:
                    baseline[kind] = (held, added)
                report.add(f'{kind}: 2 / 1', runs[two][0] / runs[one][0], 'x')
        finally:
            connections.close_all()
            DATABASE.update(real)
            proxy.terminate()
            proxy.wait()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT count(*) - count(DISTINCT host(address)) FROM ipam_ipaddress WHERE vrf_id = %s', [vrf.pk]
        )
        report.section('')
        report.add('duplicate addresses', cursor.fetchone()[0])
    report.add('load average (1, 5, 15 min)', ' '.join(f'{n:.1f}' for n in os.getloadavg()))
finally:
    DATABASE.update(real)
    connections.close_all()
    cleanup(vrf, user)
report.emit()
