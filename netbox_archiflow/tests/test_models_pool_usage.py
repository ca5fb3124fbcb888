"""The trigger-maintained pool counters (migration 0002) against a brute-force oracle.

Every test changes what a pool has free through a different path -- ORM saves, queryset updates and
deletes, bulk_create, raw SQL, pool / prefix / IP range edits, allocate and release -- and then checks
the stored occupied set and counters against an enumeration of the (small) pool in Python.
"""

from io import StringIO

import netaddr
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from ipam.models import VRF, IPAddress, IPRange, Prefix
from utilities.testing import TestCase

from netbox_archiflow.models import IPAllocation, IPPool, IPPoolOccupiedAddress, IPPoolUsage
from netbox_archiflow.services import pools as service


def oracle(pool):
    """(occupied hosts, allocated, populated) of the pool, by enumerating every usable address."""
    pool = IPPool.objects.select_related('prefix').get(pk=pool.pk)
    first, last = pool.prefix.usable_ip_bounds
    vrf_id = pool.prefix.vrf_id
    populated = [
        (r.start_address.ip, r.end_address.ip)
        for r in IPRange.objects.filter(vrf_id=vrf_id, mark_populated=True)
        if r.start_address.version == first.version
    ]
    active = set(IPAllocation.objects.filter(pool=pool, is_active=True).values_list('address', flat=True))
    kept = set(
        IPAllocation.objects.filter(pool=pool, is_active=False, ip_address__isnull=False).values_list(
            'ip_address_id', flat=True
        )
    )
    native = {}
    for ip in IPAddress.objects.filter(vrf_id=vrf_id):
        if not (ip.status == 'deprecated' and ip.pk in kept):
            native[ip.address.ip] = True
    occupied = set()
    in_populated = 0
    for value in range(int(first), int(last) + 1):
        address = netaddr.IPAddress(value, version=first.version)
        if any(lo <= address <= hi for lo, hi in populated):
            in_populated += 1
            continue
        if (pool.gateway and netaddr.IPAddress(pool.gateway) == address) or str(address) in active or address in native:
            occupied.add(str(address))
    allocated = IPAllocation.objects.filter(pool=pool, is_active=True).count()
    return occupied, allocated, in_populated


class CounterTestCase(TestCase):
    def assertCountersMatch(self, *pools):
        for pool in pools:
            occupied, allocated, populated = oracle(pool)
            counts = IPPoolUsage.objects.get(pool=pool)
            stored = set(IPPoolOccupiedAddress.objects.filter(pool=pool).values_list('address', flat=True))
            self.assertEqual(stored, occupied, f'occupied set of {pool}')
            self.assertEqual(counts.occupied, len(occupied), f'occupied count of {pool}')
            self.assertEqual(counts.allocated, allocated, f'allocated count of {pool}')
            self.assertEqual(int(counts.populated), populated, f'populated count of {pool}')
            first, last = IPPool.objects.get(pk=pool.pk).prefix.usable_ip_bounds
            self.assertEqual(int(counts.total), int(last) - int(first) + 1)

    def setUp(self):
        self.vrf = VRF.objects.create(name='counters')
        self.prefix = Prefix.objects.create(prefix='10.50.0.0/27', vrf=self.vrf)
        self.pool = IPPool.objects.create(name='counters', prefix=self.prefix, gateway='10.50.0.1')


class NativeAddressTest(CounterTestCase):
    def test_orm_create_edit_delete(self):
        ip = IPAddress.objects.create(address='10.50.0.5/27', vrf=self.vrf)
        IPAddress.objects.create(address='10.50.0.6/27')  # global table: not in the pool's VRF
        IPAddress.objects.create(address='10.50.1.6/27', vrf=self.vrf)  # outside the prefix
        self.assertCountersMatch(self.pool)
        ip.address = netaddr.IPNetwork('10.50.0.9/27')
        ip.save()
        self.assertCountersMatch(self.pool)
        ip.vrf = None
        ip.save()
        self.assertCountersMatch(self.pool)
        ip.vrf = self.vrf
        ip.save()
        ip.delete()
        self.assertCountersMatch(self.pool)
        self.assertEqual(IPPoolUsage.objects.get(pool=self.pool).occupied, 1)  # the gateway

    def test_duplicate_hosts_count_once_until_the_last_goes(self):
        a = IPAddress.objects.create(address='10.50.0.7/27', vrf=self.vrf)
        b = IPAddress.objects.create(address='10.50.0.7/24', vrf=self.vrf)
        self.assertCountersMatch(self.pool)
        a.delete()
        self.assertCountersMatch(self.pool)
        b.delete()
        self.assertCountersMatch(self.pool)

    def test_bulk_paths_without_signals(self):
        IPAddress.objects.bulk_create(
            [IPAddress(address=f'10.50.0.{n}/27', vrf=self.vrf) for n in range(2, 20)]
            + [IPAddress(address='10.50.0.3/27', vrf=self.vrf)]
        )
        self.assertCountersMatch(self.pool)
        IPAddress.objects.filter(address__net_host_contained='10.50.0.8/29').update(vrf=None)
        self.assertCountersMatch(self.pool)
        IPAddress.objects.filter(vrf=self.vrf, address__net_host_contained='10.50.0.0/29').delete()
        self.assertCountersMatch(self.pool)
        with connection.cursor() as cursor:
            cursor.execute('UPDATE ipam_ipaddress SET vrf_id = %s WHERE vrf_id IS NULL', [self.vrf.pk])
        self.assertCountersMatch(self.pool)
        with connection.cursor() as cursor:
            cursor.execute('DELETE FROM ipam_ipaddress WHERE vrf_id = %s', [self.vrf.pk])
        self.assertCountersMatch(self.pool)


class AllocationTest(CounterTestCase):
    def test_allocate_and_release(self):
        allocations = [service.allocate_ip(self.pool, f'asset-{n}')[0] for n in range(4)]
        self.assertCountersMatch(self.pool)
        service.release_ip(allocations[1])
        self.assertCountersMatch(self.pool)
        service.allocate_ip(self.pool, 'again')
        self.assertCountersMatch(self.pool)
        allocations[2].delete()
        self.assertCountersMatch(self.pool)

    @override_settings(PLUGINS_CONFIG={'netbox_archiflow': {'release_keeps_ip_address': True}})
    def test_release_keeping_the_address_as_deprecated(self):
        allocation, _ = service.allocate_ip(self.pool, 'keeper')
        service.release_ip(allocation)
        self.assertCountersMatch(self.pool)
        self.assertNotIn(allocation.address, IPPoolOccupiedAddress.objects.values_list('address', flat=True))
        again, _ = service.allocate_ip(self.pool, 'next')
        self.assertEqual(again.address, allocation.address)
        self.assertCountersMatch(self.pool)

    def test_queryset_update_of_allocations(self):
        for n in range(3):
            service.allocate_ip(self.pool, f'asset-{n}')
        IPAllocation.objects.filter(pool=self.pool).update(is_active=False)
        self.assertCountersMatch(self.pool)


class PoolShapeTest(CounterTestCase):
    def test_gateway_and_prefix_changes_rebuild(self):
        IPAddress.objects.create(address='10.50.0.20/27', vrf=self.vrf)
        IPAddress.objects.create(address='10.50.0.40/26', vrf=self.vrf)
        self.pool.gateway = '10.50.0.30'
        self.pool.save()
        self.assertCountersMatch(self.pool)
        self.prefix.prefix = netaddr.IPNetwork('10.50.0.0/26')
        self.prefix.save()
        self.assertCountersMatch(self.pool)
        self.prefix.is_pool = True
        self.prefix.save()
        self.assertCountersMatch(self.pool)
        other = Prefix.objects.create(prefix='10.50.2.0/28', vrf=self.vrf)
        self.pool.prefix = other
        self.pool.gateway = None
        self.pool.save()
        self.assertCountersMatch(self.pool)
        self.prefix.vrf = None
        self.prefix.save()
        self.assertCountersMatch(self.pool)

    def test_populated_ranges(self):
        IPAddress.objects.create(address='10.50.0.4/27', vrf=self.vrf)
        iprange = IPRange.objects.create(
            start_address=netaddr.IPNetwork('10.50.0.3/27'),
            end_address=netaddr.IPNetwork('10.50.0.8/27'),
            vrf=self.vrf,
            mark_populated=True,
        )
        self.assertCountersMatch(self.pool)
        iprange.end_address = netaddr.IPNetwork('10.50.0.12/27')
        iprange.save()
        self.assertCountersMatch(self.pool)
        iprange.mark_populated = False
        iprange.save()
        self.assertCountersMatch(self.pool)
        iprange.mark_populated = True
        iprange.save()
        iprange.delete()
        self.assertCountersMatch(self.pool)

    def test_overlapping_inactive_pool_counts_independently(self):
        other = IPPool.objects.create(name='old', prefix=Prefix.objects.create(prefix='10.50.0.0/28', vrf=self.vrf))
        other.is_active = False
        other.save()
        IPAddress.objects.create(address='10.50.0.9/27', vrf=self.vrf)
        service.allocate_ip(self.pool, 'a')
        self.assertCountersMatch(self.pool, other)

    def test_deleting_a_pool_deletes_its_counters(self):
        service.allocate_ip(self.pool, 'a')
        pk = self.pool.pk
        self.pool.delete()
        self.assertFalse(IPPoolUsage.objects.filter(pool_id=pk).exists())
        self.assertFalse(IPPoolOccupiedAddress.objects.filter(pool_id=pk).exists())


class InetNumericTest(TestCase):
    def test_matches_netaddr(self):
        for text in (
            '0.0.0.0',
            '10.1.2.3',
            '255.255.255.255',
            '::',
            '::1',
            '2001:db8::',
            '2001:db8:0:1::ff',
            'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
            '::ffff:10.1.2.3',
            'fe80::1:0:0:1',
        ):
            with connection.cursor() as cursor:
                cursor.execute('SELECT archiflow_inet_numeric(%s::inet)', [text])
                self.assertEqual(int(cursor.fetchone()[0]), int(netaddr.IPAddress(text)), text)

    def test_ipv6_slash_48_total(self):
        pool = IPPool.objects.create(name='v6', prefix=Prefix.objects.create(prefix='2001:db8:5::/48'))
        self.assertEqual(int(IPPoolUsage.objects.get(pool=pool).total), 2**80 - 1)


class RecountCommandTest(CounterTestCase):
    def test_check_reports_drift_and_recount_repairs_it(self):
        service.allocate_ip(self.pool, 'a')
        call_command('archiflow_recount_pools', '--check', stdout=StringIO())
        with connection.cursor() as cursor:
            cursor.execute(
                'UPDATE netbox_archiflow_ippoolusage SET occupied = 99, allocated = 7 WHERE pool_id = %s',
                [self.pool.pk],
            )
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command('archiflow_recount_pools', '--check', stdout=out)
        self.assertIn(f'(#{self.pool.pk}): occupied 99 -> 2, allocated 7 -> 1', out.getvalue())
        self.assertIn('1 of 1 pools drifted.', out.getvalue())
        self.assertEqual(IPPoolUsage.objects.get(pool=self.pool).occupied, 99)
        call_command('archiflow_recount_pools', stdout=StringIO())
        self.assertCountersMatch(self.pool)
        call_command('archiflow_recount_pools', '--check', stdout=StringIO())
