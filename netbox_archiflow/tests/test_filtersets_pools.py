from ipam.models import VRF, IPAddress, Prefix
from users.models import User
from utilities.testing import ChangeLoggedFilterSetTestMixin, TestCase

from netbox_archiflow.filtersets import AlertFilterSet, IPAllocationFilterSet, IPPoolFilterSet
from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service

from .base import make_pools


class FilterSetTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        vrf = VRF.objects.create(name='filters')
        cls.pools = [
            IPPool.objects.create(name='fa', prefix=Prefix.objects.create(prefix='10.116.0.0/24', vrf=vrf)),
            IPPool.objects.create(
                name='fb', prefix=Prefix.objects.create(prefix='10.116.1.0/24'), pool_type='dhcp', is_active=False
            ),
        ]
        for n in range(3):
            pool_service.allocate_ip(cls.pools[0], f'f{n}')
        pool_service.release_ip(IPAllocation.objects.get(asset_id='f0'))
        alert_service.raise_alert('pool_threshold', cls.pools[0], severity='warning', message='threshold')
        cls.ip = IPAddress.objects.first()

    def test_pool_filters(self):
        qs = IPPool.objects.all()
        vrf = VRF.objects.get(name='filters')
        self.assertEqual(IPPoolFilterSet({'vrf_id': [vrf.pk]}, qs).qs.get(), self.pools[0])
        self.assertEqual(IPPoolFilterSet({'pool_type': ['dhcp']}, qs).qs.get(), self.pools[1])
        self.assertEqual(IPPoolFilterSet({'is_active': False}, qs).qs.get(), self.pools[1])
        self.assertEqual(IPPoolFilterSet({'contains': '10.116.1.7'}, qs).qs.get(), self.pools[1])
        self.assertEqual(IPPoolFilterSet({'q': '10.116.0.0/24'}, qs).qs.get(), self.pools[0])
        self.assertEqual(IPPoolFilterSet({'network': '10.116.1.0/24'}, qs).qs.get(), self.pools[1])

    def test_allocation_filters(self):
        qs = IPAllocation.objects.all()
        self.assertEqual(IPAllocationFilterSet({'is_active': True}, qs).qs.count(), 2)
        self.assertEqual(IPAllocationFilterSet({'asset_id': ['f1']}, qs).qs.get().asset_id, 'f1')
        self.assertEqual(IPAllocationFilterSet({'address': ['10.116.0.1/24']}, qs).qs.get().asset_id, 'f0')
        self.assertEqual(IPAllocationFilterSet({'pool_id': [self.pools[1].pk]}, qs).qs.count(), 0)
        self.assertEqual(IPAllocationFilterSet({'q': 'f2'}, qs).qs.count(), 1)

    def test_alert_filters(self):
        qs = Alert.objects.all()
        self.assertEqual(AlertFilterSet({'status': 'open'}, qs).qs.count(), 1)
        self.assertEqual(AlertFilterSet({'resolved': True}, qs).qs.count(), 0)
        self.assertEqual(AlertFilterSet({'acknowledged': False}, qs).qs.count(), 1)
        self.assertEqual(AlertFilterSet({'severity': ['critical']}, qs).qs.count(), 0)
        self.assertEqual(
            AlertFilterSet({'object_type': 'netbox_archiflow.ippool', 'object_id': [self.pools[0].pk]}, qs).qs.count(),
            1,
        )


class IPPoolFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = IPPool.objects.all()
    filterset = IPPoolFilterSet
    ignore_fields = ('usage_counts',)  # the trigger-maintained counters

    @classmethod
    def setUpTestData(cls):
        _vrf, _prefixes = make_pools('pool-filters', 118, 3)
        IPPool.objects.filter(name='Pool 2').update(dns_servers=['10.0.0.53'], description='edge')

    def test_gateway_dns_and_description(self):
        self.assertEqual(self.filterset({'gateway': ['10.118.1.1']}, self.queryset).qs.get().name, 'Pool 1')
        self.assertEqual(self.filterset({'dns_servers': ['10.0.0.53']}, self.queryset).qs.get().name, 'Pool 2')
        self.assertEqual(self.filterset({'q': 'edge'}, self.queryset).qs.get().name, 'Pool 2')


class IPAllocationFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = IPAllocation.objects.all()
    filterset = IPAllocationFilterSet

    @classmethod
    def setUpTestData(cls):
        cls.actor = User.objects.create_user('allocation-filters', is_superuser=True)
        pool = IPPool.objects.create(name='allocation-filters', prefix=Prefix.objects.create(prefix='10.119.0.0/24'))
        for n in range(3):
            pool_service.allocate_ip(pool, f'a{n}', user=cls.actor if n else None, device_name=f'dev-{n}')
        pool_service.release_ip(IPAllocation.objects.get(asset_id='a2'), user=cls.actor)

    def test_users_and_device_name(self):
        self.assertEqual(self.filterset({'allocated_by_id': [self.actor.pk]}, self.queryset).qs.count(), 2)
        self.assertEqual(self.filterset({'released_by_id': [self.actor.pk]}, self.queryset).qs.get().asset_id, 'a2')
        self.assertEqual(self.filterset({'device_name': ['DEV-1']}, self.queryset).qs.get().asset_id, 'a1')


class AlertFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = Alert.objects.all()
    filterset = AlertFilterSet
    ignore_fields = ('details',)

    @classmethod
    def setUpTestData(cls):
        cls.actor = User.objects.create_user('alert-filters', is_superuser=True)
        for n, severity in enumerate(('info', 'warning', 'critical')):
            pool = IPPool.objects.create(
                name=f'alert-filters {n}', prefix=Prefix.objects.create(prefix=f'10.120.{n}.0/24')
            )
            alert_service.raise_alert('pool_threshold', pool, severity=severity, message=f'pool {n}')
        alert_service.acknowledge(Alert.objects.get(severity='warning'), user=cls.actor)
        alert_service.resolve(Alert.objects.get(severity='critical'), user=cls.actor)

    def severity(self, **params):
        return self.filterset(params, self.queryset).qs.get().severity

    def test_states_and_users(self):
        self.assertEqual(self.severity(status='resolved'), 'critical')
        self.assertEqual(self.severity(acknowledged=True), 'warning')
        self.assertEqual(self.severity(acknowledged_by_id=[self.actor.pk]), 'warning')
        self.assertEqual(self.severity(resolved_by_id=[self.actor.pk]), 'critical')
        self.assertEqual(self.filterset({'severity': ['info', 'warning']}, self.queryset).qs.count(), 2)
