"""NetBox cluster events drive segment allocation: create, edit and delete through the ORM, the UI form,
REST and bulk import; alerts when nothing can be allocated; the change log under the cluster's save."""

import json

from core.models import ObjectChange
from dcim.models import Location, Region, Site, SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from ipam.models import Prefix
from netbox.search.backends import search_backend
from rest_framework import status
from utilities.testing import APITestCase, TestCase
from virtualization.models import Cluster, ClusterGroup, ClusterType

from netbox_archiflow.models import Alert, Segment
from netbox_archiflow.services import segments as service

from .segment_fixtures import make_pool, make_segments
from .test_services_segments import TEST_SETTINGS

RULES = [{'cluster_type': 'auto-k8s', 'vrf': 'VRF auto', 'count': 1}]


def rules(*rules):
    return override_settings(PLUGINS_CONFIG={'netbox_archiflow': {**TEST_SETTINGS, 'cluster_segments': list(rules)}})


def held_by(cluster):
    return list(Segment.objects.filter(netbox_cluster=cluster).order_by('prefix__prefix'))


def open_alert(cluster):
    return Alert.objects.filter(
        alert_type='segment_unavailable',
        object_type=ContentType.objects.get_for_model(Cluster),
        object_id=cluster.pk,
        resolved_at__isnull=True,
    ).first()


class ClusterFixtures:
    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('auto', '10.84.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 2)
        # A second site group with a pool in the same VRF
        cls.other_group = SiteGroup.objects.create(name='SG auto other', slug='sg-auto-other')
        Prefix.objects.create(
            prefix='10.86.0.0/16',
            vrf=cls.vrf,
            status='container',
            scope_type=ContentType.objects.get_for_model(SiteGroup),
            scope_id=cls.other_group.pk,
        )
        make_segments(cls.other_group, cls.vrf, 1)
        cls.site = Site.objects.create(name='Auto site', slug='auto-site', group=cls.site_group)
        cls.location = Location.objects.create(name='Auto room', slug='auto-room', site=cls.site)
        cls.region = Region.objects.create(name='Auto region', slug='auto-region')
        cls.k8s = ClusterType.objects.create(name='Auto K8s', slug='auto-k8s')
        cls.vmware = ClusterType.objects.create(name='Auto VMware', slug='auto-vmware')

    def cluster(self, name='c1', cluster_type=None, scope=None, **kwargs):
        return Cluster.objects.create(
            name=name, type=cluster_type or self.k8s, scope=self.site_group if scope is None else scope, **kwargs
        )


@rules(*RULES)
class ClusterEventsTest(ClusterFixtures, TestCase):
    def test_matching_cluster_gets_exactly_its_segment_once(self):
        cluster = self.cluster()
        [segment] = held_by(cluster)
        self.assertEqual((segment.status, segment.cluster, segment.site_group), ('allocated', 'c1', self.site_group))
        self.assertEqual(segment.prefix.status, 'reserved')
        cluster.description = 'saved again'
        cluster.save()
        self.assertEqual(held_by(cluster), [segment])
        self.assertEqual(Segment.objects.filter(status='allocated').count(), 1)
        self.assertIsNone(open_alert(cluster))

    def test_site_group_of_a_site_or_location_scope(self):
        by_site = self.cluster('by-site', scope=self.site)
        by_location = self.cluster('by-location', scope=self.location)
        self.assertEqual([s.site_group for s in held_by(by_site) + held_by(by_location)], [self.site_group] * 2)

    def test_non_matching_cluster_gets_nothing(self):
        cluster = self.cluster(cluster_type=self.vmware)
        self.assertEqual(held_by(cluster), [])
        self.assertFalse(Segment.objects.filter(status='allocated').exists())
        self.assertIsNone(open_alert(cluster))

    def test_group_rule_and_count(self):
        group = ClusterGroup.objects.create(name='Edge', slug='edge')
        with rules({'cluster_group': 'edge', 'vrf': 'VRF auto', 'count': 2}):
            cluster = self.cluster(cluster_type=self.vmware, group=group)
            self.assertEqual(len(held_by(cluster)), 2)
            self.assertEqual(held_by(self.cluster('no-group', cluster_type=self.vmware)), [])

    def test_no_site_group_raises_an_alert_until_the_cluster_gets_one(self):
        cluster = self.cluster(scope=self.region)
        self.assertTrue(Cluster.objects.filter(pk=cluster.pk).exists())  # the operator's change wins
        alert = open_alert(cluster)
        self.assertEqual((alert.severity, alert.details['site_group']), ('warning', None))
        self.assertIn('no site group', alert.message)
        cluster.scope = self.site
        cluster.save()
        self.assertEqual(len(held_by(cluster)), 1)
        self.assertIsNone(open_alert(cluster))

    def test_edited_to_match_gets_and_stops_matching_releases(self):
        cluster = self.cluster(cluster_type=self.vmware)
        cluster.type = self.k8s
        cluster.save()
        [segment] = held_by(cluster)
        cluster.type = self.vmware
        cluster.save()
        segment.refresh_from_db()
        self.assertEqual((segment.status, segment.cluster, segment.netbox_cluster), ('free', '', None))
        self.assertEqual(segment.prefix.status, 'active')

    def test_moving_scope_moves_the_segment_to_the_new_pool(self):
        cluster = self.cluster()
        [old] = held_by(cluster)
        cluster.scope = self.other_group
        cluster.save()
        [new] = held_by(cluster)
        self.assertEqual(new.site_group, self.other_group)
        old.refresh_from_db()
        self.assertEqual(old.status, 'free')

    def test_rename_is_followed_by_the_holder_name(self):
        cluster = self.cluster()
        cluster.name = 'c1-renamed'
        cluster.save()
        self.assertEqual([s.cluster for s in held_by(cluster)], ['c1-renamed'])

    def test_delete_releases(self):
        cluster = self.cluster()
        [segment] = held_by(cluster)
        cluster.delete()
        segment.refresh_from_db()
        self.assertEqual((segment.status, segment.cluster, segment.netbox_cluster_id), ('free', '', None))
        self.assertEqual(segment.prefix.status, 'active')

    def test_exhaustion_raises_the_alert_and_a_freed_or_new_segment_resolves_it(self):
        first, second = self.cluster('first'), self.cluster('second')
        third = self.cluster('third')
        self.assertEqual(held_by(third), [])
        alert = open_alert(third)
        self.assertIn('Only 0 free segment(s)', alert.message)
        self.assertEqual(alert.details['site_group'], self.site_group.pk)
        with self.captureOnCommitCallbacks(execute=True):
            first.delete()
        self.assertEqual(len(held_by(third)), 1)
        self.assertIsNone(open_alert(third))
        alert.refresh_from_db()
        self.assertIsNotNone(alert.resolved_at)

        fourth = self.cluster('fourth')
        self.assertIsNotNone(open_alert(fourth))
        with self.captureOnCommitCallbacks(execute=True):
            service.create_segment(site_group=self.site_group, vrf=self.vrf, prefix_length=24)
        self.assertEqual(len(held_by(fourth)), 1)
        self.assertIsNone(open_alert(fourth))
        self.assertEqual(len(held_by(second)), 1)

    def test_unknown_vrf_is_reported_on_the_alert(self):
        with rules({'cluster_type': 'auto-k8s', 'vrf': 'No such VRF'}):
            cluster = self.cluster()
        self.assertIn("VRF 'No such VRF' does not exist", open_alert(cluster).message)

    def test_raw_saves_are_ignored(self):
        cluster = Cluster(name='fixture', type=self.k8s, scope=self.site_group)
        cluster.save_base(raw=True)
        self.assertEqual(held_by(cluster), [])
        self.assertIsNone(open_alert(cluster))


@rules(*RULES)
class ClusterViewsTest(ClusterFixtures, TestCase):
    def test_ui_form_create_page_panel_and_delete(self):
        self.add_permissions(
            'virtualization.add_cluster',
            'virtualization.view_cluster',
            'virtualization.delete_cluster',
            'virtualization.view_clustertype',
            'dcim.view_site',
            'netbox_archiflow.view_segment',
            'ipam.view_prefix',
        )
        response = self.client.post(
            reverse('virtualization:cluster_add'),
            {
                'name': 'ui-cluster',
                'type': self.k8s.pk,
                'status': 'active',
                'scope_content_type': ContentType.objects.get_for_model(Site).pk,
                'scope_object_id': self.site.pk,
            },
        )
        self.assertHttpStatus(response, 302)
        cluster = Cluster.objects.get(name='ui-cluster')
        [segment] = held_by(cluster)
        # The allocation is change-logged under the cluster's save, as the user who saved it
        created = ObjectChange.objects.get(changed_object_type__model='cluster', changed_object_id=cluster.pk)
        allocated = ObjectChange.objects.get(changed_object_type__model='segment', changed_object_id=segment.pk)
        self.assertEqual((allocated.request_id, allocated.user), (created.request_id, self.user))
        self.assertEqual(allocated.postchange_data['netbox_cluster'], cluster.pk)
        self.assertTrue(
            ObjectChange.objects.filter(
                changed_object_type__model='prefix', changed_object_id=segment.prefix_id, request_id=created.request_id
            ).exists()
        )

        page = self.client.get(cluster.get_absolute_url())
        self.assertContains(page, 'Segments')
        self.assertContains(page, segment.get_absolute_url())
        prefix_page = self.client.get(segment.prefix.get_absolute_url())
        self.assertContains(prefix_page, cluster.get_absolute_url())  # the native prefix shows its cluster
        self.add_permissions('ipam.view_vlan')
        self.assertContains(self.client.get(segment.vlan.get_absolute_url()), cluster.get_absolute_url())

        response = self.client.post(reverse('virtualization:cluster_delete', args=[cluster.pk]), {'confirm': True})
        self.assertHttpStatus(response, 302)
        segment.refresh_from_db()
        self.assertEqual((segment.status, segment.netbox_cluster_id), ('free', None))
        released = ObjectChange.objects.filter(changed_object_type__model='segment', changed_object_id=segment.pk)
        self.assertEqual(released.latest('time').postchange_data['status'], 'free')
        self.assertEqual(released.latest('time').user, self.user)

    def test_ui_form_edit_releases_and_allocates(self):
        self.add_permissions(
            'virtualization.change_cluster',
            'virtualization.view_cluster',
            'virtualization.view_clustertype',
            'dcim.view_sitegroup',
        )
        cluster = self.cluster('ui-edit')
        [segment] = held_by(cluster)
        url = reverse('virtualization:cluster_edit', args=[cluster.pk])
        form = {
            'name': 'ui-edit',
            'status': 'active',
            'scope_content_type': ContentType.objects.get_for_model(SiteGroup).pk,
            'scope_object_id': self.site_group.pk,
        }
        self.assertHttpStatus(self.client.post(url, {**form, 'type': self.vmware.pk}), 302)
        self.assertEqual(held_by(cluster), [])
        segment.refresh_from_db()
        self.assertEqual(segment.status, 'free')
        self.assertHttpStatus(self.client.post(url, {**form, 'type': self.k8s.pk}), 302)
        self.assertEqual(len(held_by(cluster)), 1)

    def test_bulk_import(self):
        self.add_permissions(
            'virtualization.add_cluster', 'virtualization.view_cluster', 'virtualization.view_clustertype'
        )
        csv = '\n'.join(
            (
                'name,type,status,scope_type,scope_id',
                f'imported-1,Auto K8s,active,dcim.sitegroup,{self.site_group.pk}',
                f'imported-2,Auto K8s,active,dcim.site,{self.site.pk}',
                f'imported-3,Auto VMware,active,dcim.site,{self.site.pk}',
            )
        )
        response = self.client.post(
            reverse('virtualization:cluster_bulk_import'), {'data': csv, 'format': 'csv', 'csv_delimiter': ','}
        )
        self.assertHttpStatus(response, 302)
        holders = dict(Segment.objects.filter(status='allocated').values_list('cluster', 'netbox_cluster__name'))
        self.assertEqual(holders, {'imported-1': 'imported-1', 'imported-2': 'imported-2'})


@rules(*RULES)
class ClusterAPITest(ClusterFixtures, APITestCase):
    def test_rest_create_edit_delete(self):
        self.add_permissions(
            'virtualization.add_cluster', 'virtualization.change_cluster', 'virtualization.delete_cluster'
        )
        self.add_permissions('virtualization.view_cluster')
        response = self.client.post(
            reverse('virtualization-api:cluster-list'),
            {
                'name': 'api-cluster',
                'type': self.k8s.pk,
                'scope_type': 'dcim.sitegroup',
                'scope_id': self.site_group.pk,
            },
            format='json',
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        cluster = Cluster.objects.get(pk=response.data['id'])
        [segment] = held_by(cluster)
        change = ObjectChange.objects.get(changed_object_type__model='segment', changed_object_id=segment.pk)
        self.assertEqual(change.user, self.user)

        url = reverse('virtualization-api:cluster-detail', args=[cluster.pk])
        response = self.client.patch(url, {'type': self.vmware.pk}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(held_by(cluster), [])
        response = self.client.patch(url, {'type': self.k8s.pk}, format='json', **self.header)
        [segment] = held_by(cluster)
        self.assertHttpStatus(self.client.delete(url, **self.header), status.HTTP_204_NO_CONTENT)
        segment.refresh_from_db()
        self.assertEqual(segment.status, 'free')
        self.assertEqual(Segment.objects.filter(status='allocated').count(), 0)

    def test_exhausted_pool_still_saves_the_cluster(self):
        self.add_permissions('virtualization.add_cluster')
        for name in ('a', 'b', 'c'):
            response = self.client.post(
                reverse('virtualization-api:cluster-list'),
                {'name': name, 'type': self.k8s.pk, 'scope_type': 'dcim.sitegroup', 'scope_id': self.site_group.pk},
                format='json',
                **self.header,
            )
            self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(Segment.objects.filter(status='allocated').count(), 2)
        self.assertIsNotNone(open_alert(Cluster.objects.get(name='c')))


class ClusterLinkInterfacesTest(ClusterFixtures, APITestCase):
    """The link is shown and filterable in REST, GraphQL, JSON-RPC, the UI list and global search."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.linked = Cluster.objects.create(name='linked-c', type=cls.vmware, scope=cls.site_group)
        [cls.segment], _ = service.allocate_segments(cls.site_group, cls.vrf, 'linked-c')  # by name: linked
        service.allocate_segments(cls.site_group, cls.vrf, 'free-text-holder')

    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.view_segment', 'virtualization.view_cluster')

    def test_rest_shows_and_filters(self):
        url = reverse('plugins-api:netbox_archiflow-api:segment-list')
        response = self.client.get(f'{url}?netbox_cluster_id={self.linked.pk}', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        [row] = response.data['results']
        self.assertEqual((row['cluster'], row['netbox_cluster']['id']), ('linked-c', self.linked.pk))
        response = self.client.get(f'{url}?netbox_cluster=linked-c', **self.header)
        self.assertEqual([r['id'] for r in response.data['results']], [self.segment.pk])
        response = self.client.get(f'{url}?cluster=free-text-holder', **self.header)
        self.assertIsNone(response.data['results'][0]['netbox_cluster'])

    def test_rest_allocate_by_cluster_id(self):
        self.add_permissions('netbox_archiflow.allocate_segment')
        other = Cluster.objects.create(name='by-id', type=self.vmware)
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-allocate'),
            {'site_group': self.other_group.pk, 'vrf': self.vrf.pk, 'cluster': {'id': other.pk}},
            format='json',
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(response.data[0]['netbox_cluster']['id'], other.pk)
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:segment-allocate'),
            {'site_group': self.other_group.pk, 'vrf': self.vrf.pk, 'cluster': {'id': 999999}},
            format='json',
            **self.header,
        )
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual((response.data['code'], response.data['field']), ('cluster_not_found', 'cluster'))

    def test_graphql_shows_and_filters(self):
        cluster_filter = '{netbox_cluster_id: "' + str(self.linked.pk) + '"}'
        fields = '{ id cluster netbox_cluster { id name } }'
        query = f'{{ netbox_archiflow_segment_list(filters: {cluster_filter}) {fields} }}'
        response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertNotIn('errors', response.json())
        rows = response.json()['data']['netbox_archiflow_segment_list']
        self.assertEqual(
            rows,
            [
                {
                    'id': str(self.segment.pk),
                    'cluster': 'linked-c',
                    'netbox_cluster': {'id': str(self.linked.pk), 'name': 'linked-c'},
                }
            ],
        )

    def test_rpc_shows_and_filters(self):
        url = reverse('plugins-api:netbox_archiflow-api:rpc')
        body = {
            'jsonrpc': '2.0',
            'id': 1,
            'method': 'tools/call',
            'params': {'name': 'get-segments', 'arguments': {'clusterId': self.linked.pk}},
        }
        response = self.client.post(url, json.dumps(body), content_type='application/json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        segments = response.json()['result']['structuredContent']['segments']
        self.assertEqual([(s['id'], s['clusterId']) for s in segments], [(self.segment.pk, self.linked.pk)])

    def test_ui_list_filter_and_search(self):
        self.client.force_login(self.user)
        url = reverse('plugins:netbox_archiflow:segment_list')
        page = self.client.get(f'{url}?netbox_cluster_id={self.linked.pk}')
        self.assertContains(page, self.segment.get_absolute_url())
        self.assertNotContains(page, 'free-text-holder')
        self.assertContains(self.client.get(self.segment.get_absolute_url()), self.linked.get_absolute_url())
        search_backend.cache(Segment.objects.all())  # NetBox indexes after commit, which a TestCase never reaches
        response = self.client.get(reverse('search'), {'q': 'linked-c'})
        self.assertContains(response, self.segment.get_absolute_url())
