"""Real parallel allocations on committed data: ≥ 8 threads, each with its own PostgreSQL connection.

Django's TestCase wraps a test in a transaction the other connections cannot see, so these tests
(a ``CommittedTestCase``) create uniquely named objects for real, start every worker together on a barrier
and delete everything they created afterwards. They run under pytest and under ``netbox test``.
"""

import threading
import uuid
from collections import Counter

from core.models import ObjectChange
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, tag
from ipam.models import VRF, IPAddress, Prefix
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from netbox_archiflow.models import Alert, IPAllocation, IPPool, IPPoolOccupiedAddress, IPPoolUsage
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import Conflict
from netbox_archiflow.tests.test_models_pool_usage import oracle

from .base import CommittedTestCase


def run_parallel(count, worker):
    """Start ``count`` workers at once; return their results (or exceptions) in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = worker(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class Fixture:
    """Committed, uniquely named pools in their own VRF; removed by cleanup()."""

    def __init__(self):
        self.tag = uuid.uuid4().hex[:8]
        self.vrf = VRF.objects.create(name=f'concurrency-{self.tag}', enforce_unique=True)
        self.pools = []
        self.users = []

    def pool(self, cidr, **kwargs):
        prefix = Prefix.objects.create(prefix=cidr, vrf=self.vrf)
        pool = IPPool.objects.create(name=f'{cidr} {self.tag}', prefix=prefix, **kwargs)
        self.pools.append(pool)
        return IPPool.objects.select_related('prefix', 'prefix__vrf').get(pk=pool.pk)

    def superuser_header(self):
        user = User.objects.create_superuser(f'concurrency-{self.tag}', f'{self.tag}@example.com', 'x')
        self.users.append(user)
        token = Token.objects.create(user=user, write_enabled=True)
        return {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}'}

    def cleanup(self):
        pool_type = ContentType.objects.get_for_model(IPPool)
        Alert.objects.filter(object_type=pool_type, object_id__in=[p.pk for p in self.pools]).delete()
        IPAllocation.objects.filter(pool__in=self.pools).delete()
        IPAddress.objects.filter(vrf=self.vrf).delete()
        IPPool.objects.filter(pk__in=[p.pk for p in self.pools]).delete()
        Prefix.objects.filter(vrf=self.vrf).delete()
        self.vrf.delete()
        ObjectChange.objects.filter(user__in=self.users).delete()
        for user in self.users:
            user.delete()


@tag('concurrency')
class ParallelAllocationTest(CommittedTestCase):
    def setUp(self):
        self.committed = Fixture()
        self.addCleanup(self.committed.cleanup)

    def test_parallel_allocations_get_distinct_addresses(self):
        pool = self.committed.pool('10.200.0.0/27')  # 30 usable
        results = run_parallel(12, lambda i: pool_service.allocate_ip(pool, f'asset-{i}')[0].address)
        assert all(isinstance(r, str) for r in results), results
        assert len(set(results)) == 12
        assert sorted(results, key=lambda a: int(a.split('.')[-1])) == [f'10.200.0.{n}' for n in range(1, 13)]
        hosts = [str(ip.address.ip) for ip in IPAddress.objects.filter(vrf=self.committed.vrf)]
        assert sorted(hosts) == sorted(results)

    def test_exhaustion_gives_exactly_the_free_count_then_409(self):
        pool = self.committed.pool('10.200.1.0/29')  # 6 usable
        free = pool_service.pool_usage(pool)['available']
        assert free == 6
        results = run_parallel(10, lambda i: pool_service.allocate_ip(pool, f'asset-{i}')[0].address)
        successes = [r for r in results if isinstance(r, str)]
        failures = [r for r in results if not isinstance(r, str)]
        assert len(successes) == free
        assert len(set(successes)) == free
        assert all(isinstance(f, Conflict) and f.code == 'pool_exhausted' and f.status == 409 for f in failures), (
            failures
        )
        assert pool_service.pool_usage(pool)['available'] == 0

    def test_same_asset_in_parallel_gets_one_address(self):
        pool = self.committed.pool('10.200.2.0/28')
        results = run_parallel(8, lambda i: pool_service.allocate_ip(pool, 'the-same-asset'))
        assert all(isinstance(r, tuple) for r in results), results
        assert len({allocation.pk for allocation, _created in results}) == 1
        assert sum(created for _allocation, created in results) == 1
        assert IPAllocation.objects.filter(pool=pool).count() == 1

    def test_interleaved_with_core_available_ips_no_duplicates(self):
        pool = self.committed.pool('10.200.3.0/28')  # 14 usable, core uses the same bounds
        header = self.committed.superuser_header()
        url = f'/api/ipam/prefixes/{pool.prefix_id}/available-ips/'

        def worker(index):
            if index % 2:
                response = Client().post(url, {}, content_type='application/json', **header)
                return ('core', response.status_code)
            try:
                return ('plugin', pool_service.allocate_ip(pool, f'asset-{index}')[0].address)
            except Conflict as exc:
                return ('plugin', exc.code)

        results = run_parallel(20, worker)
        assert all(isinstance(r, tuple) for r in results), results
        hosts = Counter(str(ip.address.ip) for ip in IPAddress.objects.filter(vrf=self.committed.vrf))
        assert max(hosts.values()) == 1, hosts
        assert len(hosts) == 14
        core_created = sum(1 for kind, value in results if kind == 'core' and value == 201)
        plugin_created = sum(1 for kind, value in results if kind == 'plugin' and '.' in str(value))
        assert core_created + plugin_created == 14
        refused = [value for kind, value in results if (kind, value) not in (('core', 201),) and '.' not in str(value)]
        assert set(refused) <= {409, 'pool_exhausted'}, refused

    def test_two_pools_allocate_in_parallel(self):
        pools = [self.committed.pool('10.200.4.0/28'), self.committed.pool('10.200.5.0/28')]
        results = run_parallel(16, lambda i: pool_service.allocate_ip(pools[i % 2], f'a{i}')[0].address)
        assert all(isinstance(r, str) for r in results), results
        assert len(set(results)) == 16
        for pool in pools:
            assert IPAllocation.objects.filter(pool=pool, is_active=True).count() == 8

    def test_usage_counters_stay_exact_under_parallel_native_writes(self):
        """Writers that take no pool lock (NetBox's own UI / API): the counters' row lock serializes them."""
        pool = self.committed.pool('10.200.6.0/27')
        # Pairs of threads write the same host at once: it must count once, and only go free with both.
        results = run_parallel(
            16, lambda i: IPAddress.objects.create(address=f'10.200.6.{2 + i % 8}/27', vrf=self.committed.vrf).pk
        )
        assert all(isinstance(r, int) for r in results), results
        occupied, allocated, _populated = oracle(pool)
        counts = IPPoolUsage.objects.get(pool=pool)
        assert (counts.occupied, counts.allocated) == (len(occupied), allocated) == (8, 0)

        # Both copies of hosts .2-.5 and one copy of .6-.9 deleted in parallel, next to plugin allocations.
        doomed = [pk for i, pk in enumerate(results) if i % 8 < 4 or i < 8]

        def worker(index):
            if index < len(doomed):
                return IPAddress.objects.filter(pk=doomed[index]).delete()[0]
            return pool_service.allocate_ip(pool, f'asset-{index}')[0].address

        results = run_parallel(len(doomed) + 4, worker)
        assert not [r for r in results if isinstance(r, Exception)], results
        occupied, allocated, _populated = oracle(pool)
        counts = IPPoolUsage.objects.get(pool=pool)
        assert set(IPPoolOccupiedAddress.objects.filter(pool=pool).values_list('address', flat=True)) == occupied
        assert (counts.occupied, counts.allocated) == (len(occupied), allocated)
        assert allocated == 4
