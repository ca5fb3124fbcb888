import json

from dcim.models import Site
from django.test import override_settings
from django.urls import reverse
from utilities.testing import APIViewTestCases, TestCase, ViewTestCases

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagrams as service

ONE = samples.mxfile(samples.cell('a', 'alpha'))
TWO = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'))
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script><rect width="2" height="2"/></svg>'


class DiagramViewTestCase(ViewTestCases.PrimaryObjectViewTestCase):
    model = Diagram

    def _get_base_url(self):
        return 'plugins:netbox_archiflow:diagram_{}'

    @classmethod
    def setUpTestData(cls):
        site = Site.objects.create(name='View Site', slug='view-site')
        for n in range(3):
            service.create_diagram(f'Diagram {n}', ONE, site=site)
        cls.form_data = {'name': 'New diagram', 'site': site.pk, 'status': 'live', 'description': 'x', 'tags': []}
        cls.csv_data = (
            'name,status,description',
            'Imported 1,draft,first',
            'Imported 2,live,second',
            'Imported 3,archived,third',
        )
        ids = list(Diagram.objects.values_list('pk', flat=True))
        cls.csv_update_data = ('id,description', f'{ids[0]},changed 1', f'{ids[1]},changed 2', f'{ids[2]},changed 3')
        cls.bulk_edit_data = {'status': 'archived', 'description': 'bulk'}


class DiagramTemplateViewTestCase(ViewTestCases.OrganizationalObjectViewTestCase):
    model = DiagramTemplate

    def _get_base_url(self):
        return 'plugins:netbox_archiflow:diagramtemplate_{}'

    @classmethod
    def setUpTestData(cls):
        for n in range(3):
            DiagramTemplate.objects.create(name=f'Template {n}', slug=f'template-{n}', xml=ONE, variables=[])
        cls.form_data = {
            'name': 'New template',
            'slug': 'new-template',
            'category': 'dc',
            'xml': samples.TEMPLATE_XML,
            'variables': json.dumps(samples.TEMPLATE_VARIABLES),
            'is_active': True,
            'tags': [],
        }
        quoted = '"' + ONE.replace('"', '""') + '"'
        cls.csv_data = (
            'name,slug,category,xml',
            f'CSV 1,csv-1,a,{quoted}',
            f'CSV 2,csv-2,b,{quoted}',
            f'CSV 3,csv-3,c,{quoted}',
        )
        ids = list(DiagramTemplate.objects.values_list('pk', flat=True))
        cls.csv_update_data = ('id,category', f'{ids[0]},x', f'{ids[1]},y', f'{ids[2]},z')
        cls.bulk_edit_data = {'category': 'bulk'}


class DiagramAPITestCase(APIViewTestCases.APIViewTestCase):
    model = Diagram
    view_namespace = 'plugins-api:netbox_archiflow'
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


class DiagramTemplateAPITestCase(APIViewTestCases.APIViewTestCase):
    model = DiagramTemplate
    view_namespace = 'plugins-api:netbox_archiflow'
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
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    model = DiagramVersion
    view_namespace = 'plugins-api:netbox_archiflow'
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
        template = DiagramTemplate.objects.create(
            name='Site', slug='site', xml=samples.TEMPLATE_XML, variables=samples.TEMPLATE_VARIABLES
        )
        url = reverse('plugins-api:netbox_archiflow-api:diagramtemplate-instantiate', args=[template.pk])
        bad = self.client.post(url, {'name': 'X', 'variables': {'nope': 1}}, content_type='application/json')
        self.assertEqual((bad.status_code, bad.json()['names']), (400, ['nope']))
        response = self.client.post(
            url, {'name': 'From T', 'variables': {'site': 'ams9'}}, content_type='application/json'
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIn('ams9-core-01', Diagram.objects.get(name='From T').xml)


class DiagramUploadTest(TestCase):
    def test_upload_on_the_add_form(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        upload = SimpleUploadedFile('net.drawio', TWO.encode(), content_type='application/xml')
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_add'), {'name': 'Uploaded', 'status': 'draft', 'xml_file': upload}
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        diagram = Diagram.objects.get(name='Uploaded')
        self.assertEqual((diagram.xml, diagram.version), (TWO, 1))
        bad = SimpleUploadedFile('bad.drawio', b'<mxfile><oops></mxfile>')
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_add'), {'name': 'Bad', 'status': 'draft', 'xml_file': bad}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'not well-formed')
        self.assertFalse(Diagram.objects.filter(name='Bad').exists())


class FromTemplateAndImportTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.template = DiagramTemplate.objects.create(
            name='Site', slug='site', xml=samples.TEMPLATE_XML, variables=samples.TEMPLATE_VARIABLES
        )

    def test_new_diagram_from_template_form(self):
        url = reverse('plugins:netbox_archiflow:diagram_from_template')
        self.assertEqual(self.client.get(url).status_code, 404)  # needs add_diagram
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagramtemplate')
        page = self.client.get(f'{url}?template={self.template.pk}')
        self.assertContains(page, 'name="var_site"')
        missing = self.client.post(url, {'template': self.template.pk, 'name': 'T1', 'var_rack': 'R9'})
        self.assertEqual(missing.status_code, 200)
        self.assertFalse(Diagram.objects.filter(name='T1').exists())
        response = self.client.post(url, {'template': self.template.pk, 'name': 'T1', 'var_site': 'fra1'})
        self.assertEqual(response.status_code, 302)
        diagram = Diagram.objects.get(name='T1')
        self.assertIn('fra1-core-01', diagram.xml)
        self.assertEqual(diagram.versions.get().change_summary, 'From template Site')

    def test_site_variables_are_taken_from_the_chosen_site(self):
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagramtemplate', 'dcim.view_site')
        site = Site.objects.create(name='ams1', slug='ams1')
        url = reverse('plugins:netbox_archiflow:diagram_from_template')
        self.assertContains(self.client.get(f'{url}?template={self.template.pk}'), 'empty: taken from the chosen site')
        response = self.client.post(url, {'template': self.template.pk, 'name': 'T2', 'site': site.pk})
        self.assertEqual(response.status_code, 302)
        self.assertIn('ams1-core-01', Diagram.objects.get(name='T2').xml)
        neither = self.client.post(url, {'template': self.template.pk, 'name': 'T3'})
        self.assertContains(neither, 'Fill this in or choose a site.')

    def test_xml_help_on_a_new_diagram_does_not_mention_current_content(self):
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.change_diagram')
        add = self.client.get(reverse('plugins:netbox_archiflow:diagram_add'))
        self.assertContains(add, 'leave empty for an empty diagram')
        self.assertNotContains(add, 'keep the current content')
        diagram = Diagram.objects.create(name='existing')
        edit = self.client.get(reverse('plugins:netbox_archiflow:diagram_edit', kwargs={'pk': diagram.pk}))
        self.assertContains(edit, 'keep the current content')

    def test_pages_outside_object_views_have_breadcrumbs(self):
        self.add_permissions(
            'netbox_archiflow.add_diagram',
            'netbox_archiflow.view_diagramtemplate',
            'netbox_archiflow.view_diagram',
            'netbox_archiflow.view_diagramversion',
        )
        diagrams = reverse('plugins:netbox_archiflow:diagram_list')
        for name in ('diagram_from_template', 'diagram_import_files'):
            page = self.client.get(reverse(f'plugins:netbox_archiflow:{name}'))
            self.assertContains(page, f'<li class="breadcrumb-item"><a href="{diagrams}">Diagrams</a></li>', html=True)
        diagram = service.create_diagram('Crumbs', ONE)
        page = self.client.get(diagram.versions.get().get_absolute_url())
        self.assertContains(
            page, f'<li class="breadcrumb-item"><a href="{diagram.get_absolute_url()}">Crumbs</a></li>', html=True
        )
        versions = reverse('plugins:netbox_archiflow:diagram_versions', kwargs={'pk': diagram.pk})
        self.assertContains(page, f'<li class="breadcrumb-item"><a href="{versions}">Versions</a></li>', html=True)

    def test_bulk_import_with_xml_creates_version_one(self):
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        data = json.dumps([{'name': 'Imported', 'status': 'live', 'xml': TWO}, {'name': 'Empty'}])
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_bulk_import'), {'data': data, 'format': 'json'}
        )
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        imported = Diagram.objects.get(name='Imported')
        self.assertEqual((imported.xml, imported.version, imported.versions.count()), (TWO, 1, 1))
        self.assertEqual(Diagram.objects.get(name='Empty').version, 0)
        bad = json.dumps([{'name': 'Bad', 'xml': '<mxfile><x></mxfile>'}])
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_bulk_import'), {'data': bad, 'format': 'json'}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Diagram.objects.filter(name='Bad').exists())
