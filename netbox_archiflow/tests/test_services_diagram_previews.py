"""Every write of diagram content has a server-drawn preview: drawn when first asked for, then kept on the diagram
and on its version."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from users.models import User
from utilities.testing import TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow import drawio_webapp
from netbox_archiflow.demo import diagrams as demo_diagrams
from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.services import diagrams as service

from .base import make_template
from .test_rpc import RPCTestCase

ONE = samples.mxfile(samples.cell('a', 'alpha'))
TWO = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'), samples.edge('e1', 'a', 'b'))
EXPORT = '<svg xmlns="http://www.w3.org/2000/svg"><text>exported by Draw.io</text></svg>'


def assert_preview_shows(test, diagram, *labels):
    """The diagram's picture shows ``labels``; once asked for, the diagram and its current version keep it."""
    svg = service.preview_svg(Diagram.objects.get(pk=diagram.pk))
    test.assertTrue(svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg[:80])
    diagram = Diagram.objects.get(pk=diagram.pk)
    version = DiagramVersion.objects.get(diagram=diagram, version_number=diagram.version)
    test.assertEqual((diagram.preview_svg, version.preview_svg), (svg, svg))
    for label in labels:
        test.assertIn(f'>{label}<', svg)
    return svg


class ServicePreviewTest(TestCase):
    def test_create_and_save_draw_a_preview(self):
        diagram = service.create_diagram('D', ONE)
        first = assert_preview_shows(self, diagram, 'alpha')
        service.save_diagram(diagram, TWO)
        second = assert_preview_shows(self, diagram, 'alpha', 'beta')
        self.assertIn('<polyline', second)
        self.assertEqual(DiagramVersion.objects.get(diagram=diagram, version_number=1).preview_svg, first)

    def test_a_save_draws_nothing_until_the_picture_is_asked_for(self):
        diagram = service.create_diagram('D', ONE)
        self.assertEqual(Diagram.objects.get(pk=diagram.pk).preview_svg, '')
        first = assert_preview_shows(self, diagram, 'alpha')
        stored = Diagram.objects.get(pk=diagram.pk)
        with self.assertNumQueries(0):  # kept: not drawn again
            self.assertEqual(service.preview_svg(stored), first)

    def test_a_picture_is_kept_only_for_the_content_it_was_drawn_from(self):
        diagram = service.create_diagram('D', ONE)
        read_before_the_save = Diagram.objects.get(pk=diagram.pk)
        service.save_diagram(diagram, TWO)
        self.assertNotIn('>beta<', service.preview_svg(read_before_the_save))
        self.assertEqual(Diagram.objects.get(pk=diagram.pk).preview_svg, '')
        self.assertIn('>alpha<', DiagramVersion.objects.get(diagram=diagram, version_number=1).preview_svg)
        assert_preview_shows(self, diagram, 'alpha', 'beta')

    def test_autosave_redraws_the_rolling_version(self):
        user = User.objects.create_user('autosaver')
        diagram = service.create_diagram('D', ONE, user)
        service.save_diagram(diagram, TWO, user, kind='autosave')
        service.save_diagram(diagram, samples.mxfile(samples.cell('c', 'gamma')), user, kind='autosave')
        assert_preview_shows(self, diagram, 'gamma')

    def test_restore_brings_the_versions_picture_back(self):
        diagram = service.create_diagram('D', ONE)
        service.store_preview(diagram, EXPORT, version=1)  # Draw.io's export replaces the drawn one
        self.assertIn('exported by Draw.io', DiagramVersion.objects.get(diagram=diagram, version_number=1).preview_svg)
        service.save_diagram(diagram, TWO)
        assert_preview_shows(self, diagram, 'beta')
        service.restore_version(diagram, 1)
        self.assertEqual(diagram.version, 3)
        assert_preview_shows(self, diagram, 'exported by Draw.io')

    def test_template_and_demo_diagrams_have_previews(self):
        template = make_template('T', 't')
        diagram = service.instantiate_template(template, 'From T', {'site': 'ams9'})
        assert_preview_shows(self, diagram, 'ams9-core-01', '100G')
        demo_diagrams.load()
        for diagram in Diagram.objects.exclude(name='From T'):
            with self.subTest(diagram=diagram.name):
                assert_preview_shows(self, diagram)


class ViewPreviewTest(TestCase):
    user_permissions = (
        'netbox_archiflow.add_diagram',
        'netbox_archiflow.view_diagram',
        'netbox_archiflow.view_diagramversion',
    )

    def test_imported_files_have_previews(self):
        upload = SimpleUploadedFile('Core.drawio', samples.compressed_mxfile(samples.cell('c', 'gamma')).encode())
        response = self.client.post(reverse('plugins:netbox_archiflow:diagram_import_files'), {'files': [upload]})
        self.assertEqual(response.status_code, 302, response.content[:500])
        assert_preview_shows(self, Diagram.objects.get(name='Core'), 'gamma')

    def test_version_preview_is_served_inert(self):
        diagram = service.create_diagram('D', ONE)
        service.save_diagram(diagram, TWO)
        version = diagram.versions.get(version_number=1)
        response = self.client.get(reverse('plugins:netbox_archiflow:diagramversion_preview', args=[version.pk]))
        self.assertEqual(response['Content-Type'], 'image/svg+xml; charset=utf-8')
        self.assertIn('sandbox', response['Content-Security-Policy'])
        self.assertIn(b'>alpha<', response.content)
        self.assertNotIn(b'beta', response.content)
        with mock.patch.object(drawio_webapp, 'viewer_url', return_value=None):  # no self-hosted Draw.io
            page = self.client.get(version.get_absolute_url())
        self.assertContains(page, reverse('plugins:netbox_archiflow:diagramversion_preview', args=[version.pk]))


class APIPreviewTest(RPCTestCase):
    def test_rest_and_rpc_writes_have_previews(self):
        self.add_permissions(
            'netbox_archiflow.add_diagram', 'netbox_archiflow.change_diagram', 'netbox_archiflow.view_diagram'
        )
        response = self.client.post(
            reverse('plugins-api:netbox_archiflow-api:diagram-list'),
            {'name': 'REST', 'xml': ONE},
            format='json',
            **self.header,
        )
        self.assertEqual(response.status_code, 201, response.content)
        assert_preview_shows(self, Diagram.objects.get(name='REST'), 'alpha')
        self.result('save-diagram', {'name': 'RPC', 'xml': TWO})
        assert_preview_shows(self, Diagram.objects.get(name='RPC'), 'alpha', 'beta')
