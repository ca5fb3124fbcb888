from core.models import ObjectChange, ObjectType
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from extras.models import CustomField, Tag
from ipam.models import VRF, IPAddress, Prefix
from rest_framework import status
from users.models import ObjectPermission
from utilities.testing import APITestCase, APIViewTestCases

from netbox_archiflow.graphql.types import AlertType, IPAllocationType, IPPoolType
from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service

from .base import API_NAMESPACE, PluginAPITestMixin, make_pools

API = f'{API_NAMESPACE}-api'
USAGE_FIELDS = 'total allocated reserved available utilization'


class IPPoolAPITest(PluginAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = IPPool
    graphql_base_name = 'netbox_archiflow_ippool'
    type_class = IPPoolType
    user_permissions = ('ipam.view_prefix',)
    brief_fields = ['description', 'display', 'id', 'name', 'url']
    bulk_update_data = {'description': 'bulk', 'alert_threshold': 75}
    validation_excluded_fields = ['network', 'vrf']

    @classmethod
    def setUpTestData(cls):
        vrf, prefixes = make_pools('api-vrf', 50, 6)
        cls.create_data = [
            {'name': 'New 3', 'prefix': prefixes[3].pk, 'gateway': '10.50.3.1', 'dns_servers': ['10.0.0.53']},
            {'name': 'New 4', 'prefix': prefixes[4].pk, 'pool_type': 'dhcp'},
            {'name': 'New 5', 'network': '10.50.5.0/24', 'vrf': vrf.pk, 'alert_threshold': 80},
        ]

    def test_list_includes_usage(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        response = self.client.get(self._get_list_url(), **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        usage = response.data['results'][0]['usage']
        self.assertEqual(usage, {'total': 254, 'allocated': 0, 'reserved': 1, 'available': 253, 'utilization': 0.39})

    def test_list_orders_by_usage(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        pools = list(IPPool.objects.order_by('name'))
        for n in range(3):
            pool_service.allocate_ip(pools[2], f'a{n}')
        pool_service.allocate_ip(pools[1], 'b')
        for ordering, expected in (
            ('-usage_utilization', ['Pool 2', 'Pool 1', 'Pool 0']),
            ('usage_available,name', ['Pool 2', 'Pool 1', 'Pool 0']),
            ('usage_allocated', ['Pool 0', 'Pool 1', 'Pool 2']),
        ):
            response = self.client.get(f'{self._get_list_url()}?ordering={ordering}', **self.header)
            self.assertHttpStatus(response, status.HTTP_200_OK)
            self.assertEqual([pool['name'] for pool in response.data['results']], expected, ordering)

    def _build_query_with_filter(self, name, filter_string):
        # NetBox's generic query selects scalar fields by name; usage is an object.
        query = super()._build_query_with_filter(name, filter_string)
        return query.replace('\nusage\n', f'\nusage {{ {USAGE_FIELDS} }}\n')

    def graphql(self, query):
        response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        return response.json()

    def test_graphql_usage_is_typed_field_by_field(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        data = self.graphql('{ netbox_archiflow_ippool_list { name usage { available utilization } } }')
        self.assertNotIn('errors', data)
        self.assertEqual(
            data['data']['netbox_archiflow_ippool_list'][0]['usage'], {'available': 253, 'utilization': 0.39}
        )
        # An IPv6 /64 has more addresses than GraphQL's 32-bit Int holds: BigInt.
        pool = IPPool.objects.create(name='v6', prefix=Prefix.objects.create(prefix='2001:db8:1::/64'))
        data = self.graphql(f'{{ netbox_archiflow_ippool(id: {pool.pk}) {{ usage {{ {USAGE_FIELDS} }} }} }}')
        self.assertNotIn('errors', data)
        usage = data['data']['netbox_archiflow_ippool']['usage']
        self.assertEqual(int(usage['total']), pool_service.pool_usage(pool)['total'])
        self.assertGreater(int(usage['total']), 2**32)
        type_fields = self.graphql('{ __type(name: "IPPoolUsageType") { fields { name type { ofType { name } } } } }')
        self.assertEqual(
            {field['name']: field['type']['ofType']['name'] for field in type_fields['data']['__type']['fields']},
            {
                'total': 'BigInt',
                'allocated': 'BigInt',
                'reserved': 'BigInt',
                'available': 'BigInt',
                'utilization': 'Float',
            },
        )

    def test_graphql_enum_filter(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        IPPool.objects.filter(name='Pool 1').update(pool_type='dhcp')
        data = self.graphql('{ netbox_archiflow_ippool_list(filters: {pool_type: {exact: TYPE_DHCP}}) { name } }')
        self.assertEqual(data, {'data': {'netbox_archiflow_ippool_list': [{'name': 'Pool 1'}]}})
        data = self.graphql('{ netbox_archiflow_ippool_list(filters: {pool_type: {exact: TYPE_BOGUS}}) { name } }')
        self.assertIn('errors', data)
        self.assertIn('TYPE_BOGUS', data['errors'][0]['message'])

    def test_graphql_usage_of_a_list_costs_no_query_per_pool(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        query = f'{{ netbox_archiflow_ippool_list {{ name usage {{ {USAGE_FIELDS} }} }} }}'

        def run():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
            self.assertHttpStatus(response, status.HTTP_200_OK)
            data = response.json()
            self.assertNotIn('errors', data)
            return data['data']['netbox_archiflow_ippool_list'], len(queries)

        run()  # warms per-process caches
        pools, three = run()
        self.assertEqual(pools[0]['usage']['available'], 253)
        vrf = VRF.objects.get(name='api-vrf')
        for n in range(6, 12):
            IPPool.objects.create(name=f'More {n}', prefix=Prefix.objects.create(prefix=f'10.50.{n}.0/24', vrf=vrf))
        pools, nine = run()
        self.assertEqual(len(pools), 9)
        self.assertEqual(nine, three)

    def test_create_from_network_refused_leaves_no_prefix(self):
        self.add_permissions('netbox_archiflow.add_ippool', 'ipam.add_prefix', 'ipam.view_vrf')
        before = Prefix.objects.count()
        data = {'name': 'bad', 'network': '10.52.0.0/24', 'gateway': '10.99.0.1'}
        response = self.client.post(self._get_list_url(), data, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('gateway', response.data)
        self.assertEqual(Prefix.objects.count(), before)
        response = self.client.post(
            self._get_list_url(), {'name': 'bad', 'network': 'nonsense'}, format='json', **self.header
        )
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['field'], 'network')

    def test_overlapping_pool_is_refused(self):
        self.add_permissions('netbox_archiflow.add_ippool')
        pool = IPPool.objects.first()
        inner = Prefix.objects.create(prefix='10.50.0.0/25', vrf=pool.prefix.vrf)
        response = self.client.post(
            self._get_list_url(), {'name': 'inner', 'prefix': inner.pk}, format='json', **self.header
        )
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('prefix', response.data)


class IPAllocationAPITest(
    PluginAPITestMixin,
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.UpdateObjectViewTestCase,
    APIViewTestCases.DeleteObjectViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    model = IPAllocation
    graphql_base_name = 'netbox_archiflow_ipallocation'
    type_class = IPAllocationType
    user_permissions = ('netbox_archiflow.view_ippool',)
    brief_fields = ['address', 'asset_id', 'display', 'id', 'is_active', 'url']
    update_data = {'notes': 'updated', 'device_name': 'renamed'}
    bulk_update_data = {'notes': 'bulk'}

    @classmethod
    def setUpTestData(cls):
        pool = IPPool.objects.create(name='alloc', prefix=Prefix.objects.create(prefix='10.60.0.0/24'))
        for n in range(3):
            pool_service.allocate_ip(pool, f'asset-{n}', device_name=f'dev-{n}')


class AlertAPITest(
    PluginAPITestMixin,
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.DeleteObjectViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    model = Alert
    graphql_base_name = 'netbox_archiflow_alert'
    type_class = AlertType
    brief_fields = ['alert_type', 'display', 'id', 'is_open', 'severity', 'url']

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            pool = IPPool.objects.create(name=f'alert {n}', prefix=Prefix.objects.create(prefix=f'10.61.{n}.0/24'))
            alert_service.raise_alert(
                'pool_threshold', pool, severity='warning', message=f'pool {n} is full', details={'n': n}
            )

    def test_graphql_is_open_and_enum_filters(self):
        self.add_permissions('netbox_archiflow.view_alert')
        alert = Alert.objects.order_by('pk').first()
        alert_service.resolve(alert)

        def names(filters):
            query = f'{{ netbox_archiflow_alert_list(filters: {filters}) {{ message is_open severity }} }}'
            response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
            return response.json()

        data = names('{is_open: true, severity: {exact: SEVERITY_WARNING}, alert_type: {exact: TYPE_POOL_THRESHOLD}}')
        self.assertEqual(
            sorted(data['data']['netbox_archiflow_alert_list'], key=lambda alert: alert['message']),
            [{'message': f'pool {n} is full', 'is_open': True, 'severity': 'warning'} for n in (1, 2)],
        )
        data = names('{is_open: false}')
        self.assertEqual(data['data']['netbox_archiflow_alert_list'][0]['is_open'], False)
        for bogus in ('{severity: {exact: SEVERITY_BOGUS}}', '{alert_type: {exact: "pool_threshold"}}'):
            self.assertIn('errors', names(bogus), bogus)


class PoolActionsAPITest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        cls.vrf = VRF.objects.create(name='actions', enforce_unique=True)
        cls.pool = IPPool.objects.create(
            name='actions', prefix=Prefix.objects.create(prefix='10.70.0.0/30', vrf=cls.vrf)
        )

    def allocate(self, data, pool=None):
        url = reverse(f'{API}:ippool-allocate', kwargs={'pk': (pool or self.pool).pk})
        return self.client.post(url, data, format='json', **self.header)

    def test_allocate_201_then_200_then_409(self):
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation')
        response = self.allocate({'asset_id': 'a'})
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(response.data['address'], '10.70.0.1')
        self.assertEqual(response.data['ip_address']['address'], '10.70.0.1/30')
        again = self.allocate({'asset_id': 'a'})
        self.assertHttpStatus(again, status.HTTP_200_OK)
        self.assertEqual(again.data['id'], response.data['id'])
        taken = self.allocate({'asset_id': 'b', 'address': '10.70.0.1'})
        self.assertHttpStatus(taken, status.HTTP_409_CONFLICT)
        self.assertEqual(taken.data['code'], 'address_in_use')
        self.assertHttpStatus(self.allocate({'asset_id': 'b'}), status.HTTP_201_CREATED)
        full = self.allocate({'asset_id': 'c'})
        self.assertHttpStatus(full, status.HTTP_409_CONFLICT)
        self.assertEqual(full.data['code'], 'pool_exhausted')
        self.assertEqual(IPAllocation.objects.count(), 2)

    def test_allocate_with_custom_fields_and_tags(self):
        """A required custom field on allocations is a 400 naming custom_fields (nothing kept), then works."""
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation')
        field = CustomField.objects.create(name='ticket', type='text', required=True)
        field.object_types.set([ObjectType.objects.get_for_model(IPAllocation)])
        tag = Tag.objects.create(name='Lab', slug='lab')
        response = self.allocate({'asset_id': 'a'})
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['field'], 'custom_fields')
        self.assertIn('ticket', response.data['detail'])
        self.assertFalse(IPAllocation.objects.exists())
        self.assertFalse(IPAddress.objects.exists())
        response = self.allocate({'asset_id': 'a', 'custom_fields': {'ticket': 'CHG-1'}, 'tags': [{'slug': 'lab'}]})
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(response.data['custom_fields'], {'ticket': 'CHG-1'})
        allocation = IPAllocation.objects.get()
        self.assertEqual(list(allocation.tags.all()), [tag])
        response = self.allocate({'asset_id': 'b', 'custom_fields': {'nope': 1}})
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('custom_fields', response.data)

    def test_allocate_bad_input_is_400_naming_the_field(self):
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation')
        for data, field in (
            ({}, 'asset_id'),
            ({'asset_id': 'x', 'address': '10.99.0.1'}, 'address'),
            ({'asset_id': 'x', 'device': 999999}, 'device'),
            ({'asset_id': 'x', 'mac_address': 'nope'}, 'mac_address'),
        ):
            response = self.allocate(data)
            self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
            self.assertTrue(field in response.data or response.data.get('field') == field, response.data)
        self.assertFalse(IPAllocation.objects.exists())
        self.assertFalse(IPAddress.objects.exists())

    def test_allocate_needs_add_ipallocation_and_a_visible_pool(self):
        self.add_permissions('netbox_archiflow.view_ippool')
        self.assertHttpStatus(self.allocate({'asset_id': 'a'}), status.HTTP_403_FORBIDDEN)
        self.add_permissions('netbox_archiflow.add_ipallocation')
        other = IPPool.objects.create(name='hidden', prefix=Prefix.objects.create(prefix='10.71.0.0/29'))
        ObjectPermission.objects.filter(name='netbox_archiflow.view_ippool').update(constraints={'name': 'actions'})
        self.assertHttpStatus(self.allocate({'asset_id': 'a'}, pool=other), status.HTTP_404_NOT_FOUND)
        self.assertHttpStatus(self.allocate({'asset_id': 'a'}), status.HTTP_201_CREATED)

    def test_usage_release_and_history(self):
        self.add_permissions(
            'netbox_archiflow.view_ippool',
            'netbox_archiflow.add_ipallocation',
            'netbox_archiflow.change_ipallocation',
            'netbox_archiflow.view_ipallocation',
        )
        for _round in range(3):
            allocation = self.allocate({'asset_id': f'r{_round}'}).data
            self.assertEqual(allocation['address'], '10.70.0.1')
            url = reverse(f'{API}:ipallocation-release', kwargs={'pk': allocation['id']})
            response = self.client.post(url, **self.header)
            self.assertHttpStatus(response, status.HTTP_200_OK)
            self.assertFalse(response.data['is_active'])
            self.assertEqual(response.data['released_by']['username'], self.user.username)
        again = self.client.post(url, **self.header)
        self.assertHttpStatus(again, status.HTTP_409_CONFLICT)
        self.assertEqual(again.data['code'], 'already_released')
        history = self.client.get(
            reverse(f'{API}:ipallocation-list') + f'?pool_id={self.pool.pk}&address=10.70.0.1', **self.header
        )
        self.assertEqual(history.data['count'], 3)
        usage = self.client.get(reverse(f'{API}:ippool-usage', kwargs={'pk': self.pool.pk}), **self.header)
        self.assertEqual(usage.data['available'], 2)
        changes = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(IPAllocation), user=self.user
        )
        self.assertEqual(changes.filter(action='create').count(), 3)
        self.assertEqual(changes.filter(action='update').count(), 3)

    def test_release_needs_change_permission(self):
        self.add_permissions('netbox_archiflow.view_ipallocation', 'netbox_archiflow.add_ipallocation')
        allocation, _ = pool_service.allocate_ip(self.pool, 'a')
        url = reverse(f'{API}:ipallocation-release', kwargs={'pk': allocation.pk})
        self.assertHttpStatus(self.client.post(url, **self.header), status.HTTP_403_FORBIDDEN)
        self.assertTrue(IPAllocation.objects.get(pk=allocation.pk).is_active)

    def test_post_to_allocation_list_is_refused(self):
        self.add_permissions('netbox_archiflow.add_ipallocation')
        response = self.client.post(
            reverse(f'{API}:ipallocation-list'), {'asset_id': 'x'}, format='json', **self.header
        )
        self.assertHttpStatus(response, status.HTTP_405_METHOD_NOT_ALLOWED)


class AlertActionsAPITest(APITestCase):
    def setUp(self):
        super().setUp()
        site = Site.objects.create(name='s', slug='s')
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name='m', slug='m'), model='t', slug='t'
        )
        self.device = Device.objects.create(
            name='d', site=site, device_type=device_type, role=DeviceRole.objects.create(name='r', slug='r')
        )
        self.alert, _ = alert_service.raise_alert('device_down', self.device, severity='critical', message='down')

    def post(self, action):
        return self.client.post(reverse(f'{API}:alert-{action}', kwargs={'pk': self.alert.pk}), **self.header)

    def test_acknowledge_and_resolve(self):
        self.assertHttpStatus(self.post('acknowledge'), status.HTTP_403_FORBIDDEN)
        self.add_permissions('netbox_archiflow.change_alert', 'netbox_archiflow.view_alert')
        response = self.post('acknowledge')
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['acknowledged_by']['username'], self.user.username)
        self.assertEqual(self.post('acknowledge').data['code'], 'already_acknowledged')
        response = self.post('resolve')
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertFalse(response.data['is_open'])
        self.assertHttpStatus(self.post('resolve'), status.HTTP_409_CONFLICT)
        listing = self.client.get(reverse(f'{API}:alert-list') + '?resolved=true&acknowledged=true', **self.header)
        self.assertEqual(listing.data['count'], 1)
        listing = self.client.get(reverse(f'{API}:alert-list') + '?resolved=false', **self.header)
        self.assertEqual(listing.data['count'], 0)
