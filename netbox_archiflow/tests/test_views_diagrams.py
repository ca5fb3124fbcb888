import json

from dcim.models import Site
from django.urls import reverse
from utilities.testing import TestCase, ViewTestCases

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramTemplate
from netbox_archiflow.services import diagrams as service

from .base import ONE, TWO, PluginViewTestMixin, make_template

SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script><rect width="2" height="2"/></svg>'


class DiagramViewTestCase(PluginViewTestMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = Diagram

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


class DiagramTemplateViewTestCase(PluginViewTestMixin, ViewTestCases.OrganizationalObjectViewTestCase):
    model = DiagramTemplate

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
        cls.template = make_template()

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
