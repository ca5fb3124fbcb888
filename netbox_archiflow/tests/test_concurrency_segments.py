"""Real parallel allocations: committed data, one database connection per thread, started together.

Django's TestCase wraps each test in a transaction other connections cannot see, so these tests (a
``CommittedTestCase``) commit uniquely named objects and delete them again in ``finally``. They run under
pytest and under ``netbox test``.
"""

import threading
import time
from contextlib import contextmanager

from dcim.models import SiteGroup
from django.db import connection, connections, transaction
from django.test import tag
from ipam.models import VRF, Prefix
from netbox.constants import ADVISORY_LOCK_KEYS

from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.services.locks import lock_pool

from .base import CommittedTestCase
from .segment_fixtures import committed_pools

THREADS = 10


def run_together(calls):
    """Run each callable in its own thread (own DB connection), all released by one barrier."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = ('ok', call())
        except ServiceError as exc:
            results[index] = ('error', exc)
        except Exception as exc:  # anything else would be a 500 in the API
            results[index] = ('crash', exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@contextmanager
def held_in_other_connection(sql, params):
    """Take a lock in a separate connection (a thread) and keep it until the block ends."""
    taken = threading.Event()
    release = threading.Event()

    def holder():
        conn = connections.create_connection('default')
        try:
            with conn.cursor() as cursor:
                cursor.execute('BEGIN')
                cursor.execute(sql, params)
                taken.set()
                release.wait(30)
                cursor.execute('ROLLBACK')
        finally:
            conn.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(10)


def allocate_in_thread(site_group, vrf, cluster):
    done = threading.Event()
    outcome = {}

    def run():
        try:
            outcome['segments'], _ = service.allocate_segments(site_group.pk, vrf.pk, cluster)
        except Exception as exc:  # reported below
            outcome['error'] = exc
        finally:
            connection.close()
            done.set()

    threading.Thread(target=run).start()
    return done, outcome


@tag('concurrency')
class ParallelSegmentTest(CommittedTestCase):
    """Segment allocation under real parallel clients."""

    @classmethod
    def tearDownClass(cls):
        """What every test created is gone again."""
        try:
            assert not SiteGroup.objects.filter(slug__startswith='sg-cc-').exists()
            assert not VRF.objects.filter(name__startswith='VRF cc-').exists()
        finally:
            super().tearDownClass()

    def test_parallel_allocations_are_distinct_and_exhaustion_is_clean(self):
        capacity = 6
        with committed_pools(capacity) as [(site_group, vrf)]:
            calls = [
                (lambda n=n: service.allocate_segments(site_group.pk, vrf.pk, f'cluster-{n}')) for n in range(THREADS)
            ]
            results = run_together(calls)
            assert not [r for r in results if r[0] == 'crash'], results
            successes = [r[1][0][0].pk for r in results if r[0] == 'ok']
            errors = [r[1] for r in results if r[0] == 'error']
            assert len(successes) == capacity
            assert len(set(successes)) == capacity
            assert len(errors) == THREADS - capacity
            assert {(e.code, e.status, e.extra['available']) for e in errors} == {('pool_exhausted', 409, 0)}
            allocated = Segment.objects.filter(site_group=site_group, status='allocated')
            assert allocated.count() == capacity
            assert len(set(allocated.values_list('cluster', flat=True))) == capacity
            assert set(Prefix.objects.filter(pk__in=allocated.values('prefix')).values_list('status', flat=True)) == {
                'reserved'
            }

    def test_same_cluster_from_many_clients_gets_one_segment(self):
        with committed_pools(4) as [(site_group, vrf)]:
            calls = [
                (lambda: service.allocate_segments(site_group.slug, vrf.name, 'the-cluster')) for _ in range(THREADS)
            ]
            results = run_together(calls)
            assert all(r[0] == 'ok' for r in results), results
            assert len({r[1][0][0].pk for r in results}) == 1
            assert sum(r[1][1] for r in results) == 1  # exactly one call reported "created"
            assert Segment.objects.filter(site_group=site_group, cluster='the-cluster').count() == 1

    def test_parallel_creates_take_distinct_prefixes_and_vlans(self):
        with committed_pools(0) as [(site_group, vrf)]:
            calls = [
                (lambda: service.create_segment(site_group=site_group.pk, vrf=vrf.pk, prefix_length=26))
                for _ in range(THREADS)
            ]
            results = run_together(calls)
            assert all(r[0] == 'ok' for r in results), results
            segments = Segment.objects.filter(site_group=site_group).select_related('prefix', 'vlan')
            assert segments.count() == THREADS
            assert len({str(s.prefix.prefix) for s in segments}) == THREADS
            assert len({s.vlan.vid for s in segments}) == THREADS

    def test_pools_do_not_wait_on_each_other_but_serialize_with_core(self):
        with committed_pools(2, 2) as [(group_a, vrf_a), (group_b, vrf_b)]:
            # Pool A is locked by another transaction (as during an allocation in pool A)
            from netbox_archiflow.services.locks import POOL_LOCK_NAMESPACE, pool_key

            key = pool_key('segment', group_a.pk, vrf_a.pk)
            with held_in_other_connection('SELECT pg_advisory_xact_lock(%s, %s)', [POOL_LOCK_NAMESPACE, key]):
                done_a, outcome_a = allocate_in_thread(group_a, vrf_a, 'a')
                done_b, outcome_b = allocate_in_thread(group_b, vrf_b, 'b')
                assert done_b.wait(10), 'an allocation in pool B waited for pool A'
                assert 'segments' in outcome_b, outcome_b
                time.sleep(0.5)
                assert not done_a.is_set(), 'pool A allocation did not wait for the pool lock'
            assert done_a.wait(10)
            assert 'segments' in outcome_a, outcome_a

            # NetBox's own available-prefixes endpoint holds its advisory key exclusively: allocations wait for it
            core_key = ADVISORY_LOCK_KEYS['available-prefixes']
            with held_in_other_connection('SELECT pg_advisory_xact_lock(%s)', [core_key]):
                done_c, outcome_c = allocate_in_thread(group_b, vrf_b, 'c')
                time.sleep(0.5)
                assert not done_c.is_set(), 'allocation did not serialize with core available-prefixes'
            assert done_c.wait(10)
            assert 'segments' in outcome_c, outcome_c

    def test_lock_pool_refuses_to_run_outside_a_transaction(self):
        with self.assertRaises(RuntimeError):
            lock_pool('available-prefixes', 'segment', 1, 1)
        with transaction.atomic():
            lock_pool('available-prefixes', 'segment', 1, 1)
        connection.close()
