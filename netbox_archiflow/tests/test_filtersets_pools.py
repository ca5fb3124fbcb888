from ipam.models import VRF, IPAddress, Prefix
from utilities.testing import TestCase

from netbox_archiflow.filtersets import AlertFilterSet, IPAllocationFilterSet, IPPoolFilterSet
from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service


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
