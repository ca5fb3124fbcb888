"""Import several .drawio / .xml files at once from the diagram list (all or nothing)."""

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange, ObjectType
from dcim.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from users.models import ObjectPermission
from utilities.testing import TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramVersion

URL = 'plugins:netbox_archiflow:diagram_import_files'

PLAIN = samples.mxfile(samples.cell('a', 'alpha'))
COMPRESSED = samples.compressed_mxfile(samples.cell('b', 'beta'), samples.cell('c', 'gamma'))
MALFORMED = '<mxfile><diagram id="p1"><mxGraphModel><root>'
BILLION_LAUGHS = (
    '<?xml version="1.0"?>'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<mxfile><diagram id="p1" name="&lol3;">' + samples.graph_model() + '</diagram></mxfile>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<mxfile><diagram id="p1" name="&xxe;">' + samples.graph_model() + '</diagram></mxfile>'
)


def upload(name, text):
    data = text.encode('utf-8') if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type='application/xml')


class DiagramFileImportViewTestCase(TestCase):
    user_permissions = ('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')

    def post(self, *files, **data):
        return self.client.post(reverse(URL), {'files': list(files), **data})

    def assertNothingCreated(self):
        self.assertFalse(Diagram.objects.exists())
        self.assertFalse(DiagramVersion.objects.exists())

    def test_form_renders_and_list_has_button(self):
        response = self.client.get(reverse(URL))
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'multiple')
        self.assertContains(response, 'Import .drawio files')
        response = self.client.get(reverse('plugins:netbox_archiflow:diagram_list'))
        self.assertHttpStatus(response, 200)
        self.assertContains(response, reverse(URL))

    def test_two_files_create_two_diagrams_at_version_1(self):
        site = Site.objects.create(name='Import Site', slug='import-site')
        self.add_permissions('dcim.view_site')
        response = self.post(
            upload('Core network.drawio', PLAIN),
            upload('edge.xml', COMPRESSED),
            site=site.pk,
            status='live',
        )
        self.assertHttpStatus(response, 302)
        self.assertTrue(response.url.startswith(reverse('plugins:netbox_archiflow:diagram_list')))
        diagrams = {d.name: d for d in Diagram.objects.all()}
        self.assertEqual(set(diagrams), {'Core network', 'edge'})
        for diagram in diagrams.values():
            self.assertEqual(diagram.version, 1)
            self.assertEqual(diagram.site, site)
            self.assertEqual(diagram.status, 'live')
            self.assertEqual(diagram.created_by, self.user)
            version = diagram.versions.get()
            self.assertEqual(version.version_number, 1)
            self.assertEqual(version.author, self.user)
        self.assertEqual(diagrams['Core network'].xml, PLAIN)
        self.assertEqual(diagrams['edge'].xml, COMPRESSED)
        self.assertEqual(diagrams['edge'].versions.get().change_summary, 'Imported from edge.xml')

        response = self.client.get(response.url)
        self.assertContains(response, 'Imported 2 diagrams')

    def test_change_log_records_the_user(self):
        self.post(upload('one.drawio', PLAIN), upload('two.drawio', COMPRESSED))
        diagram_type = ObjectType.objects.get_for_model(Diagram)
        changes = ObjectChange.objects.filter(
            changed_object_type=diagram_type, action=ObjectChangeActionChoices.ACTION_CREATE
        )
        self.assertEqual(changes.count(), 2)
        self.assertEqual(set(changes.values_list('user', flat=True)), {self.user.pk})
        self.assertEqual(set(changes.values_list('user_name', flat=True)), {self.user.username})
        version_type = ObjectType.objects.get_for_model(DiagramVersion)
        self.assertEqual(ObjectChange.objects.filter(changed_object_type=version_type, user=self.user).count(), 2)

    def test_one_malformed_file_creates_nothing_and_names_it(self):
        response = self.post(
            upload('good.drawio', PLAIN), upload('broken.drawio', MALFORMED), upload('also.xml', PLAIN)
        )
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'broken.drawio: The xml is not well-formed XML')
        self.assertNotContains(response, 'good.drawio:')
        self.assertNothingCreated()

    def test_entities_are_refused(self):
        for name, text in (('laughs.drawio', BILLION_LAUGHS), ('xxe.drawio', XXE)):
            with self.subTest(name=name):
                response = self.post(upload('fine.drawio', PLAIN), upload(name, text))
                self.assertHttpStatus(response, 200)
                self.assertContains(response, f'{name}: The xml was refused')
                self.assertNothingCreated()

    @override_settings(PLUGINS_CONFIG={'netbox_archiflow': {'diagram_max_bytes': 1000}})
    def test_too_large_and_not_utf8_are_refused(self):
        large = samples.mxfile(*(samples.cell(f'c{n}', 'x' * 50) for n in range(20)))
        response = self.post(
            upload('small.drawio', PLAIN), upload('large.drawio', large), upload('latin1.xml', 'é'.encode('latin-1'))
        )
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'large.drawio: The file is')
        self.assertContains(response, 'latin1.xml: The file is not UTF-8 text')
        self.assertNothingCreated()

    def test_duplicate_names_in_one_upload_are_refused(self):
        response = self.post(upload('site.drawio', PLAIN), upload('site.xml', COMPRESSED))
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'site.xml: gives the diagram name')
        self.assertNothingCreated()

    def test_no_files(self):
        response = self.post()
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'This field is required')
        self.assertNothingCreated()

    def test_without_add_permission_is_403(self):
        self.remove_permissions('netbox_archiflow.add_diagram')
        self.assertHttpStatus(self.client.get(reverse(URL)), 403)
        self.assertHttpStatus(self.post(upload('one.drawio', PLAIN)), 403)
        self.assertNothingCreated()
        response = self.client.get(reverse('plugins:netbox_archiflow:diagram_list'))
        self.assertNotContains(response, reverse(URL))

    def test_object_permission_constraint_rolls_everything_back(self):
        self.remove_permissions('netbox_archiflow.add_diagram')
        permission = ObjectPermission(name='add live diagrams', actions=['add'], constraints={'status': 'live'})
        permission.save()
        permission.object_types.add(ObjectType.objects.get_for_model(Diagram))
        permission.users.add(self.user)

        response = self.post(upload('one.drawio', PLAIN), upload('two.drawio', PLAIN), status='draft')
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'object-level permissions violation')
        self.assertNothingCreated()
        self.assertFalse(ObjectChange.objects.filter(user=self.user).exists())

        response = self.post(upload('one.drawio', PLAIN), upload('two.drawio', PLAIN), status='live')
        self.assertHttpStatus(response, 302)
        self.assertEqual(Diagram.objects.filter(status='live').count(), 2)
