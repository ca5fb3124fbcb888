from core.models import ObjectChange, ObjectType
from django.urls import reverse
from extras.models import Tag
from ipam.models import VLAN, Prefix
from rest_framework import status
from users.models import ObjectPermission
from utilities.testing import APITestCase, APIViewTestCases

from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

from .base import PluginAPITestMixin, grant
from .segment_fixtures import make_pool, make_segments


class SegmentAPITest(PluginAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Segment
    graphql_base_name = 'netbox_archiflow_segment'
    brief_fields = ['cluster', 'description', 'display', 'id', 'prefix', 'status', 'url', 'vlan']
    validation_excluded_fields = ['prefix', 'prefix_length', 'vlan_id', 'vlan_name']
    bulk_update_data = {'description': 'Bulk updated', 'dhcp': True}

    @classmethod
    def setUpTestData(cls):
        site_group, vrf = make_pool('api', '10.50.0.0/16')
        make_segments(site_group, vrf, 3)
        cls.create_data = [
            {'site_group': site_group.pk, 'vrf': vrf.pk, 'prefix': '10.50.100.0/24', 'vlan_id': 300, 'dhcp': True},
            {'site_group': site_group.pk, 'vrf': vrf.pk, 'prefix_length': 26},
            {'site_group': site_group.pk, 'vrf': vrf.pk, 'prefix_length': 25, 'description': 'third'},
        ]
        cls.update_data = {'dhcp': True, 'description': 'Updated'}


class SegmentActionAPITest(APITestCase):
    """allocate / release endpoints, errors as {"code", "detail"}, permissions and change logging."""

    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('act', '10.60.0.0/16')
        cls.other_group, cls.other_vrf = make_pool('other', '10.61.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 3)
        cls.other_segments = make_segments(cls.other_group, cls.other_vrf, 1)

    def grant(self, *actions, constraints=None):
        grant(self.user, Segment, actions, constraints)

    def allocate(self, **data):
        body = {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'cluster': 'k8s-a', **data}
        return self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-allocate'), body, format='json', **self.header
        )

    def release(self, segment):
        url = reverse('plugins-api:netbox_archiflow-api:segment-release', kwargs={'pk': segment.pk})
        return self.client.post(url, {}, format='json', **self.header)

    def state(self):
        return list(Segment.objects.order_by('pk').values_list('pk', 'status', 'cluster', 'vlan_id', 'prefix_id'))

    def test_allocate_then_same_cluster_gets_same_segment(self):
        self.grant('allocate', 'view')
        response = self.allocate()
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(len(response.data), 1)
        first = response.data[0]
        self.assertEqual(first['status']['value'], 'allocated')
        self.assertEqual(first['cluster'], 'k8s-a')
        self.assertEqual(first['prefix']['prefix'], '10.60.0.0/24')  # lowest prefix first
        self.assertIn('vid', first['vlan'])
        self.assertEqual(Prefix.objects.get(pk=first['prefix']['id']).status, 'reserved')

        again = self.allocate()
        self.assertHttpStatus(again, status.HTTP_200_OK)
        self.assertEqual([s['id'] for s in again.data], [first['id']])

    def test_allocate_by_slug_and_name_and_count(self):
        self.grant('allocate')
        response = self.allocate(site_group={'slug': self.site_group.slug}, vrf={'name': self.vrf.name}, count=2)
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(len({s['id'] for s in response.data}), 2)

    def test_allocate_exhausted_is_409_and_changes_nothing(self):
        self.grant('allocate')
        before = self.state()
        response = self.allocate(count=4)
        self.assertHttpStatus(response, status.HTTP_409_CONFLICT)
        self.assertEqual(response.data['code'], 'pool_exhausted')
        self.assertEqual((response.data['available'], response.data['requested']), (3, 4))
        self.assertIn('detail', response.data)
        self.assertEqual(self.state(), before)

    def test_allocate_unknown_site_group_and_vrf_are_400(self):
        self.grant('allocate')
        before = self.state()
        response = self.allocate(site_group={'slug': 'nowhere'})
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['code'], 'site_group_not_found')
        self.assertEqual(response.data['field'], 'site_group')
        self.assertIn("Site group 'nowhere' does not exist in NetBox; create it first", response.data['detail'])
        response = self.allocate(vrf={'name': 'Nope'})
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['code'], 'vrf_not_found')
        response = self.allocate(cluster='')
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['field'], 'cluster')
        response = self.allocate(count=0)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(response.data['field'], 'count')
        self.assertEqual(self.state(), before)

    def test_allocate_without_permission_is_403_naming_it(self):
        self.grant('add', 'view')
        before = self.state()
        response = self.allocate()
        self.assertHttpStatus(response, status.HTTP_403_FORBIDDEN)
        self.assertEqual(response.data['code'], 'permission_denied')
        self.assertIn('netbox_archiflow.allocate_segment', response.data['detail'])
        self.assertEqual(self.state(), before)

    def test_release(self):
        self.grant('allocate', 'release')
        segment_id = self.allocate().data[0]['id']
        segment = Segment.objects.get(pk=segment_id)
        response = self.release(segment)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['status']['value'], 'free')
        self.assertEqual(response.data['cluster'], '')
        segment.refresh_from_db()
        self.assertEqual((segment.status, segment.cluster, segment.allocated_at), ('free', '', None))
        self.assertEqual(segment.prefix.status, 'active')
        # Releasing a free segment is a no-op success
        changes = ObjectChange.objects.count()
        self.assertHttpStatus(self.release(segment), status.HTTP_200_OK)
        self.assertEqual(ObjectChange.objects.count(), changes)

    def test_release_without_permission_is_403(self):
        self.grant('allocate')
        segment = Segment.objects.get(pk=self.allocate().data[0]['id'])
        before = self.state()
        response = self.release(segment)
        self.assertHttpStatus(response, status.HTTP_403_FORBIDDEN)
        self.assertIn('netbox_archiflow.release_segment', response.data['detail'])
        self.assertEqual(self.state(), before)

    def test_unauthenticated_allocate_has_a_code(self):
        url = reverse('plugins-api:netbox_archiflow-api:segment-allocate')
        response = self.client.post(url, {'site_group': 1, 'vrf': 1, 'cluster': 'x'}, format='json')
        self.assertIn(response.status_code, (401, 403))
        self.assertEqual(response.data['code'], 'not_authenticated')

    def test_release_unknown_segment_is_404(self):
        self.grant('release')
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-release', kwargs={'pk': 999999}),
            {},
            format='json',
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_404_NOT_FOUND)
        self.assertEqual(response.data['code'], 'segment_not_found')

    def test_writes_are_change_logged_to_the_user(self):
        self.grant('add', 'allocate', 'release', 'change', 'delete', 'view')
        create = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-list'),
            {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'prefix_length': 24},
            format='json',
            **self.header,
        )
        self.assertHttpStatus(create, status.HTTP_201_CREATED)
        segment = Segment.objects.get(pk=create.data['id'])
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': segment.pk})
        self.assertHttpStatus(self.client.patch(url, {'vlan_id': 999}, format='json', **self.header), 200)
        allocated = self.allocate(count=4).data
        self.assertIn(segment.pk, [s['id'] for s in allocated])
        self.assertHttpStatus(self.release(segment), 200)
        self.assertHttpStatus(self.client.delete(url, **self.header), 204)
        ct = ObjectType.objects.get_for_model(Segment)
        actions = list(
            ObjectChange.objects.filter(changed_object_type=ct, changed_object_id=segment.pk)
            .order_by('pk')
            .values_list('action', 'user__username')
        )
        self.assertEqual([a for a, _ in actions], ['create', 'update', 'update', 'update', 'delete'])
        self.assertEqual({u for _, u in actions}, {self.user.username})
        # The native prefix and VLAN writes are logged too, to the same user
        prefix_changes = ObjectChange.objects.filter(
            changed_object_type=ObjectType.objects.get_for_model(Prefix), changed_object_id=segment.prefix_id
        )
        self.assertEqual(
            sorted(prefix_changes.values_list('action', flat=True)), ['create', 'delete', 'update', 'update', 'update']
        )
        self.assertEqual(set(prefix_changes.values_list('user_id', flat=True)), {self.user.pk})

    def test_object_permissions_restrict_to_one_site_group(self):
        self.grant('view', 'allocate', constraints={'site_group__slug': self.site_group.slug})
        listing = self.client.get(reverse('plugins-api:netbox_archiflow-api:segment-list'), **self.header)
        self.assertEqual({s['site_group']['id'] for s in listing.data['results']}, {self.site_group.pk})
        detail = self.client.get(
            reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': self.other_segments[0].pk}),
            **self.header,
        )
        self.assertHttpStatus(detail, status.HTTP_404_NOT_FOUND)
        before = self.state()
        response = self.allocate(site_group=self.other_group.pk, vrf=self.other_vrf.pk)
        self.assertHttpStatus(response, status.HTTP_409_CONFLICT)
        self.assertEqual(response.data['available'], 0)
        self.assertEqual(self.state(), before)
        self.assertHttpStatus(self.allocate(), status.HTTP_201_CREATED)

    def test_create_errors_are_400_and_change_nothing(self):
        self.grant('add', 'view')
        url = reverse('plugins-api:netbox_archiflow-api:segment-list')
        before = (self.state(), Prefix.objects.count(), VLAN.objects.count())
        base = {'site_group': self.site_group.pk, 'vrf': self.vrf.pk}
        cases = [
            ({**base, 'site_group': {'slug': 'missing'}, 'prefix_length': 24}, 'site_group_not_found', 'site_group'),
            ({**base, 'vrf': {'name': 'missing'}, 'prefix_length': 24}, 'vrf_not_found', 'vrf'),
            ({**base, 'prefix': '10.60.0.300/24'}, 'invalid_prefix', 'prefix'),
            ({**base, 'prefix': 'banana'}, 'invalid_prefix', 'prefix'),
            ({**base, 'prefix': '10.60.0.0/24'}, 'prefix_exists', 'prefix'),
            ({**base, 'prefix': '10.60.200.0/24', 'vlan_id': 5000}, 'vid_out_of_range', 'vlan_id'),
            ({**base, 'prefix': '10.60.200.0/24', 'vlan_id': 'x'}, 'invalid', 'vlan_id'),
            ({**base}, 'invalid', 'prefix'),
            ({**base, 'prefix': '10.60.200.0/24', 'prefix_length': 24}, 'invalid', 'prefix'),
            ({**base, 'prefix_length': 8}, 'pool_exhausted', 'prefix_length'),
            ({**base, 'prefix': '10.60.200.0/24', 'dhcp': 'maybe'}, 'invalid', 'dhcp'),
            ({**base, 'prefix': '10.60.200.0/24', 'vlan_name': 1.5}, 'invalid', 'vlan_name'),
            ({**base, 'prefix': '10.60.200.0/24', 'vlan_name': {'id': 'x'}}, 'invalid', 'vlan_name'),
        ]
        for body, code, field in cases:
            with self.subTest(body=body):
                response = self.client.post(url, body, format='json', **self.header)
                self.assertEqual(response.status_code // 100, 4, response.data)
                self.assertEqual(response.data['code'], code, response.data)
                self.assertEqual(response.data['field'], field, response.data)
                self.assertIn('detail', response.data)
        self.assertEqual((self.state(), Prefix.objects.count(), VLAN.objects.count()), before)

    def test_create_with_slug_and_name_references(self):
        self.grant('add', 'view')
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-list'),
            {
                'site_group': {'slug': self.site_group.slug},
                'vrf': {'name': self.vrf.name},
                'prefix_length': 24,
                'vlan_name': 'first-free',
                'dhcp': True,
                'description': 'by slug',
            },
            format='json',
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(response.data['prefix']['prefix'], '10.60.3.0/24')
        self.assertEqual(response.data['site_group']['id'], self.site_group.pk)
        self.assertEqual(response.data['vlan']['name'], 'first-free')
        self.assertTrue(response.data['dhcp'])
        prefix = Prefix.objects.get(pk=response.data['prefix']['id'])
        self.assertEqual((prefix.status, prefix.tenant.name, prefix.role.name), ('active', 'RedBull', 'Data'))
        self.assertEqual(prefix.scope, self.site_group)
        self.assertEqual(prefix.vlan.group.scope, self.site_group)

    def test_tags_and_changelog_message_are_netbox_s(self):
        self.grant('add', 'change', 'view')
        red, blue = Tag.objects.create(name='red', slug='red'), Tag.objects.create(name='blue', slug='blue')
        create = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-list'),
            {
                'site_group': self.site_group.pk,
                'vrf': self.vrf.pk,
                'prefix_length': 24,
                'tags': [red.pk],
                'changelog_message': 'ticket 1',
            },
            format='json',
            **self.header,
        )
        self.assertHttpStatus(create, status.HTTP_201_CREATED)
        self.assertEqual([tag['slug'] for tag in create.data['tags']], ['red'])
        segment = Segment.objects.get(pk=create.data['id'])
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': segment.pk})
        patch = self.client.patch(url, {'add_tags': [blue.pk], 'remove_tags': [red.pk]}, format='json', **self.header)
        self.assertHttpStatus(patch, status.HTTP_200_OK)
        self.assertEqual([tag['slug'] for tag in patch.data['tags']], ['blue'])
        self.assertEqual(list(segment.tags.all()), [blue])
        change = ObjectChange.objects.filter(
            changed_object_type=ObjectType.objects.get_for_model(Segment), changed_object_id=segment.pk
        ).earliest('pk')
        self.assertEqual((change.action, change.message), ('create', 'ticket 1'))
        self.assertNotIn(red, segment.tags.all())

    def test_get_then_put_round_trip(self):
        self.grant('change', 'view')
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': self.segments[0].pk})
        body = self.client.get(url, **self.header).data
        body['description'] = 'round trip'
        response = self.client.put(url, body, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['description'], 'round trip')
        self.assertEqual(response.data['vlan']['id'], self.segments[0].vlan_id)

    def test_update_rejects_moving_pool(self):
        self.grant('change', 'view')
        segment = self.segments[0]
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': segment.pk})
        before = self.state()
        response = self.client.patch(url, {'site_group': self.other_group.pk}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual((response.data['code'], response.data['field']), ('immutable', 'site_group'))
        self.assertEqual(self.state(), before)

    def test_update_vlan_moves_prefix_and_deletes_orphaned_vlan(self):
        self.grant('change', 'view')
        segment = self.segments[0]
        old_vlan = segment.vlan
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': segment.pk})
        response = self.client.patch(url, {'vlan_id': 777, 'vlan_name': 'seven'}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['vlan']['vid'], 777)
        segment.refresh_from_db()
        self.assertEqual(segment.prefix.vlan_id, segment.vlan_id)
        self.assertEqual(segment.vlan.name, 'seven')
        self.assertFalse(VLAN.objects.filter(pk=old_vlan.pk).exists())

    def test_shared_vlan_survives_until_last_user_goes(self):
        self.grant('change', 'delete', 'view')
        a, b = self.segments[:2]
        service.update_segment(b, vlan_id=a.vlan.vid)
        b.refresh_from_db()
        self.assertEqual(a.vlan_id, b.vlan_id)
        url = reverse('plugins-api:netbox_archiflow-api:segment-detail', kwargs={'pk': a.pk})
        self.assertHttpStatus(self.client.delete(url, **self.header), 204)
        self.assertTrue(VLAN.objects.filter(pk=b.vlan_id).exists())
        self.assertFalse(Prefix.objects.filter(pk=a.prefix_id).exists())

    def test_native_prefix_edit_against_the_segment_is_a_clean_400(self):
        permission = ObjectPermission.objects.create(name='prefix change', actions=['change', 'view'])
        permission.users.add(self.user)
        permission.object_types.add(ObjectType.objects.get_for_model(Prefix))
        prefix = self.segments[0].prefix
        url = reverse('ipam-api:prefix-detail', kwargs={'pk': prefix.pk})
        response = self.client.patch(url, {'status': 'reserved'}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('allocate or release the segment instead', response.data['detail'])
        prefix.refresh_from_db()
        self.assertEqual(prefix.status, 'active')
        response = self.client.patch(url, {'description': 'ok'}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)

    def test_list_query_count_does_not_grow_with_rows(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.grant('view')
        url = reverse('plugins-api:netbox_archiflow-api:segment-list')
        self.client.get(url, **self.header)  # warm up per-session caches
        with CaptureQueriesContext(connection) as few:
            self.assertHttpStatus(self.client.get(url, **self.header), 200)
        make_segments(self.site_group, self.vrf, 12, length=26)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url, **self.header)
        self.assertEqual(response.data['count'], 16)
        self.assertEqual(len(many), len(few))

    def test_vlan_of_a_segment_cannot_be_deleted(self):
        permission = ObjectPermission.objects.create(name='vlan delete', actions=['delete', 'view'])
        permission.users.add(self.user)
        permission.object_types.add(ObjectType.objects.get_for_model(VLAN))
        vlan = self.segments[0].vlan
        response = self.client.delete(reverse('ipam-api:vlan-detail', kwargs={'pk': vlan.pk}), **self.header)
        self.assertHttpStatus(response, status.HTTP_409_CONFLICT)
        self.assertTrue(VLAN.objects.filter(pk=vlan.pk).exists())
