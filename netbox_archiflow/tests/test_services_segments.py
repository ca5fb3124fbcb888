from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from ipam.models import VLAN, VRF, Prefix, VLANGroup
from tenancy.models import Tenant
from utilities.exceptions import AbortRequest
from utilities.testing import TestCase

from netbox_archiflow.management.changelog import change_logged
from netbox_archiflow.models import Segment
from netbox_archiflow.plugin_settings import DEFAULT_SETTINGS
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import Conflict, NotFound, ServiceError

from .segment_fixtures import make_pool, make_segments

TEST_SETTINGS = {
    **DEFAULT_SETTINGS,
    'segment_tenant': 'RedBull',
    'segment_prefix_role': 'Data',
    'segment_vlan_role': 'Data',
}


def settings_with(**changes):
    return override_settings(PLUGINS_CONFIG={'netbox_archiflow': {**TEST_SETTINGS, **changes}})


def snapshot():
    return (
        list(Segment.objects.order_by('pk').values_list('pk', 'status', 'cluster', 'vlan_id', 'dhcp', 'description')),
        list(Prefix.objects.order_by('pk').values_list('pk', 'prefix', 'status', 'vlan_id')),
        list(VLAN.objects.order_by('pk').values_list('pk', 'vid', 'name')),
        VLANGroup.objects.count(),
    )


class CreateSegmentTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('svc', '10.80.0.0/22')

    def test_next_free_blocks_and_vlans(self):
        first, second = make_segments(self.site_group, self.vrf, 2, length=24)
        self.assertEqual([str(s.prefix.prefix) for s in (first, second)], ['10.80.0.0/24', '10.80.1.0/24'])
        self.assertEqual([s.vlan.vid for s in (first, second)], [2, 3])
        group = first.vlan.group
        self.assertEqual(group.name, f'{self.vrf.name}-{self.site_group.slug}')
        self.assertEqual(group.scope, self.site_group)
        self.assertEqual(first.vlan.name, f'{self.site_group.slug}-2')
        self.assertEqual((first.vlan.tenant.name, first.vlan.role.name), ('RedBull', 'Data'))
        self.assertEqual(first.prefix.status, 'active')

    def test_explicit_vlan_is_reused(self):
        a = service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix='10.80.2.0/25', vlan_id=50)
        b = service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix='10.80.2.128/25', vlan_id=50)
        self.assertEqual(a.vlan_id, b.vlan_id)
        a.delete()
        self.assertTrue(VLAN.objects.filter(pk=b.vlan_id).exists())
        b.delete()
        self.assertFalse(VLAN.objects.filter(pk=b.vlan_id).exists())

    def test_vid_range_setting_and_exhaustion(self):
        with settings_with(segment_vid_min=10, segment_vid_max=11):
            segments = make_segments(self.site_group, self.vrf, 2, length=26)
            self.assertEqual([s.vlan.vid for s in segments], [10, 11])
            before = snapshot()
            with self.assertRaises(Conflict) as ctx:
                service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix_length=26)
            self.assertEqual((ctx.exception.code, ctx.exception.field), ('vid_exhausted', 'vlan_id'))
            self.assertEqual(snapshot(), before)

    def test_missing_tenant_setting_object_is_refused(self):
        Tenant.objects.filter(name='RedBull').delete()
        before = snapshot()
        with self.assertRaises(NotFound) as ctx:
            service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix_length=24)
        self.assertEqual(ctx.exception.code, 'segment_tenant_not_found')
        self.assertIn('RedBull', ctx.exception.detail)
        self.assertEqual(snapshot(), before)

    def test_no_container_is_named(self):
        other_vrf = VRF.objects.create(name='Empty VRF')
        with self.assertRaises(NotFound) as ctx:
            service.create_segment(site_group=self.site_group, vrf=other_vrf, prefix_length=24)
        self.assertEqual((ctx.exception.code, ctx.exception.field), ('container_not_found', 'prefix_length'))
        self.assertFalse(VLANGroup.objects.exists())

    def test_vlan_name_taken(self):
        service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix='10.80.3.0/24', vlan_name='dup')
        before = snapshot()
        with self.assertRaises(ServiceError) as ctx:
            service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix='10.80.3.0/25', vlan_name='dup')
        self.assertEqual((ctx.exception.code, ctx.exception.field), ('vlan_name_taken', 'vlan_name'))
        self.assertEqual(snapshot(), before)


class AllocateSegmentTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('alloc', '10.81.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 3)

    def test_count_tops_up_what_the_cluster_holds(self):
        held, created = service.allocate_segments(self.site_group, self.vrf, 'c1')
        self.assertTrue(created)
        both, created = service.allocate_segments(self.site_group, self.vrf, 'c1', count=2)
        self.assertTrue(created)
        self.assertEqual(len(both), 2)
        self.assertIn(held[0].pk, [s.pk for s in both])
        same, created = service.allocate_segments(self.site_group, self.vrf, 'c1', count=2)
        self.assertFalse(created)
        self.assertEqual([s.pk for s in same], [s.pk for s in both])

    def test_custom_fields_are_read_before_the_pool_lock(self):
        """In a request, the custom fields validated and change-logged under the lock are read before it."""
        with change_logged(self.user), CaptureQueriesContext(connection) as queries:
            service.allocate_segments(self.site_group, self.vrf, 'c1')
        statements = [query['sql'] for query in queries.captured_queries]
        locked = next(i for i, sql in enumerate(statements) if 'pg_advisory_xact_lock(' in sql)
        self.assertTrue(any('FROM "extras_customfield"' in sql for sql in statements[:locked]))
        self.assertFalse(any('FROM "extras_customfield"' in sql for sql in statements[locked:]))

    def test_list_segments_filters_and_restricts(self):
        service.allocate_segments(self.site_group, self.vrf, 'c9')
        self.assertEqual(service.list_segments(site_group=self.site_group.slug, vrf=self.vrf.name).count(), 3)
        self.assertEqual([s.cluster for s in service.list_segments(status='allocated')], ['c9'])
        self.assertEqual(service.list_segments(cluster='c9', status='free').count(), 0)
        self.assertEqual(service.list_segments(user=self.user).count(), 0)  # no view permission
        with self.assertRaises(ServiceError):
            service.list_segments(status='bogus')

    def test_lowest_prefix_first_after_release(self):
        a, _ = service.allocate_segments(self.site_group, self.vrf, 'c1', count=3)
        service.release_segment(a[1])
        again, _ = service.allocate_segments(self.site_group, self.vrf, 'c2')
        self.assertEqual(again[0].pk, a[1].pk)

    def test_bad_inputs(self):
        before = snapshot()
        for kwargs, field in (
            ({'cluster': ''}, 'cluster'),
            ({'cluster': 'x' * 101}, 'cluster'),
            ({'count': 0}, 'count'),
            ({'count': True}, 'count'),
            ({'site_group': {'slug': 'nope'}}, 'site_group'),
            ({'site_group': {'bogus': 1}}, 'site_group'),
            ({'vrf': 999999}, 'vrf'),
        ):
            args = {'site_group': self.site_group, 'vrf': self.vrf, 'cluster': 'c', **kwargs}
            with self.subTest(kwargs=kwargs), self.assertRaises(ServiceError) as ctx:
                service.allocate_segments(args.pop('site_group'), args.pop('vrf'), args.pop('cluster'), **args)
            self.assertEqual(ctx.exception.field, field)
        self.assertEqual(snapshot(), before)


class SegmentPermissionActionsTest(TestCase):
    def test_allocate_and_release_are_registered_object_permission_actions(self):
        from netbox.registry import registry

        actions = {str(action.name) for action in registry['model_actions']['netbox_archiflow.segment']}
        self.assertTrue({'allocate', 'release'} <= actions)


class SegmentSignalTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('sig', '10.82.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 2)

    def test_deleting_native_prefix_removes_segment_and_orphaned_vlan(self):
        segment = self.segments[0]
        vlan_id = segment.vlan_id
        Prefix.objects.get(pk=segment.prefix_id).delete()
        self.assertFalse(Segment.objects.filter(pk=segment.pk).exists())
        self.assertFalse(VLAN.objects.filter(pk=vlan_id).exists())

    def test_native_prefix_status_change_is_refused(self):
        prefix = Prefix.objects.get(pk=self.segments[0].prefix_id)
        prefix.status = 'reserved'
        with self.assertRaisesMessage(AbortRequest, 'allocate or release the segment instead'):
            prefix.save()

    def test_native_prefix_vrf_change_is_refused(self):
        prefix = Prefix.objects.get(pk=self.segments[0].prefix_id)
        prefix.vrf = VRF.objects.create(name='Elsewhere')
        with self.assertRaisesMessage(AbortRequest, 'its VRF cannot change'):
            prefix.save()

    def test_native_prefix_description_edit_is_fine(self):
        prefix = Prefix.objects.get(pk=self.segments[0].prefix_id)
        prefix.description = 'edited in IPAM'
        prefix.save()

    def test_native_prefix_vlan_change_is_followed(self):
        a, b = self.segments
        old_vlan_id = a.vlan_id
        prefix = Prefix.objects.get(pk=a.prefix_id)
        prefix.vlan_id = b.vlan_id
        prefix.save()
        a.refresh_from_db()
        self.assertEqual(a.vlan_id, b.vlan_id)
        self.assertFalse(VLAN.objects.filter(pk=old_vlan_id).exists())

    def test_database_constraint_keeps_status_and_cluster_consistent(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Segment.objects.filter(pk=self.segments[0].pk).update(status='allocated')
        with self.assertRaises(IntegrityError), transaction.atomic():
            Segment.objects.filter(pk=self.segments[0].pk).update(cluster='c1')
