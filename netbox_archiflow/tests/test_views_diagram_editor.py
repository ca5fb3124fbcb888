import tempfile
from unittest import mock

from core.models import ObjectChange
from django.test import RequestFactory, override_settings
from django.urls import reverse
from utilities.testing import TestCase

from netbox_archiflow import checks, drawio_webapp
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagrams as service

from .base import ONE, TWO


class EditorUrlTest(TestCase):
    def test_self_hosted_copy_is_used_on_the_netbox_origin(self):
        request = RequestFactory().get('/', HTTP_HOST='netbox.example:8443')
        with mock.patch.object(drawio_webapp, 'is_installed', return_value=True):
            url = drawio_webapp.editor_url(request)
            origin = drawio_webapp.editor_origin(request)
            frame_src = drawio_webapp.frame_src(request)
        self.assertTrue(url.startswith('/plugins/archiflow/drawio/?embed=1&proto=json&spin=1'))
        self.assertIn('saveAndExit=1', url)
        self.assertIn('stealth=1', url)
        # Sandboxed without allow-same-origin: the editor's messages come from the opaque origin "null".
        self.assertEqual(origin, 'null')
        self.assertNotIn('allow-same-origin', drawio_webapp.SANDBOX)
        self.assertEqual(frame_src, 'http://netbox.example:8443/plugins/archiflow/drawio/')

    def test_drawio_files_are_served_sandboxed_with_a_strict_policy(self):
        with tempfile.TemporaryDirectory() as root, override_settings(STATIC_ROOT=root):
            folder = drawio_webapp.install_dir()
            (folder / 'js').mkdir(parents=True)
            (folder / 'index.html').write_text('<html></html>')
            (folder / 'js' / 'app.min.js').write_text('//')
            response = self.client.get(reverse('plugins:netbox_archiflow:drawio', kwargs={'path': 'js/app.min.js'}))
            self.assertEqual(response.status_code, 200)
            policy = dict(
                directive.strip().split(' ', 1) for directive in response['Content-Security-Policy'].split(';')
            )
            own = 'http://testserver/plugins/archiflow/drawio/'
            self.assertEqual(policy['sandbox'], drawio_webapp.SANDBOX)
            self.assertEqual(policy['script-src'], own)  # no 'unsafe-inline', no other host or NetBox path
            self.assertEqual(policy['connect-src'], own)
            self.assertEqual(policy['default-src'], "'none'")
            self.assertEqual(policy['form-action'], "'none'")
            self.assertEqual(policy['frame-ancestors'], "'self'")
            self.assertEqual(response['Access-Control-Allow-Origin'], '*')
            self.assertNotIn('Access-Control-Allow-Credentials', response)
            self.assertEqual(response['X-Content-Type-Options'], 'nosniff')

    def test_configured_url_otherwise(self):
        request = RequestFactory().get('/')
        config = {'netbox_archiflow': {'drawio_url': 'https://draw.example.org/app/'}}
        with (
            mock.patch.object(drawio_webapp, 'is_installed', return_value=False),
            override_settings(PLUGINS_CONFIG=config),
        ):
            self.assertTrue(drawio_webapp.editor_url(request).startswith('https://draw.example.org/app/?embed=1'))
            self.assertNotIn('offline=1', drawio_webapp.editor_url(request))
            self.assertEqual(drawio_webapp.editor_origin(request), 'https://draw.example.org')
            self.assertIsNone(drawio_webapp.viewer_url())
            ids = [w.id for w in checks.check_diagram_editor()]
        self.assertIn('netbox_archiflow.W004', ids)

    def test_upload_limit_below_diagram_limit_warns(self):
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
            ids = [w.id for w in checks.check_diagram_editor()]
        self.assertIn('netbox_archiflow.W001', ids)
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024 * 1024):
            self.assertNotIn('netbox_archiflow.W001', [w.id for w in checks.check_diagram_editor()])

    def test_drawio_route_is_404_when_not_installed(self):
        with mock.patch.object(drawio_webapp, 'is_installed', return_value=False):
            response = self.client.get(reverse('plugins:netbox_archiflow:drawio', kwargs={'path': 'index.html'}))
        self.assertEqual(response.status_code, 404)


class UiRestoreAndChangeLogTest(TestCase):
    def setUp(self):
        super().setUp()
        self.diagram = service.create_diagram('UI', ONE)
        service.save_diagram(self.diagram, TWO)
        self.restore_url = reverse('plugins:netbox_archiflow:diagram_restore', args=[self.diagram.pk, 1])

    def test_restore_needs_change_permission(self):
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.view_diagramversion')
        self.assertEqual(self.client.post(self.restore_url).status_code, 404)
        self.assertEqual(Diagram.objects.get(pk=self.diagram.pk).version, 2)
        versions = self.client.get(reverse('plugins:netbox_archiflow:diagram_versions', args=[self.diagram.pk]))
        self.assertEqual(versions.status_code, 200)
        self.assertNotContains(versions, 'mdi-restore')

    def test_restore_from_the_versions_page_is_change_logged(self):
        self.add_permissions(
            'netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram', 'netbox_archiflow.view_diagramversion'
        )
        page = self.client.get(reverse('plugins:netbox_archiflow:diagram_versions', args=[self.diagram.pk]))
        self.assertContains(page, 'mdi-restore')
        self.assertContains(page, 'id="diff-summary"')
        response = self.client.post(self.restore_url)
        self.assertRedirects(
            response, reverse('plugins:netbox_archiflow:diagram_versions', args=[self.diagram.pk]), 302, 200
        )
        diagram = Diagram.objects.get(pk=self.diagram.pk)
        self.assertEqual((diagram.version, diagram.xml, diagram.updated_by), (3, ONE, self.user))
        change = ObjectChange.objects.filter(changed_object_type__model='diagram', changed_object_id=diagram.pk).latest(
            'time'
        )
        self.assertEqual((change.user, change.action), (self.user, 'update'))
        self.assertEqual(change.prechange_data['version'], 2)
        self.assertEqual(change.postchange_data['version'], 3)
        self.assertTrue(change.postchange_data['xml'].startswith('sha256:'))
        self.assertTrue(
            ObjectChange.objects.filter(
                changed_object_type__model='diagramversion', action='create', user=self.user
            ).exists()
        )


class GraphQLLargeColumnsTest(TestCase):
    def test_list_query_does_not_load_xml_unless_asked(self):
        import json

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.add_permissions('netbox_archiflow.view_diagram')
        service.create_diagram('GQL', ONE)
        url = reverse('graphql')

        def run(fields):
            query = json.dumps({'query': f'{{ netbox_archiflow_diagram_list {{ {fields} }} }}'})
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.post(url, query, content_type='application/json')
            self.assertEqual(response.status_code, 200)
            self.assertNotIn('errors', response.json())
            return ' '.join(q['sql'] for q in ctx.captured_queries if 'netbox_archiflow_diagram' in q['sql'])

        self.assertNotIn('"xml"', run('id name version'))
        self.assertNotIn('"preview_svg"', run('id name version'))
        self.assertIn('"xml"', run('id name xml'))
