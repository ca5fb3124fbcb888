"""REST and GraphQL for the link index: read-only, filtered, restricted to what the user may view."""

from dcim.models import Device, Interface, Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ipam.models import Prefix
from utilities.testing import APITestCase, APIViewTestCases, create_test_device

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramLink
from netbox_archiflow.services import diagrams as service

from .base import PluginAPITestMixin, grant

LIST = 'plugins-api:netbox_archiflow-api:diagramlink-list'


def linked(cell_id, obj, **kwargs):
    object_type = f'{obj._meta.app_label}.{obj._meta.model_name}'
    return samples.linked_cell(cell_id, str(obj), object_type, obj.pk, display=str(obj), **kwargs)


def make_links(cls):
    cls.site = Site.objects.create(name='Site 1', slug='site-1')
    cls.device = create_test_device('core-sw-01', site=cls.site)
    cls.interface = Interface.objects.create(device=cls.device, name='eth0', type='1000base-t')
    cls.prefix = Prefix.objects.create(prefix='10.0.0.0/24')
    ghost = samples.linked_cell('ghost', 'gone', 'dcim.device', 999999, display='old-sw')
    cls.diagram = service.create_diagram(
        'Fabric',
        samples.mxfile(linked('sw', cls.device), linked('eth', cls.interface), linked('net', cls.prefix), ghost),
    )
    cls.other = service.create_diagram('Secret', samples.mxfile(linked('sw', cls.device)))


class DiagramLinkAPITestCase(
    PluginAPITestMixin,
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    model = DiagramLink
    brief_fields = ['cell_id', 'display', 'id', 'label', 'object_id', 'object_type', 'url']
    graphql_base_name = 'netbox_archiflow_diagram_link'

    @classmethod
    def setUpTestData(cls):
        make_links(cls)

    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.view_diagram')  # links are read through their diagram


class DiagramLinkRulesTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        make_links(cls)

    def get(self, **params):
        response = self.client.get(reverse(LIST), params, **self.header)
        self.assertHttpStatus(response, 200)
        return response.json()['results']

    def grant(self, model, constraints=None):
        grant(self.user, model, constraints=constraints)

    def test_links_follow_diagram_and_object_permissions(self):
        self.grant('netbox_archiflow.diagramlink')
        self.assertEqual(self.get(), [])  # no diagram visible
        self.grant('netbox_archiflow.diagram', {'name': 'Fabric'})
        rows = {row['cell_id']: row for row in self.get()}
        self.assertEqual(set(rows), {'sw', 'eth', 'net', 'ghost'})
        # The objects are hidden (no view permission on them) but not broken, except the missing one.
        self.assertEqual(
            {k: (r['object'], r['broken']) for k, r in rows.items()},
            {'sw': (None, False), 'eth': (None, False), 'net': (None, False), 'ghost': (None, True)},
        )
        self.grant('dcim.device')
        rows = {row['cell_id']: row for row in self.get()}
        self.assertEqual(rows['sw']['object']['name'], 'core-sw-01')
        self.assertEqual(rows['sw']['object_type'], 'dcim.device')
        self.assertEqual(rows['sw']['diagram']['name'], 'Fabric')
        self.assertIsNone(rows['eth']['object'])

    def test_filters(self):
        self.user.is_superuser = True
        self.user.save()
        cells = lambda **params: sorted((r['diagram']['name'], r['cell_id']) for r in self.get(**params))  # noqa: E731
        device = {'object_type': 'dcim.device', 'object_id': self.device.pk}
        self.assertEqual(cells(**device), [('Fabric', 'sw'), ('Secret', 'sw')])
        self.assertEqual(cells(**device, diagram_id=self.other.pk), [('Secret', 'sw')])
        self.assertEqual(cells(broken='true'), [('Fabric', 'ghost')])
        self.assertEqual(len(cells(broken='false')), 4)
        self.assertEqual(cells(q='eth0'), [('Fabric', 'eth')])
        self.assertEqual(cells(object_type='ipam.prefix'), [('Fabric', 'net')])
        Device.objects.filter(pk=self.device.pk).delete()  # the interface goes with it
        self.assertEqual(
            cells(broken='true'), [('Fabric', 'eth'), ('Fabric', 'ghost'), ('Fabric', 'sw'), ('Secret', 'sw')]
        )

    def test_list_queries_are_bounded_by_object_types(self):
        self.user.is_superuser = True
        self.user.save()
        cells = [
            linked(f'i{n}', Interface.objects.create(device=self.device, name=f'x{n}', type='virtual'))
            for n in range(20)
        ]
        service.save_diagram(self.diagram, samples.mxfile(*cells))
        self.get()  # warms the caches (content types, user)
        self.assertEqual(self.count_queries(2), self.count_queries(50))

    def count_queries(self, limit):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(len(self.get(diagram_id=self.diagram.pk, limit=limit)), min(limit, 20))
        return len(ctx.captured_queries)

    def test_read_only(self):
        self.user.is_superuser = True
        self.user.save()
        link = DiagramLink.objects.first()
        detail = reverse('plugins-api:netbox_archiflow-api:diagramlink-detail', args=[link.pk])
        self.assertHttpStatus(self.client.post(reverse(LIST), {}, format='json', **self.header), 405)
        self.assertHttpStatus(self.client.delete(detail, **self.header), 405)

    def test_diagrams_carry_their_link_count(self):
        self.user.is_superuser = True
        self.user.save()
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        counts = {row['name']: row['link_count'] for row in self.client.get(url, **self.header).json()['results']}
        self.assertEqual(counts, {'Fabric': 4, 'Secret': 1})
        detail = reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[self.other.pk])
        response = self.client.patch(
            detail, {'xml': samples.mxfile(samples.cell('a', 'x'))}, format='json', **self.header
        )
        self.assertEqual(response.json()['link_count'], 0)
        restore = reverse('plugins-api:netbox_archiflow-api:diagram-restore', args=[self.other.pk])
        response = self.client.post(restore, {'version': 1}, format='json', **self.header)
        self.assertEqual(response.json()['link_count'], 1)
        self.assertEqual(Diagram.objects.get(pk=self.other.pk).links.count(), 1)

    def graphql(self, query):
        response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
        data = response.json()
        self.assertNotIn('errors', data, query)
        return data['data']

    def test_graphql_broken_field_and_filter(self):
        self.user.is_superuser = True
        self.user.save()
        diagram = f'diagram_id: "{self.diagram.pk}"'
        links = self.graphql(f'{{netbox_archiflow_diagram_link_list(filters: {{{diagram}}}) {{cell_id broken}}}}')
        self.assertEqual(
            {link['cell_id']: link['broken'] for link in links['netbox_archiflow_diagram_link_list']},
            {'sw': False, 'eth': False, 'net': False, 'ghost': True},
        )
        for value, expected in (('true', ['ghost']), ('false', ['eth', 'net', 'sw'])):
            query = f'{{netbox_archiflow_diagram_link_list(filters: {{{diagram}, broken: {value}}}) {{cell_id}}}}'
            found = sorted(link['cell_id'] for link in self.graphql(query)['netbox_archiflow_diagram_link_list'])
            self.assertEqual(found, expected, value)
        nested = self.graphql(f'{{netbox_archiflow_diagram(id: {self.diagram.pk}) {{links {{cell_id broken}}}}}}')
        self.assertEqual(
            {link['cell_id']: link['broken'] for link in nested['netbox_archiflow_diagram']['links']},
            {'sw': False, 'eth': False, 'net': False, 'ghost': True},
        )
        self.prefix.delete()
        one = self.graphql(
            f'{{netbox_archiflow_diagram_link(id: {self.diagram.links.get(cell_id="net").pk}) {{broken}}}}'
        )
        self.assertTrue(one['netbox_archiflow_diagram_link']['broken'])

    def test_graphql_links_of_a_diagram(self):
        self.user.is_superuser = True
        self.user.save()
        fields = '{links {cell_id object_id object_type {app_label model}}}'
        query = f'{{netbox_archiflow_diagram(id: {self.other.pk}) {fields}}}'
        response = self.client.post(reverse('graphql'), {'query': query}, format='json', **self.header)
        links = response.json()['data']['netbox_archiflow_diagram']['links']
        self.assertEqual(
            links,
            [{'cell_id': 'sw', 'object_id': self.device.pk, 'object_type': {'app_label': 'dcim', 'model': 'device'}}],
        )
