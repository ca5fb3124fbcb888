from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.urls import reverse
from ipam.models import VLAN, VRF, IPAddress, Prefix
from utilities.testing import TestCase, ViewTestCases

from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service

from .base import PluginViewTestMixin, make_pools


class IPPoolViewTest(PluginViewTestMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = IPPool

    @classmethod
    def setUpTestData(cls):
        _vrf, prefixes = make_pools('views', 110, 5)
        cls.form_data = {
            'name': 'New pool',
            'prefix': prefixes[3].pk,
            'gateway': '10.110.3.1',
            'dns_servers': '10.0.0.53,10.0.0.54',
            'pool_type': 'static',
            'is_active': True,
            'alert_threshold': 85,
        }
        cls.csv_data = (
            'name,prefix,vrf,gateway,pool_type,alert_threshold',
            'Imported 1,10.111.0.0/24,views,10.111.0.1,static,90',
            'Imported 2,10.111.1.0/24,views,,dhcp,80',
            'Imported 3,10.110.4.0/24,views,,reserved,70',
        )
        cls.csv_update_data = (
            'id,name,description',
            *(f'{pool.pk},Renamed {pool.pk},updated' for pool in IPPool.objects.all()),
        )
        cls.bulk_edit_data = {'description': 'bulk', 'alert_threshold': 60}

    def test_detail_page_shows_usage_and_allocations(self):
        self.user.is_superuser = True
        self.user.save()
        pool = IPPool.objects.first()
        pool_service.allocate_ip(pool, 'asset-x')
        response = self.client.get(pool.get_absolute_url())
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Usage')
        self.assertContains(response, reverse('plugins:netbox_archiflow:ippool_allocate', kwargs={'pk': pool.pk}))
        response = self.client.get(reverse('plugins:netbox_archiflow:ipallocation_list') + f'?pool_id={pool.pk}')
        self.assertContains(response, 'asset-x')

    def test_list_sorts_by_usage(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        pools = list(IPPool.objects.order_by('name'))  # Pool 0, 1, 2: 254 usable, the gateway taken
        for n in range(4):
            pool_service.allocate_ip(pools[1], f'one-{n}')
        pool_service.allocate_ip(pools[2], 'two')
        url = reverse('plugins:netbox_archiflow:ippool_list')
        for sort, expected in (
            ('-utilization', ['Pool 1', 'Pool 2', 'Pool 0']),
            ('utilization', ['Pool 0', 'Pool 2', 'Pool 1']),
            ('available', ['Pool 1', 'Pool 2', 'Pool 0']),
            ('-allocated', ['Pool 1', 'Pool 2', 'Pool 0']),
        ):
            with self.subTest(sort=sort):
                response = self.client.get(f'{url}?sort={sort}')
                self.assertHttpStatus(response, 200)
                names = [row.record.name for row in response.context['table'].rows]
                self.assertEqual(names, expected)

    def test_allocate_form_calls_the_service(self):
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation')
        pool = IPPool.objects.first()
        url = reverse('plugins:netbox_archiflow:ippool_allocate', kwargs={'pk': pool.pk})
        self.assertHttpStatus(self.client.get(url), 200)
        response = self.client.post(url, {'asset_id': 'ui-1'})
        self.assertHttpStatus(response, 302)
        allocation = IPAllocation.objects.get(asset_id='ui-1')
        self.assertEqual(allocation.address, '10.110.0.2')
        self.assertEqual(allocation.allocated_by, self.user)
        response = self.client.post(url, {'asset_id': 'ui-2', 'address': '10.110.0.2'})
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'address_in_use')
        self.assertFalse(IPAllocation.objects.filter(asset_id='ui-2').exists())

    def test_list_query_count_is_bounded(self):
        self.user.is_superuser = True
        self.user.save()
        url = reverse('plugins:netbox_archiflow:ippool_list')
        self.client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        vrf = VRF.objects.get(name='views')
        for n in range(20):
            IPPool.objects.create(name=f'More {n}', prefix=Prefix.objects.create(prefix=f'10.112.{n}.0/24', vrf=vrf))
        with CaptureQueriesContext(connection) as many:
            self.client.get(url)
        self.assertEqual(len(many), len(few))


class IPAllocationViewTest(
    PluginViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.EditObjectViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.BulkEditObjectsViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = IPAllocation
    form_data = {'device_name': 'renamed', 'device_type': 'server', 'mac_address': '', 'notes': 'n'}
    bulk_edit_data = {'notes': 'bulk'}

    @classmethod
    def setUpTestData(cls):
        pool = IPPool.objects.create(name='views-alloc', prefix=Prefix.objects.create(prefix='10.113.0.0/24'))
        for n in range(3):
            pool_service.allocate_ip(pool, f'asset-{n}')

    def test_release_view(self):
        allocation = IPAllocation.objects.first()
        url = reverse('plugins:netbox_archiflow:ipallocation_release', kwargs={'pk': allocation.pk})
        self.assertHttpStatus(self.client.post(url), 403)
        self.add_permissions('netbox_archiflow.change_ipallocation')
        self.assertHttpStatus(self.client.get(url), 200)
        self.assertHttpStatus(self.client.post(url, {'return_url': '/'}), 302)
        allocation.refresh_from_db()
        self.assertFalse(allocation.is_active)
        self.assertEqual(allocation.released_by, self.user)
        self.assertIsNone(allocation.ip_address)


class AlertViewTest(
    PluginViewTestMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.GetObjectChangelogViewTestCase,
    ViewTestCases.DeleteObjectViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
    ViewTestCases.BulkDeleteObjectsViewTestCase,
):
    model = Alert

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            pool = IPPool.objects.create(
                name=f'views-alert {n}', prefix=Prefix.objects.create(prefix=f'10.114.{n}.0/24')
            )
            alert_service.raise_alert('pool_threshold', pool, severity=('critical', 'warning', 'info')[n], message='m')


class CorePagePanelsTest(TestCase):
    def test_prefix_vlan_and_device_pages_show_plugin_panels(self):
        self.user.is_superuser = True
        self.user.save()
        vlan = VLAN.objects.create(vid=10, name='v10')
        prefix = Prefix.objects.create(prefix='10.115.0.0/24', vlan=vlan)
        pool = IPPool.objects.create(name='panel-pool', prefix=prefix, vlan=vlan)
        site = Site.objects.create(name='s', slug='s')
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name='m', slug='m'), model='t', slug='t'
        )
        device = Device.objects.create(
            name='d', site=site, device_type=device_type, role=DeviceRole.objects.create(name='r', slug='r')
        )
        pool_service.allocate_ip(pool, 'panel-asset', device=device)
        self.assertContains(self.client.get(prefix.get_absolute_url()), 'panel-pool')
        self.assertContains(self.client.get(vlan.get_absolute_url()), 'panel-pool')
        self.assertContains(self.client.get(device.get_absolute_url()), 'panel-asset')
        self.assertContains(self.client.get(reverse('home')), 'ArchiFlow')

    def test_ip_address_page_shows_its_allocation(self):
        self.add_permissions('ipam.view_ipaddress', 'netbox_archiflow.view_ipallocation')
        pool = IPPool.objects.create(name='ip-panel', prefix=Prefix.objects.create(prefix='10.116.0.0/29'))
        allocation, _ = pool_service.allocate_ip(pool, 'panel-asset-2')
        page = self.client.get(allocation.ip_address.get_absolute_url())
        self.assertContains(page, 'ArchiFlow allocation')
        self.assertContains(page, allocation.get_absolute_url())
        self.assertContains(page, pool.get_absolute_url())
        self.assertContains(page, 'panel-asset-2')
        self.assertNotContains(
            self.client.get(IPAddress.objects.create(address='10.117.0.1/24').get_absolute_url()),
            'ArchiFlow allocation',
        )
        self.remove_permissions('netbox_archiflow.view_ipallocation')
        self.assertNotContains(self.client.get(allocation.ip_address.get_absolute_url()), 'ArchiFlow allocation')
