from core.models import ObjectChange, ObjectType
from django.test import override_settings
from django.urls import reverse
from extras.models import Tag
from utilities.testing import APIViewTestCases, TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion, content_digest
from netbox_archiflow.services import diagrams as service

from .base import ONE, TWO, PluginAPITestMixin, make_template


class DiagramAPITestCase(PluginAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Diagram
    brief_fields = ['description', 'display', 'id', 'name', 'status', 'url', 'version']
    graphql_base_name = 'netbox_archiflow_diagram'
    bulk_update_data = {'description': 'bulk'}

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            service.create_diagram(f'API diagram {n}', ONE)
        cls.create_data = [
            {'name': 'Created 1', 'xml': ONE},
            {'name': 'Created 2', 'status': 'live'},
            {'name': 'Created 3', 'xml': TWO},
        ]


class DiagramTemplateAPITestCase(PluginAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = DiagramTemplate
    brief_fields = ['category', 'description', 'display', 'id', 'name', 'slug', 'url']
    graphql_base_name = 'netbox_archiflow_diagram_template'
    bulk_update_data = {'category': 'bulk'}

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            DiagramTemplate.objects.create(name=f'T{n}', slug=f't{n}', xml=ONE)
        cls.create_data = [
            {'name': 'C1', 'slug': 'c1', 'xml': ONE},
            {'name': 'C2', 'slug': 'c2', 'xml': samples.TEMPLATE_XML, 'variables': samples.TEMPLATE_VARIABLES},
            {'name': 'C3', 'slug': 'c3', 'xml': ONE, 'is_active': False},
        ]


class DiagramVersionAPITestCase(
    PluginAPITestMixin,
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    model = DiagramVersion
    brief_fields = ['display', 'id', 'kind', 'url', 'version_number']
    graphql_base_name = 'netbox_archiflow_diagram_version'

    @classmethod
    def setUpTestData(cls):
        diagram = service.create_diagram('Versions', ONE)
        service.save_diagram(diagram, TWO)
        service.save_diagram(diagram, ONE)


class DiagramRestAPIContractTest(TestCase):
    """The diagram-specific REST behaviour: no XML in lists, 409 on stale saves, restore, export, instantiate."""

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.diagram = service.create_diagram('Contract', ONE)
        self.url = reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[self.diagram.pk])

    def test_list_has_no_xml_detail_has_it(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for url in (
            reverse('plugins-api:netbox_archiflow-api:diagram-list'),
            reverse('plugins:netbox_archiflow:diagram_list'),
        ):
            with CaptureQueriesContext(connection) as ctx:
                listing = self.client.get(url)
            self.assertEqual(listing.status_code, 200)
            sql = ' '.join(q['sql'] for q in ctx.captured_queries if 'FROM "netbox_archiflow_diagram"' in q['sql'])
            self.assertIn('"name"', sql)
            self.assertNotIn('"xml"', sql, url)
            self.assertNotIn('"preview_svg"', sql, url)
        listing = self.client.get(reverse('plugins-api:netbox_archiflow-api:diagram-list'))
        self.assertNotIn('xml', listing.json()['results'][0])
        detail = self.client.get(self.url).json()
        self.assertEqual((detail['xml'], detail['version']), (ONE, 1))

    def test_create_with_xml_writes_the_diagram_once_at_version_1(self):
        Tag.objects.create(name='drawn', slug='drawn')
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:diagram-list'),
            {'name': 'Once', 'xml': TWO, 'tags': [{'name': 'drawn', 'slug': 'drawn'}]},
            content_type='application/json',
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()['version'], response.json()['xml']), (1, TWO))
        diagram = Diagram.objects.get(name='Once')
        changes = ObjectChange.objects.filter(changed_object_type=ObjectType.objects.get_for_model(Diagram))
        logged = changes.filter(changed_object_id=diagram.pk)
        self.assertEqual([c.action for c in logged], ['create'])
        self.assertEqual(logged.get().postchange_data['xml'], content_digest(TWO))
        self.assertEqual([t.slug for t in diagram.tags.all()], ['drawn'])
        version = DiagramVersion.objects.get(diagram=diagram)
        self.assertEqual((version.version_number, version.xml, version.change_summary), (1, TWO, 'Created'))

    def test_stale_base_version_is_409_and_changes_nothing(self):
        ok = self.client.patch(self.url, {'xml': TWO, 'base_version': 1}, content_type='application/json')
        self.assertEqual(ok.status_code, 200, ok.content)
        stale = self.client.patch(
            self.url, {'xml': ONE, 'base_version': 1, 'name': 'renamed'}, content_type='application/json'
        )
        self.assertEqual(stale.status_code, 409)
        self.assertEqual((stale.json()['code'], stale.json()['current_version']), ('version_conflict', 2))
        self.diagram.refresh_from_db()
        self.assertEqual((self.diagram.name, self.diagram.xml, self.diagram.version), ('Contract', TWO, 2))

    def test_bad_xml_is_refused_with_nothing_saved(self):
        for xml, status, code in (
            ('<mxfile><diagram>', 400, 'xml_malformed'),
            ('<!DOCTYPE x [<!ENTITY a "b">]><mxfile/>', 400, 'xml_forbidden'),
            (ONE.replace('alpha', '\ud800'), 400, 'invalid_input'),  # refused where JSON enters
        ):
            response = self.client.patch(self.url, {'xml': xml}, content_type='application/json')
            self.assertEqual((response.status_code, response.json()['code']), (status, code))
        with override_settings(PLUGINS_CONFIG={'netbox_archiflow': {'diagram_max_bytes': 2048}}):
            response = self.client.post(
                reverse('plugins-api:netbox_archiflow-api:diagram-list'),
                {'name': 'big', 'xml': samples.mxfile(samples.cell('a', 'x' * 4000))},
                content_type='application/json',
            )
        self.assertEqual((response.status_code, response.json()['code']), (413, 'diagram_too_large'))
        self.assertFalse(Diagram.objects.filter(name='big').exists())
        self.assertEqual(DiagramVersion.objects.filter(diagram=self.diagram).count(), 1)

    def test_oversized_request_is_refused_before_parsing(self):
        with override_settings(PLUGINS_CONFIG={'netbox_archiflow': {'diagram_max_bytes': 1024}}):
            response = self.client.patch(
                self.url, {'xml': samples.mxfile(samples.cell('a', 'x' * 10_000))}, content_type='application/json'
            )
        self.assertEqual((response.status_code, response.json()['code']), (413, 'diagram_too_large'))
        self.assertEqual(Diagram.objects.get(pk=self.diagram.pk).version, 1)

    def test_restore_needs_change_permission(self):
        self.user.is_superuser = False
        self.user.save()
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.add_diagram')
        service.save_diagram(self.diagram, TWO)
        response = self.client.post(f'{self.url}restore/', {'version': 1}, content_type='application/json')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Diagram.objects.get(pk=self.diagram.pk).version, 2)

    def test_restore_export_and_versions_filter(self):
        service.save_diagram(self.diagram, TWO)
        response = self.client.post(f'{self.url}restore/', {'version': 1}, content_type='application/json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['version'], 3)
        export = self.client.get(f'{self.url}export/')
        self.assertEqual(export.content.decode(), ONE)
        self.assertIn('.drawio', export['Content-Disposition'])
        versions = self.client.get(
            reverse('plugins-api:netbox_archiflow-api:diagramversion-list') + f'?diagram_id={self.diagram.pk}'
        ).json()
        self.assertEqual([v['version_number'] for v in versions['results']], [3, 2, 1])
        self.assertNotIn('xml', versions['results'][0])

    def test_instantiate_template(self):
        template = make_template()
        url = reverse('plugins-api:netbox_archiflow-api:diagramtemplate-instantiate', args=[template.pk])
        bad = self.client.post(url, {'name': 'X', 'variables': {'nope': 1}}, content_type='application/json')
        self.assertEqual((bad.status_code, bad.json()['names']), (400, ['nope']))
        response = self.client.post(
            url, {'name': 'From T', 'variables': {'site': 'ams9'}}, content_type='application/json'
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIn('ams9-core-01', Diagram.objects.get(name='From T').xml)
