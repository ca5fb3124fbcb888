"""Adding and importing IP allocations: both go through ``allocate_ip``, refusals land on the field at fault."""

import json

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange, ObjectType
from dcim.models import Interface
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from extras.models import CustomField, Tag
from ipam.models import IPAddress, Prefix
from users.models import ObjectPermission
from utilities.testing import TestCase, create_test_device

from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import pools as pool_service

from .base import grant

ADD_URL = reverse('plugins:netbox_archiflow:ipallocation_add')
IMPORT_URL = reverse('plugins:netbox_archiflow:ipallocation_bulk_import')


class AllocationFormTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pool = IPPool.objects.create(name='ui', prefix=Prefix.objects.create(prefix='10.141.0.0/29'))
        cls.small = IPPool.objects.create(name='small', prefix=Prefix.objects.create(prefix='10.141.1.0/30'))
        cls.hidden = IPPool.objects.create(name='hidden', prefix=Prefix.objects.create(prefix='10.141.2.0/29'))
        cls.device = create_test_device('srv-dev')

    def state(self):
        return IPAllocation.objects.count(), IPAddress.objects.count()


class IPAllocationAddViewTest(AllocationFormTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.add_ipallocation', 'netbox_archiflow.view_ippool', 'dcim.view_device')

    def add(self, **data):
        return self.client.post(ADD_URL, {'pool': self.pool.pk, **data})

    def test_add_allocates_through_the_service(self):
        self.assertHttpStatus(self.client.get(f'{ADD_URL}?pool={self.pool.pk}'), 200)
        self.add_permissions('extras.view_tag')
        tag = Tag.objects.create(name='Lab', slug='lab')
        response = self.add(asset_id='srv-1', device=self.device.pk, changelog_message='ticket 42', tags=[tag.pk])
        allocation = IPAllocation.objects.get(asset_id='srv-1')
        self.assertEqual(list(allocation.tags.all()), [tag])
        self.assertRedirects(response, allocation.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((allocation.address, allocation.allocated_by), ('10.141.0.1', self.user))
        self.assertEqual((allocation.device, allocation.device_name), (self.device, 'srv-dev'))
        self.assertEqual(str(allocation.ip_address.address), '10.141.0.1/29')
        changes = ObjectChange.objects.filter(action=ObjectChangeActionChoices.ACTION_CREATE)
        for obj in (allocation, allocation.ip_address):
            change = changes.get(changed_object_type=ContentType.objects.get_for_model(obj), changed_object_id=obj.pk)
            self.assertEqual((change.user, change.message), (self.user, 'ticket 42'))

        before = self.state()
        response = self.add(asset_id='srv-1', notes='again')
        self.assertRedirects(response, allocation.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(self.state(), before)
        allocation.refresh_from_db()
        self.assertEqual(allocation.notes, '')

    def test_add_another_keeps_the_pool(self):
        response = self.add(asset_id='srv-2', _addanother='')
        self.assertRedirects(response, f'{ADD_URL}?pool={self.pool.pk}', fetch_redirect_response=False)

    def assertRefused(self, response, field, code, before):
        self.assertHttpStatus(response, 200)
        errors = response.context['form'].errors
        self.assertEqual(list(errors), [field])
        self.assertIn(code, errors[field][0])
        self.assertEqual(self.state(), before)

    def test_refusals_are_errors_on_the_field_at_fault(self):
        pool_service.allocate_ip(self.pool, 'holder')  # 10.141.0.1
        for asset in ('s1', 's2'):
            pool_service.allocate_ip(self.small, asset)
        before = self.state()
        self.assertRefused(self.add(pool=self.small.pk, asset_id='s3'), 'pool', 'pool_exhausted', before)
        self.assertRefused(self.add(asset_id='a', address='10.141.0.1'), 'address', 'address_in_use', before)
        self.assertRefused(self.add(asset_id='a', address='10.141.9.9'), 'address', 'invalid', before)
        self.assertRefused(self.add(asset_id='a', mac_address='not-a-mac'), 'mac_address', 'invalid', before)
        self.assertRefused(self.add(asset_id='holder', address='10.141.0.2'), 'address', 'asset_has_address', before)
        self.pool.is_active = False
        self.pool.save()
        self.assertRefused(self.add(asset_id='a'), 'pool', 'pool_inactive', before)

    def test_pool_the_user_cannot_see_is_refused(self):
        self.remove_permissions('netbox_archiflow.view_ippool')
        grant(self.user, IPPool, ['view'], {'name__in': ['ui', 'small']})
        before = self.state()
        response = self.add(pool=self.hidden.pk, asset_id='a')
        self.assertHttpStatus(response, 200)
        self.assertIn('pool', response.context['form'].errors)
        self.assertEqual(self.state(), before)
        self.assertHttpStatus(self.add(asset_id='a'), 302)

    def test_object_constraints_of_the_add_permission_apply(self):
        self.remove_permissions('netbox_archiflow.add_ipallocation')
        grant(self.user, IPAllocation, ['add'], {'pool__name': 'small'})
        before = self.state()
        response = self.add(asset_id='a')
        self.assertHttpStatus(response, 200)
        self.assertIn('permission_denied', ' '.join(response.context['form'].non_field_errors()))
        self.assertEqual(self.state(), before)
        self.assertHttpStatus(self.add(pool=self.small.pk, asset_id='a'), 302)

    def test_without_add_permission(self):
        self.remove_permissions('netbox_archiflow.add_ipallocation')
        before = self.state()
        self.assertHttpStatus(self.client.get(ADD_URL), 403)
        self.assertHttpStatus(self.add(asset_id='a'), 403)
        self.assertEqual(self.state(), before)


class IPAllocationImportTest(AllocationFormTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.add_ipallocation', 'netbox_archiflow.view_ippool', 'dcim.view_device')

    def import_rows(self, data, data_format='csv', **extra):
        return self.client.post(IMPORT_URL, {'data': data, 'format': data_format, 'csv_delimiter': 'auto', **extra})

    def import_errors(self, response):
        self.assertHttpStatus(response, 200)
        return ' '.join(response.context['form'].non_field_errors())

    def test_rows_are_allocated_through_the_service(self):
        self.assertHttpStatus(self.client.get(IMPORT_URL), 200)
        csv = '\n'.join(
            (
                'pool,asset_id,address,device,device_type,mac_address,notes',
                'ui,imp-1,,srv-dev,server,aa-bb-cc-dd-ee-01,first',
                f'{self.pool.pk},imp-2,10.141.0.5,,vm,,second',
                'small,imp-3,,,,,third',
            )
        )
        response = self.import_rows(csv, changelog_message='migrated')
        self.assertHttpStatus(response, 302)
        allocations = {a.asset_id: a for a in IPAllocation.objects.select_related('ip_address')}
        self.assertEqual(set(allocations), {'imp-1', 'imp-2', 'imp-3'})
        first = allocations['imp-1']
        self.assertEqual((first.address, first.device, first.device_name), ('10.141.0.1', self.device, 'srv-dev'))
        self.assertEqual((first.mac_address, first.allocated_by), ('AA:BB:CC:DD:EE:01', self.user))
        self.assertEqual(allocations['imp-2'].address, '10.141.0.5')
        self.assertEqual(allocations['imp-3'].pool, self.small)
        self.assertTrue(all(a.ip_address_id for a in allocations.values()))
        changes = ObjectChange.objects.filter(request_id=response.headers['X-Request-ID'])
        self.assertEqual(changes.count(), 6)  # three allocations, three native IP addresses
        self.assertEqual({(c.user, c.message) for c in changes}, {(self.user, 'migrated')})

    def test_interface_is_looked_up_on_the_rows_device(self):
        other = create_test_device('other-dev')
        mine = Interface.objects.create(device=self.device, name='eth0', type='1000base-t')
        Interface.objects.create(device=other, name='eth0', type='1000base-t')
        data = 'pool,asset_id,device,interface\nui,if-1,srv-dev,eth0'
        self.add_permissions('dcim.view_interface')
        self.assertHttpStatus(self.import_rows(data), 302)
        allocation = IPAllocation.objects.select_related('ip_address').get(asset_id='if-1')
        self.assertEqual((allocation.device, allocation.interface), (self.device, mine))
        self.assertEqual(allocation.ip_address.assigned_object, mine)
        errors = self.import_errors(self.import_rows('pool,asset_id,interface\nui,if-2,eth0'))
        self.assertIn('interface', errors)
        self.assertFalse(IPAllocation.objects.filter(asset_id='if-2').exists())

    def test_json_rows_name_the_pool_by_id(self):
        rows = [{'pool': self.small.pk, 'asset_id': 'j-1'}, {'pool': 'ui', 'asset_id': 'j-2'}]
        self.assertHttpStatus(self.import_rows(json.dumps(rows), 'json'), 302)
        self.assertEqual(IPAllocation.objects.get(asset_id='j-1').pool, self.small)
        self.assertEqual(IPAllocation.objects.get(asset_id='j-2').pool, self.pool)

    def test_a_refused_row_rolls_back_every_row(self):
        pool_service.allocate_ip(self.pool, 'holder')  # 10.141.0.1
        before = self.state()
        cases = (
            ('ok-2,10.141.0.1,', 'Record 2 address:', 'address_in_use'),
            ('ok-2,,zz:zz', 'Record 2 mac_address:', 'not a MAC address'),
            ('holder,,', 'Record 2 asset_id:', 'already holds 10.141.0.1'),
        )
        for middle, where, what in cases:
            with self.subTest(middle=middle):
                csv = '\n'.join(('pool,asset_id,address,mac_address', 'ui,ok-1,,', f'ui,{middle}', 'ui,ok-3,,'))
                errors = self.import_errors(self.import_rows(csv))
                self.assertIn(where, errors)
                self.assertIn(what, errors)
                self.assertEqual(self.state(), before)

    def test_an_exhausted_pool_names_the_pool(self):
        csv = '\n'.join(('pool,asset_id', 'small,s-1', 'small,s-2', 'small,s-3'))
        errors = self.import_errors(self.import_rows(csv))
        self.assertIn('Record 3 pool:', errors)
        self.assertIn('pool_exhausted', errors)
        self.assertEqual(IPAllocation.objects.count(), 0)

    def test_rows_cannot_update_allocations(self):
        self.add_permissions('netbox_archiflow.change_ipallocation')
        allocation, _created = pool_service.allocate_ip(self.pool, 'existing')
        errors = self.import_errors(self.import_rows(f'id,notes\n{allocation.pk},changed'))
        self.assertIn('only creates IP allocations', errors)
        allocation.refresh_from_db()
        self.assertEqual(allocation.notes, '')

    def test_permissions(self):
        permission = ObjectPermission.objects.get(name='netbox_archiflow.view_ippool')
        permission.constraints = {'name': 'ui'}
        permission.save()
        errors = self.import_errors(self.import_rows('pool,asset_id\nui,a\nhidden,b'))
        self.assertIn('Record 2 pool: Object not found: hidden', errors)
        self.assertEqual(IPAllocation.objects.count(), 0)

        self.remove_permissions('netbox_archiflow.add_ipallocation')
        self.assertHttpStatus(self.client.get(IMPORT_URL), 403)
        self.assertHttpStatus(self.import_rows('pool,asset_id\nui,a'), 403)
        self.assertEqual(IPAllocation.objects.count(), 0)


class IPAllocationListButtonsTest(TestCase):
    def test_list_offers_add_and_import(self):
        self.add_permissions('netbox_archiflow.view_ipallocation', 'netbox_archiflow.add_ipallocation')
        response = self.client.get(reverse('plugins:netbox_archiflow:ipallocation_list'))
        self.assertContains(response, f'href="{ADD_URL}')
        self.assertContains(response, f'href="{IMPORT_URL}')


class AllocationCustomFieldsAndTagsTest(AllocationFormTestCase):
    """Custom fields of allocations are offered by the Add form and the import and reach the service."""

    def setUp(self):
        super().setUp()
        self.add_permissions(
            'netbox_archiflow.add_ipallocation', 'netbox_archiflow.view_ippool', 'dcim.view_device', 'extras.view_tag'
        )
        field = CustomField.objects.create(name='ticket', type='text', required=True)
        field.object_types.set([ObjectType.objects.get_for_model(IPAllocation)])
        self.tag = Tag.objects.create(name='Lab', slug='lab')

    def test_add_form(self):
        before = self.state()
        response = self.client.post(ADD_URL, {'pool': self.pool.pk, 'asset_id': 'cf-1'})
        self.assertHttpStatus(response, 200)
        self.assertIn('cf_ticket', response.context['form'].errors)
        self.assertEqual(self.state(), before)
        self.client.post(ADD_URL, {'pool': self.pool.pk, 'asset_id': 'cf-1', 'cf_ticket': 'CHG-7'})
        self.assertEqual(IPAllocation.objects.get(asset_id='cf-1').custom_field_data, {'ticket': 'CHG-7'})

    def test_import(self):
        data = 'pool,asset_id,cf_ticket,tags\nui,cf-2,CHG-8,lab'
        response = self.client.post(IMPORT_URL, {'data': data, 'format': 'csv', 'csv_delimiter': 'auto'})
        self.assertHttpStatus(response, 302)
        allocation = IPAllocation.objects.get(asset_id='cf-2')
        self.assertEqual(allocation.custom_field_data, {'ticket': 'CHG-8'})
        self.assertEqual(list(allocation.tags.all()), [self.tag])
