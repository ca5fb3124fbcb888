"""The Diagrams tab on linked objects and the Links tab of a diagram: permissions, highlighting, bounded queries."""

from dcim.models import Site
from django.apps import apps
from django.urls import reverse
from utilities.testing import TestCase, create_test_device
from utilities.testing.query_counts import assert_expected_query_count
from utilities.views import get_viewname

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import DiagramLink
from netbox_archiflow.plugin_settings import linkable_types
from netbox_archiflow.services import diagrams as service

from .base import grant
from .segment_fixtures import make_pool, make_segments


def linked(cell_id, obj, label=None):
    object_type = f'{obj._meta.app_label}.{obj._meta.model_name}'
    return samples.linked_cell(cell_id, label or str(obj), object_type, obj.pk, display=str(obj))


def tab_url(obj):
    return reverse(get_viewname(obj, 'archiflow_diagrams'), kwargs={'pk': obj.pk})


class TabsTestMixin:
    model = DiagramLink  # query-count baselines are filed under diagramlink:

    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.device = create_test_device('core-sw-01', site=cls.site)
        cls.unlinked = create_test_device('spare-01', site=cls.site)
        cls.fabric = service.create_diagram('Fabric', samples.mxfile(linked('sw', cls.device), linked('s', cls.site)))
        cls.secret = service.create_diagram('Secret', samples.mxfile(linked('a', cls.device, 'uplink A')))

    def grant(self, model, constraints=None):
        grant(self.user, model, constraints=constraints)


class ObjectDiagramsTabTest(TabsTestMixin, TestCase):
    def test_every_linkable_model_has_the_tab(self):
        for object_type in sorted(linkable_types()):
            with self.subTest(object_type=object_type):
                model = apps.get_model(object_type)
                self.assertTrue(reverse(get_viewname(model, 'archiflow_diagrams'), kwargs={'pk': 1}))

    def test_tab_lists_the_visible_diagrams_with_their_cells(self):
        self.grant('dcim.device')
        self.grant('netbox_archiflow.diagram', {'name': 'Fabric'})
        self.grant('netbox_archiflow.diagramlink')
        response = self.client.get(self.device.get_absolute_url())
        self.assertContains(response, tab_url(self.device))
        response = self.client.get(tab_url(self.device))
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Fabric')
        self.assertNotContains(response, 'Secret')
        self.assertNotContains(response, 'uplink A')
        viewer = reverse('plugins:netbox_archiflow:diagram_viewer', args=[self.fabric.pk])
        self.assertContains(response, f'{viewer}?object=dcim.device%3A{self.device.pk}')
        self.assertContains(response, reverse('plugins:netbox_archiflow:diagram_preview', args=[self.fabric.pk]))

    def test_badge_counts_visible_diagrams_and_unlinked_objects_have_no_tab(self):
        self.grant('dcim.device')
        self.grant('netbox_archiflow.diagram')
        self.grant('netbox_archiflow.diagramlink')
        html = self.client.get(self.device.get_absolute_url()).content.decode()
        tab = html[html.index(tab_url(self.device)) :][:400]
        self.assertRegex(tab, r'Diagrams\s*<span class="badge[^"]*"[^>]*>\s*2\s*</span>')
        self.assertNotContains(self.client.get(self.unlinked.get_absolute_url()), tab_url(self.unlinked))

    def test_without_diagram_permission_there_is_no_tab_and_no_card(self):
        self.grant('dcim.device')
        self.assertNotContains(self.client.get(self.device.get_absolute_url()), tab_url(self.device))
        response = self.client.get(tab_url(self.device))
        self.assertHttpStatus(response, 200)
        self.assertNotContains(response, 'Fabric')

    def test_the_object_itself_needs_view_permission(self):
        self.grant('netbox_archiflow.diagram')
        self.assertHttpStatus(self.client.get(tab_url(self.device)), 403)

    def test_plugin_objects_have_the_tab(self):
        site_group, vrf = make_pool('tab', '10.70.0.0/22')
        (segment,) = make_segments(site_group, vrf, 1)
        service.save_diagram(self.secret, samples.mxfile(linked('seg', segment, 'segment-1')))
        self.user.is_superuser = True
        self.user.save()
        response = self.client.get(tab_url(segment))
        self.assertContains(response, 'segment-1')
        self.assertContains(response, 'Secret')

    def test_query_count_is_bounded_by_diagrams_not_cells(self):
        self.user.is_superuser = True
        self.user.save()
        url = tab_url(self.device)
        self.client.get(url)  # warm the caches
        with assert_expected_query_count(self, 'object_diagrams_tab'):
            self.client.get(url)
        many = [linked(f'c{n}', self.device, f'port {n}') for n in range(30)]
        for n in range(3):
            service.create_diagram(f'More {n}', samples.mxfile(*many))
        with assert_expected_query_count(self, 'object_diagrams_tab'):
            response = self.client.get(url)
        self.assertContains(response, 'port 29')


class DiagramLinksTabTest(TabsTestMixin, TestCase):
    def test_links_show_object_broken_and_hidden_with_highlight(self):
        ghost = samples.linked_cell('ghost', 'gone', 'dcim.device', 999999, display='old-sw')
        service.save_diagram(self.fabric, samples.mxfile(linked('sw', self.device), linked('s', self.site), ghost))
        self.grant('netbox_archiflow.diagram')
        self.grant('netbox_archiflow.diagramlink')
        self.grant('dcim.device')
        url = reverse('plugins:netbox_archiflow:diagram_links', args=[self.fabric.pk])
        response = self.client.get(url, {'highlight': f'dcim.device:{self.device.pk}'})
        self.assertHttpStatus(response, 200)
        html = response.content.decode()

        def row(cell_id):
            start = html.rindex('<tr', 0, html.index(f'data-cell="{cell_id}"'))
            return html[start : html.index('</tr>', start)]

        self.assertIn('archiflow-highlighted', row('sw'))
        self.assertIn(self.device.get_absolute_url(), row('sw'))
        self.assertIn('Linked', row('sw'))
        self.assertIn('Broken', row('ghost'))
        site_row = row('s')
        self.assertIn('Hidden', site_row)  # no view permission on sites
        self.assertNotIn(self.site.get_absolute_url(), site_row)
        self.assertNotIn('archiflow-highlighted', site_row)

    def test_links_tab_needs_the_link_permission(self):
        self.grant('netbox_archiflow.diagram')
        response = self.client.get(self.fabric.get_absolute_url())
        url = reverse('plugins:netbox_archiflow:diagram_links', args=[self.fabric.pk])
        self.assertNotContains(response, url)
        self.assertNotContains(self.client.get(url), 'data-cell="sw"')

    def test_query_count_is_bounded_by_object_types(self):
        self.user.is_superuser = True
        self.user.save()
        url = reverse('plugins:netbox_archiflow:diagram_links', args=[self.fabric.pk])
        self.client.get(url)
        with assert_expected_query_count(self, 'diagram_links_tab'):
            self.client.get(url)
        devices = [create_test_device(f'd{n}', site=self.site) for n in range(10)]
        cells = [linked(f'c{n}', device) for n, device in enumerate(devices)]
        service.save_diagram(self.fabric, samples.mxfile(linked('s', self.site), *cells))
        with assert_expected_query_count(self, 'diagram_links_tab'):
            self.client.get(url)


class DiagramViewerTest(TabsTestMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.grant('netbox_archiflow.diagram')
        self.grant('netbox_archiflow.diagramlink')
        self.grant('dcim.device')
        self.url = reverse('plugins:netbox_archiflow:diagram_viewer', args=[self.fabric.pk])

    def test_object_is_highlighted_and_only_visible_objects_are_clickable(self):
        response = self.client.get(self.url, {'object': f'dcim.device:{self.device.pk}'})
        self.assertHttpStatus(response, 200)
        config = response.context['viewer_config']
        self.assertEqual(config['highlight'], [{'page': 'p1', 'cell': 'sw'}])
        # No view permission on sites: the site's cell leads nowhere.
        self.assertEqual(config['links'], [{'page': 'p1', 'cell': 'sw', 'url': self.device.get_absolute_url()}])
        self.assertEqual(config['statusUrl'], f'/api/plugins/archiflow/diagrams/{self.fabric.pk}/status/')
        self.assertEqual(config['interval'], 30)

    def test_cell_is_highlighted(self):
        response = self.client.get(self.url, {'cell': 's'})
        self.assertEqual(response.context['viewer_config']['highlight'], [{'page': 'p1', 'cell': 's'}])

    def test_malformed_object_is_a_400_naming_the_parameter(self):
        response = self.client.get(self.url, {'object': 'dcim.device'})
        self.assertHttpStatus(response, 400)

    def test_the_link_of_an_object_opens_the_viewer(self):
        link = DiagramLink.objects.get(diagram=self.fabric, cell_id='sw')
        self.assertEqual(link.get_absolute_url(), f'{self.url}?object=dcim.device%3A{self.device.pk}')
