"""The editor page saves through the REST API, with the session and the CSRF token: PATCH for the XML, the
``preview`` action for Draw.io's SVG export."""

import json
import re

from core.models import ObjectChange
from django.test import Client, override_settings
from django.urls import reverse
from utilities.testing import APITestCase, TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagrams as service

from .test_services_diagram_links import LinkFixturesMixin, index, linked

ONE = samples.mxfile(samples.cell('a', 'alpha'))
TWO = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'))
THREE = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'), samples.cell('c', 'gamma'))
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script><rect width="2" height="2"/></svg>'


def editor_config(response):
    found = re.search(r'<script id="archiflow-editor-config" type="application/json">(.*?)</script>', response.text)
    return json.loads(found.group(1))


class EditorRestTestCase(TestCase):
    def setUp(self):
        super().setUp()
        self.diagram = service.create_diagram('Editor', ONE)
        self.editor_url = f'{self.diagram.get_absolute_url()}editor/'
        self.detail_url = reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[self.diagram.pk])
        self.save_url = f'{self.detail_url}?fields=id,version,last_updated'
        self.preview_url = reverse('plugins-api:netbox_archiflow-api:diagram-preview', args=[self.diagram.pk])

    def patch(self, data, url=None):
        return self.client.patch(url or self.save_url, json.dumps(data), content_type='application/json')

    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type='application/json')

    def stored(self):
        return Diagram.objects.get(pk=self.diagram.pk)


class EditorPageTest(EditorRestTestCase):
    def test_view_permission_cannot_open_editor_or_save(self):
        self.add_permissions('netbox_archiflow.view_diagram')
        self.assertEqual(self.client.get(self.diagram.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(self.editor_url).status_code, 403)
        self.assertEqual(self.patch({'xml': TWO, 'base_version': 1}).status_code, 403)
        self.assertEqual(self.post(self.preview_url, {'svg': SVG, 'version': 1}).status_code, 403)
        self.assertEqual((self.stored().version, self.stored().preview_svg), (1, ''))

    def test_change_permission_opens_the_editor_on_the_rest_endpoints(self):
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')
        editor = self.client.get(self.editor_url)
        self.assertEqual(editor.status_code, 200)
        self.assertTrue(editor['Content-Security-Policy'].startswith('frame-src '))
        self.assertContains(editor, 'netbox_archiflow/js/editor.js')
        self.assertContains(editor, 'embed=1&amp;proto=json&amp;spin=1')
        config = editor_config(editor)
        self.assertEqual((config['saveUrl'], config['previewUrl']), (self.save_url, self.preview_url))
        self.assertEqual(config['version'], 1)

    def test_the_old_editor_endpoints_are_gone(self):
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')
        for path in ('editor/save/', 'editor/preview/'):
            response = self.post(f'{self.diagram.get_absolute_url()}{path}', {'xml': TWO, 'svg': SVG})
            self.assertEqual(response.status_code, 404, path)
        self.assertEqual(self.stored().version, 1)


class EditorSaveTest(EditorRestTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')

    def test_save_answers_what_the_editor_reads_without_the_xml(self):
        saved = self.patch({'xml': TWO, 'base_version': 1, 'change_summary': 'Saved in the editor'})
        self.assertEqual(saved.status_code, 200, saved.content)
        body = saved.json()
        self.assertEqual(set(body), {'id', 'version', 'last_updated', 'modified', 'kind'})
        self.assertEqual((body['version'], body['modified'], body['kind']), (2, True, 'manual'))
        version = self.stored().versions.get(version_number=2)
        self.assertEqual(
            (version.kind, version.change_summary, version.author), ('manual', 'Saved in the editor', self.user)
        )

    def test_unchanged_drawing_writes_nothing(self):
        changes = ObjectChange.objects.count()
        modified = self.stored().last_updated
        again = self.patch({'xml': ONE, 'base_version': 1})
        self.assertEqual(again.status_code, 200, again.content)
        self.assertEqual((again.json()['version'], again.json()['modified'], again.json()['kind']), (1, False, None))
        self.assertEqual((ObjectChange.objects.count(), self.stored().last_updated), (changes, modified))
        self.assertEqual(self.stored().versions.count(), 1)

    def test_a_content_save_records_the_diagram_and_its_version_once(self):
        changes = ObjectChange.objects.count()
        self.assertEqual(self.patch({'xml': TWO, 'base_version': 1}).status_code, 200)
        self.assertEqual(ObjectChange.objects.count() - changes, 2)  # the diagram and its new version
        renamed = self.patch({'xml': THREE, 'base_version': 2, 'name': 'Renamed'}, url=self.detail_url)
        self.assertEqual(renamed.status_code, 200, renamed.content)
        self.assertEqual(
            (renamed.json()['name'], renamed.json()['xml'], renamed.json()['version']), ('Renamed', THREE, 3)
        )

    def test_a_change_log_message_beside_the_xml_is_recorded_with_the_content_change(self):
        response = self.patch({'xml': TWO, 'changelog_message': 'new uplink'})
        self.assertEqual((response.status_code, response.json()['version']), (200, 2))
        change = ObjectChange.objects.filter(changed_object_id=self.diagram.pk, changed_object_type__model='diagram')
        self.assertEqual(list(change.values_list('message', 'postchange_data__version')), [('new uplink', 2)])

    def test_autosave_rolls_one_version(self):
        for xml in (TWO, THREE):
            response = self.patch({'xml': xml, 'autosave': True, 'change_summary': 'Autosave'})
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual((response.json()['kind'], response.json()['modified']), ('autosave', True))
        stored = self.stored()
        self.assertEqual((stored.version, stored.xml), (2, THREE))
        self.assertEqual(list(stored.versions.values_list('version_number', 'kind')), [(2, 'autosave'), (1, 'manual')])

    def test_stale_save_is_409_and_changes_nothing(self):
        self.assertEqual(self.patch({'xml': TWO, 'base_version': 1}).status_code, 200)
        stale = self.patch({'xml': THREE, 'base_version': 1})
        self.assertEqual(stale.status_code, 409)
        body = stale.json()
        self.assertEqual(
            body, {'code': 'version_conflict', 'detail': body['detail'], 'field': 'base_version', 'current_version': 2}
        )
        self.assertEqual((self.stored().version, self.stored().xml), (2, TWO))

    def test_bad_input_is_400_naming_the_field(self):
        for data, field in (
            ({'xml': TWO, 'base_version': 'x'}, 'base_version'),
            ({'xml': TWO, 'autosave': 'sometimes'}, 'autosave'),
            ({'xml': '<mxfile><diagram>'}, 'xml'),
        ):
            response = self.patch(data)
            self.assertEqual(response.status_code, 400, data)
            body = response.json()
            self.assertTrue(field in body or body.get('field') == field, body)
        self.assertEqual(self.stored().version, 1)

    def test_oversized_body_is_413_and_saves_nothing(self):
        with override_settings(PLUGINS_CONFIG={'netbox_archiflow': {'diagram_max_bytes': 1024}}):
            response = self.patch({'xml': samples.mxfile(samples.cell('a', 'x' * 200_000))})
            preview = self.post(self.preview_url, {'svg': SVG.replace('<rect', '<rect class="' + 'x' * 200_000 + '"')})
        for answer in (response, preview):
            self.assertEqual((answer.status_code, answer.json()['code']), (413, 'diagram_too_large'))
        self.assertEqual(self.stored().version, 1)


class EditorPreviewTest(EditorRestTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')

    def test_preview_is_stored_inert_for_the_current_version(self):
        self.assertEqual(self.patch({'xml': TWO, 'base_version': 1}).status_code, 200)
        stored = self.post(self.preview_url, {'svg': SVG, 'version': 2})
        picture = reverse('plugins:netbox_archiflow:diagram_preview', args=[self.diagram.pk])
        self.assertEqual((stored.status_code, stored.json()), (200, {'version': 2, 'preview_url': picture}))
        self.assertEqual(self.stored().versions.get(version_number=2).preview_svg, self.stored().preview_svg)
        response = self.client.get(picture)
        self.assertEqual(response['Content-Type'], 'image/svg+xml; charset=utf-8')
        self.assertIn("default-src 'none'", response['Content-Security-Policy'])
        self.assertIn('sandbox', response['Content-Security-Policy'])
        self.assertEqual(response['X-Content-Type-Options'], 'nosniff')
        self.assertIn(b'<rect', response.content)
        self.assertNotIn(b'script', response.content)
        self.assertNotIn(b'onload', response.content)
        cached = self.client.get(picture, HTTP_IF_NONE_MATCH=response['ETag'])
        self.assertEqual(cached.status_code, 304)

    def test_preview_of_an_older_version_is_409(self):
        before = service.preview_svg(self.stored())
        self.assertEqual(self.patch({'xml': TWO, 'base_version': 1}).status_code, 200)
        after = service.preview_svg(self.stored())
        stale = self.post(self.preview_url, {'svg': SVG, 'version': 1})
        self.assertEqual(stale.status_code, 409)
        self.assertEqual(
            (stale.json()['code'], stale.json()['field'], stale.json()['current_version']),
            ('version_conflict', 'version', 2),
        )
        self.assertNotEqual(before, after)
        self.assertEqual(self.stored().preview_svg, after)

    def test_bad_preview_is_400_naming_the_field(self):
        before = service.preview_svg(self.stored())
        for data, field in (
            ({'version': 1}, 'svg'),
            ({'svg': SVG, 'version': 'x'}, 'version'),
            ({'svg': '<html/>', 'version': 1}, 'svg'),
            ({'svg': '', 'version': 1}, 'svg'),
        ):
            response = self.post(self.preview_url, data)
            self.assertEqual(response.status_code, 400, data)
            body = response.json()
            self.assertTrue(field in body or body.get('field') == field, body)
        self.assertEqual(self.stored().preview_svg, before)

    def test_missing_or_hidden_diagram_is_404(self):
        missing = reverse('plugins-api:netbox_archiflow-api:diagram-preview', args=[self.diagram.pk + 1000])
        self.assertEqual(self.post(missing, {'svg': SVG}).status_code, 404)


class EditorSessionTest(EditorRestTestCase):
    """The browser sends the session cookie and the page's CSRF token, as NetBox's own front end does."""

    def test_save_needs_the_csrf_token_of_the_page(self):
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(self.user)
        token = editor_config(browser.get(self.editor_url))['csrfToken']
        body = json.dumps({'xml': TWO, 'base_version': 1})
        refused = browser.patch(self.save_url, body, content_type='application/json')
        self.assertEqual(refused.status_code, 403)
        self.assertIn('CSRF', refused.json()['detail'])
        saved = browser.patch(self.save_url, body, content_type='application/json', HTTP_X_CSRFTOKEN=token)
        self.assertEqual((saved.status_code, saved.json()['version']), (200, 2))
        preview = browser.post(
            self.preview_url,
            json.dumps({'svg': SVG, 'version': 2}),
            content_type='application/json',
            HTTP_X_CSRFTOKEN=token,
        )
        self.assertEqual(preview.status_code, 200, preview.content)


class EditorSaveIndexesLinksTest(LinkFixturesMixin, TestCase):
    """The editor's saves and autosaves rebuild the link index; a link the index refuses is a 400 naming the cell."""

    def test_save_and_autosave(self):
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram')
        diagram = service.create_diagram('Fabric', self.xml)
        url = reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[diagram.pk])
        for autosave, cell_id in ((False, 'm'), (True, 'a')):
            body = {'xml': samples.mxfile(linked(cell_id, self.other)), 'autosave': autosave}
            response = self.client.patch(url, json.dumps(body), content_type='application/json')
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(set(index(diagram)), {cell_id})
        bad = {'xml': samples.mxfile(samples.linked_cell('u9', 'x', 'users.user', 1))}
        response = self.client.patch(url, json.dumps(bad), content_type='application/json')
        self.assertEqual((response.status_code, response.json()['cell']), (400, 'u9'))
        self.assertEqual(set(index(diagram)), {'a'})


class EditorSchemaTest(APITestCase):
    """The OpenAPI document describes the preview action and the save's ``autosave`` like the other diagram actions."""

    def test_preview_action_and_autosave_are_documented(self):
        response = self.client.get('/api/schema/?format=json', **self.header)
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        operation = schema['paths']['/api/plugins/archiflow/diagrams/{id}/preview/']['post']
        request = operation['requestBody']['content']['application/json']['schema']['$ref'].rsplit('/', 1)[1]
        components = schema['components']['schemas']
        self.assertEqual(components[request]['required'], ['svg'])
        self.assertEqual(set(components[request]['properties']), {'svg', 'version'})
        answer = operation['responses']['200']['content']['application/json']['schema']['$ref'].rsplit('/', 1)[1]
        self.assertEqual(set(components[answer]['properties']), {'version', 'preview_url'})
        for code in ('400', '403', '404', '409', '413'):
            body = operation['responses'][code]['content']['application/json']['schema']
            self.assertEqual(body, {'$ref': '#/components/schemas/Error'}, code)
        patch = schema['paths']['/api/plugins/archiflow/diagrams/{id}/']['patch']
        written = patch['requestBody']['content']['application/json']['schema']['$ref'].rsplit('/', 1)[1]
        self.assertEqual(components[written]['properties']['autosave']['type'], 'boolean')
