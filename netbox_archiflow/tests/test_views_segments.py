from django.test import override_settings
from django.urls import reverse
from ipam.models import VLAN, Prefix
from netbox.search.backends import search_backend
from utilities.testing import TestCase, ViewTestCases

from netbox_archiflow.models import Segment
from netbox_archiflow.search import SegmentIndex
from netbox_archiflow.services import segments as service

from .base import PluginViewTestMixin, grant
from .segment_fixtures import make_pool, make_segments


class SegmentViewTest(PluginViewTestMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = Segment
    validation_excluded_fields = ['prefix', 'prefix_length', 'vlan_id', 'vlan_name']

    @classmethod
    def setUpTestData(cls):
        site_group, vrf = make_pool('views', '10.70.0.0/16')
        make_segments(site_group, vrf, 3)
        cls.form_data = {
            'site_group': site_group.pk,
            'vrf': vrf.pk,
            'prefix': '10.70.100.0/24',
            'vlan_id': 321,
            'dhcp': True,
            'description': 'Created in the UI',
            'comments': '',
            'tags': [],
        }
        cls.csv_data = (
            'site_group,vrf,prefix,prefix_length,vlan_id,dhcp,description',
            f'{site_group.slug},{vrf.name},10.70.200.0/24,,400,true,imported 1',
            f'{site_group.slug},{vrf.name},,25,,false,imported 2',
            f'{site_group.slug},{vrf.name},10.70.201.0/24,,400,false,imported 3',
        )
        ids = list(Segment.objects.order_by('pk').values_list('pk', flat=True))
        cls.csv_update_data = (
            'id,description',
            f'{ids[0]},new description 1',
            f'{ids[1]},new description 2',
            f'{ids[2]},new description 3',
        )
        cls.bulk_edit_data = {'description': 'Bulk edited', 'dhcp': True}


class SegmentActionViewTest(TestCase):
    user_permissions = ()

    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('uiact', '10.71.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 2)

    def grant(self, *actions, model=Segment):
        grant(self.user, model, actions)

    def test_allocate_needs_permission(self):
        url = reverse('plugins:netbox_archiflow:segment_allocate')
        self.assertHttpStatus(self.client.get(url), 403)
        data = {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'cluster': 'ui-c', 'count': 1}
        self.assertHttpStatus(self.client.post(url, data), 403)
        self.assertFalse(Segment.objects.filter(cluster='ui-c').exists())

    def test_allocate_and_release_buttons_and_views(self):
        self.grant('view', 'allocate', 'release')
        list_page = self.client.get(reverse('plugins:netbox_archiflow:segment_list'))
        self.assertContains(list_page, reverse('plugins:netbox_archiflow:segment_allocate'))
        url = reverse('plugins:netbox_archiflow:segment_allocate')
        page = self.client.get(url)
        self.assertHttpStatus(page, 200)
        segments = reverse('plugins:netbox_archiflow:segment_list')
        self.assertContains(page, f'<li class="breadcrumb-item"><a href="{segments}">Segments</a></li>', html=True)
        response = self.client.post(
            url, {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'cluster': 'ui-c', 'count': 1}
        )
        segment = Segment.objects.get(cluster='ui-c')
        self.assertRedirects(response, segment.get_absolute_url(), fetch_redirect_response=False)
        release_url = reverse('plugins:netbox_archiflow:segment_release', kwargs={'pk': segment.pk})
        detail = self.client.get(segment.get_absolute_url())
        self.assertContains(detail, release_url)
        self.client.post(release_url)
        segment.refresh_from_db()
        self.assertEqual(segment.status, 'free')

    def test_release_forms_carry_a_valid_csrf_token(self):
        """The button is rendered outside the page's template context: its form needs the token passed in."""
        import re

        from django.test import Client

        self.grant('view', 'release')
        first, second = service.allocate_segments(self.site_group, self.vrf, 'csrf-c', 2)[0]
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user)
        release = reverse('plugins:netbox_archiflow:segment_release', kwargs={'pk': first.pk})
        page = client.get(first.get_absolute_url()).content.decode()
        form = re.search(rf'<form action="{release}".*?</form>', page, re.S).group(0)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = client.post(release, {'csrfmiddlewaretoken': token})
        self.assertRedirects(response, first.get_absolute_url(), fetch_redirect_response=False)
        first.refresh_from_db()
        self.assertEqual(first.status, 'free')

        # The list row's Release posts the list's own form (forms cannot nest), which carries the token.
        listing = client.get(reverse('plugins:netbox_archiflow:segment_list')).content.decode()
        row_release = reverse('plugins:netbox_archiflow:segment_release', kwargs={'pk': second.pk})
        self.assertIn(f'formaction="{row_release}?return_url=', listing)
        self.assertNotIn(f'formaction="{release}?', listing)

    def test_allocate_exhausted_shows_error_and_changes_nothing(self):
        self.grant('view', 'allocate')
        url = reverse('plugins:netbox_archiflow:segment_allocate')
        response = self.client.post(
            url, {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'cluster': 'big', 'count': 5}
        )
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Only 2 free segment(s)')
        self.assertFalse(Segment.objects.filter(status='allocated').exists())

    def test_release_button_hidden_without_permission(self):
        self.grant('view')
        segment, _ = service.allocate_segments(self.site_group, self.vrf, 'c1')
        detail = self.client.get(segment[0].get_absolute_url())
        self.assertHttpStatus(detail, 200)
        self.assertNotContains(
            detail, reverse('plugins:netbox_archiflow:segment_release', kwargs={'pk': segment[0].pk})
        )
        self.assertHttpStatus(
            self.client.post(reverse('plugins:netbox_archiflow:segment_release', kwargs={'pk': segment[0].pk})), 403
        )

    def test_add_form_error_is_shown_and_changes_nothing(self):
        self.grant('view', 'add')
        self.grant('view', model=type(self.site_group))
        self.grant('view', model=type(self.vrf))
        before = (Segment.objects.count(), Prefix.objects.count(), VLAN.objects.count())
        response = self.client.post(
            reverse('plugins:netbox_archiflow:segment_add'),
            {'site_group': self.site_group.pk, 'vrf': self.vrf.pk, 'prefix': str(self.segments[0].prefix.prefix)},
        )
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'already exists in VRF')
        self.assertEqual((Segment.objects.count(), Prefix.objects.count(), VLAN.objects.count()), before)

    def test_segments_panel_on_site_group_and_vrf(self):
        self.grant('view')
        self.grant('view', model=type(self.site_group))
        self.grant('view', model=type(self.vrf))
        for obj in (self.site_group, self.vrf):
            page = self.client.get(obj.get_absolute_url())
            self.assertHttpStatus(page, 200)
            self.assertContains(page, 'ArchiFlow segments')
            self.assertContains(page, str(self.segments[0].prefix.prefix))

    def test_segment_panel_on_prefix_and_vlan_pages(self):
        self.grant('view')
        self.grant('view', model=Prefix)
        self.grant('view', model=VLAN)
        segment = service.allocate_segments(self.site_group, self.vrf, 'panel-cluster')[0][0]
        for page in (
            self.client.get(segment.prefix.get_absolute_url()),
            self.client.get(segment.vlan.get_absolute_url()),
        ):
            self.assertHttpStatus(page, 200)
            self.assertContains(page, segment.get_absolute_url())
            self.assertContains(page, 'panel-cluster')
            self.assertContains(page, 'Allocated')
        container = Prefix.objects.get(vrf=self.vrf, status='container')
        self.assertNotContains(self.client.get(container.get_absolute_url()), 'ArchiFlow segment')

    def test_list_page_query_count_does_not_grow_with_rows(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.grant('view')
        url = reverse('plugins:netbox_archiflow:segment_list')
        self.client.get(url)  # warm up per-session caches
        with CaptureQueriesContext(connection) as few:
            self.assertHttpStatus(self.client.get(url), 200)
        make_segments(self.site_group, self.vrf, 10, length=26)
        with CaptureQueriesContext(connection) as many:
            self.assertHttpStatus(self.client.get(url), 200)
        self.assertEqual(len(many), len(few))

    @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'])
    def test_deleting_segment_vlan_in_ui_is_refused_cleanly(self):
        self.grant('delete', model=VLAN)
        vlan = self.segments[0].vlan
        response = self.client.post(reverse('ipam:vlan_delete', kwargs={'pk': vlan.pk}), {'confirm': True})
        self.assertIn(response.status_code, (200, 302))
        self.assertTrue(VLAN.objects.filter(pk=vlan.pk).exists())

    def test_search_index_caches_the_prefix_as_a_cidr(self):
        segment = self.segments[1]
        cached = {value.name: value for value in SegmentIndex.to_cache(segment)}
        self.assertEqual(cached['network'].type, 'cidr')
        self.assertEqual(cached['network'].value, str(segment.prefix.prefix))

    def test_global_search_finds_a_segment_by_its_prefix(self):
        self.grant('view')
        search_backend.cache(self.segments)  # NetBox indexes after commit, which a TestCase never reaches
        segment = self.segments[1]
        response = self.client.get(reverse('search'), {'q': str(segment.prefix.prefix)})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertTrue(segment.get_absolute_url() in html, 'the segment is not among the search results')
        self.assertFalse(self.segments[0].get_absolute_url() in html, 'an unrelated segment matched')
