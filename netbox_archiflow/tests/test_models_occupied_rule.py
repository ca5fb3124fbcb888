"""The "occupied address" rule is written twice: in SQL (the usage triggers, ``usage_triggers``) and in the
allocation service (which adds the gateway and populated ranges to the stored set, and finds the first gap).

Generated pools -- statuses, VRFs, gateways, active and released allocations, populated or not, in and outside
the pool's bounds, pool created before or after the rows -- pin both to a direct computation, host by host.
"""

import random

import netaddr
from django.db import transaction
from ipam.models import VRF, IPAddress, IPRange, Prefix
from utilities.testing import TestCase

from netbox_archiflow.models import IPAllocation, IPPool, IPPoolOccupiedAddress
from netbox_archiflow.services import pools as service
from netbox_archiflow.services.usage import pool_usage
from netbox_archiflow.tests.test_models_pool_usage import oracle

SCENARIOS = 40
# The /29 under test and its neighbours: the network and broadcast addresses, and two hosts outside it.
HOSTS = [f'10.66.0.{n}' for n in range(10)]
STATUSES = ('active', 'reserved', 'deprecated', 'dhcp')


def populated_hosts(pool):
    ranges = IPRange.objects.filter(vrf_id=pool.prefix.vrf_id, mark_populated=True)
    return {str(address) for r in ranges for address in netaddr.iter_iprange(r.start_address.ip, r.end_address.ip)}


class OccupiedRuleTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.vrfs = [VRF.objects.create(name='rule-a'), VRF.objects.create(name='rule-b'), None]

    def build(self, rng):
        """A random pool and the rows around it; the pool is created first or last (incremental or rebuild)."""
        vrf = rng.choice(self.vrfs)
        prefix = Prefix.objects.create(prefix='10.66.0.0/29', vrf=vrf, is_pool=rng.random() < 0.3)
        pool = IPPool(name='rule', prefix=prefix, gateway=rng.choice([None, '10.66.0.1', '10.66.0.6', '10.66.0.0']))
        pool_first = rng.random() < 0.5
        if pool_first:
            pool.save()
        natives = [
            IPAddress.objects.create(
                address=f'{rng.choice(HOSTS)}/29',
                vrf=vrf if rng.random() < 0.7 else rng.choice(self.vrfs),
                status=rng.choice(STATUSES),
            )
            for _ in range(rng.randint(0, 6))
        ]
        if rng.random() < 0.4:
            start, end = sorted(rng.sample(range(10), 2))
            IPRange.objects.create(
                start_address=netaddr.IPNetwork(f'10.66.0.{start}/29'),
                end_address=netaddr.IPNetwork(f'10.66.0.{end}/29'),
                vrf=vrf if rng.random() < 0.8 else rng.choice(self.vrfs),
                mark_populated=rng.random() < 0.7,
            )
        if not pool_first:
            pool.save()
        active = set()
        for n in range(rng.randint(0, 4)):
            address = rng.choice(HOSTS[1:7])
            is_active = address not in active and rng.random() < 0.6
            if is_active:
                active.add(address)
            # A released allocation may have kept its native address as deprecated: it no longer occupies.
            kept = rng.choice(natives) if natives and not is_active and rng.random() < 0.5 else None
            IPAllocation.objects.create(
                pool=pool, address=address, asset_id=f'asset-{n}', is_active=is_active, ip_address=kept
            )
        return IPPool.objects.select_related('prefix').get(pk=pool.pk)

    def test_sql_counters_service_and_direct_computation_agree(self):
        for seed in range(SCENARIOS):
            with self.subTest(seed=seed), transaction.atomic():
                pool = self.build(random.Random(seed))
                occupied, _allocated, _populated = oracle(pool)
                taken = occupied | populated_hosts(pool)
                first, last = pool.prefix.usable_ip_bounds
                hosts = [netaddr.IPAddress(value) for value in range(int(first), int(last) + 1)]
                free = [host for host in hosts if str(host) not in taken]

                stored = set(IPPoolOccupiedAddress.objects.filter(pool=pool).values_list('address', flat=True))
                self.assertEqual(stored, occupied)
                for host in hosts:
                    self.assertEqual(
                        service._address_is_occupied(pool, host) is not None, str(host) in taken, f'host {host}'
                    )
                self.assertEqual(service.first_free_address(pool), free[0] if free else None)
                self.assertEqual(pool_usage(pool)['available'], len(free))
                transaction.set_rollback(True)
