"""Body of develop/bench_latency, run inside `netbox shell`: allocation throughput with PostgreSQL behind added
round-trip time, one pool vs two pools (issue 18's check of the scaling model in docs/performance.md).

The kernel of the development VM has no ``netem`` queueing discipline (``CONFIG_NET_SCH_NETEM`` is not set and
it loads no modules), so the latency comes from a TCP proxy in this script: every chunk of bytes is delivered
half the round-trip time after it arrived, in each direction, in order. The run without added latency goes
through the same proxy, so the proxy's own cost is in every row.

For each round-trip time, CLIENTS forked processes (each its own PostgreSQL connection through the proxy)
allocate N addresses with the service, first from one pool, then round-robin from two. Each allocation's lock
window (from the first lock statement to the end of the commit) is recorded, so the measured throughput of one
pool can be set beside the model's ceiling, 1 / window.
"""

import asyncio
import multiprocessing
import os
import statistics
import time
import uuid

from benchreport import Report, run_together
from django.db import connection, connections
from ipam.models import VRF, IPAddress, Prefix

from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import pools as svc

N = int(os.environ.get('BENCH_N', '120'))
CLIENTS = int(os.environ.get('BENCH_CLIENTS', '8'))
RTTS_MS = [float(v) for v in os.environ.get('BENCH_RTTS_MS', '0,0.5,2').split(',')]
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20
DATABASE = connections['default'].settings_dict


def proxy(port_queue, delay):
    """Forward 127.0.0.1:<free port> to PostgreSQL, each direction delayed by ``delay`` seconds, in order."""

    async def pipe(reader, writer):
        queue = asyncio.Queue()

        async def deliver():
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(data)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(deliver())
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, data))
        queue.put_nowait(None)
        await sender

    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(DATABASE['HOST'], int(DATABASE['PORT']))
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    async def main():
        server = await asyncio.start_server(handle, '127.0.0.1', 0)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def allocate(pool_ids, start, count, barrier, windows):
    """Worker: ``count`` allocations round-robin over the pools; lock windows (ms) into ``windows``."""
    connections.close_all()
    pools = [IPPool.objects.select_related('prefix', 'prefix__vrf').get(pk=pk) for pk in pool_ids]
    marks = {}
    commit = connection._commit

    def wrapper(execute, sql, params, many, context):
        if 'pg_advisory_xact_lock' in sql and 'lock' not in marks:
            marks['lock'] = time.perf_counter()
        return execute(sql, params, many, context)

    def timed_commit():
        try:
            return commit()
        finally:
            if 'lock' in marks:
                windows.append((time.perf_counter() - marks.pop('lock')) * 1000)

    connection.ensure_connection()
    connection._commit = timed_commit
    barrier.wait()
    with connection.execute_wrapper(wrapper):
        for n in range(start, start + count):
            svc.allocate_ip(pools[n % len(pools)], f'lat-{n}')
    connections.close_all()


def run(pools, context):
    manager = context.Manager()
    windows = manager.list()
    barrier = context.Barrier(CLIENTS + 1)
    per = N // CLIENTS
    pool_ids = [p.pk for p in pools]
    connections.close_all()
    workers = [
        context.Process(target=allocate, args=(pool_ids, i * per, per, barrier, windows)) for i in range(CLIENTS)
    ]
    elapsed = run_together(workers, barrier)
    done = IPAllocation.objects.filter(pool_id__in=pool_ids, is_active=True).count()
    return done / elapsed, statistics.median(windows)


report = Report(f'bench_latency: {CLIENTS} processes allocating through a delaying proxy, one pool vs two')
context = multiprocessing.get_context('fork')
vrf = VRF.objects.create(name=f'bench-latency-{TAG}', enforce_unique=True)
counter = iter(range(0, 256, 4))
real_port = DATABASE['PORT']
try:
    for rtt in RTTS_MS:
        ports = context.Queue()
        server = context.Process(target=proxy, args=(ports, rtt / 2000), daemon=True)
        server.start()
        DATABASE['PORT'] = ports.get(timeout=30)
        try:
            made = []
            for _ in range(3):
                prefix = Prefix.objects.create(prefix=f'10.{OCTET}.{next(counter)}.0/22', vrf=vrf, status='active')
                made.append(IPPool.objects.create(name=f'bench latency {TAG} {prefix.prefix}', prefix=prefix))
            report.section(f'added round trip {rtt:g} ms')
            one, window = run(made[:1], context)
            two, _window = run(made[1:], context)
            report.add('one pool (alloc/s)', one)
            report.add('two pools (alloc/s)', two)
            report.add('two pools / one pool', two / one, 'x')
            report.add('lock window p50, one pool (ms)', window)
            report.add("model's one-pool ceiling 1 / window (alloc/s)", 1000 / window)
        finally:
            connections.close_all()
            DATABASE['PORT'] = real_port
            server.terminate()
            server.join()
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT count(*) - count(DISTINCT host(address)) FROM ipam_ipaddress WHERE vrf_id = %s', [vrf.pk]
        )
        report.section('')
        report.add('duplicate addresses', cursor.fetchone()[0])
    report.add('load average (1, 5, 15 min)', ' '.join(f'{n:.1f}' for n in os.getloadavg()))
finally:
    pools = IPPool.objects.filter(prefix__vrf=vrf)
    Alert.objects.filter(object_type__model='ippool', object_id__in=pools.values('pk')).delete()
    IPAllocation.objects.filter(pool__prefix__vrf=vrf).delete()
    IPAddress.objects.filter(vrf=vrf).delete()
    pools.delete()
    Prefix.objects.filter(vrf=vrf).delete()
    vrf.delete()
report.emit()
