"""The editor page carries the NetBox library of the diagram's site, which editor.js hands to Draw.io in its
``configure`` answer; only objects the user may view, and a hidden site is a message, not an error."""

from unittest import mock

from dcim.models import Site
from users.models import ObjectPermission
from utilities.testing import TestCase, create_test_device

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow import drawio_webapp
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagrams as service

from .test_api_diagram_editor_save import editor_config

PERMISSIONS = ('netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram', 'dcim.view_site')


class EditorLibraryTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.device = create_test_device('fw-01', site=cls.site)
        create_test_device('far-01', site=Site.objects.create(name='Site 2', slug='site-2'))
        cls.diagram = service.create_diagram('At site 1', samples.mxfile(samples.cell('a', 'x')))
        Diagram.objects.filter(pk=cls.diagram.pk).update(site=cls.site)
        cls.siteless = service.create_diagram('No site', samples.mxfile(samples.cell('a', 'x')))

    def library(self, diagram=None):
        with mock.patch.object(drawio_webapp, 'is_installed', return_value=True):
            response = self.client.get(f'{(diagram or self.diagram).get_absolute_url()}editor/')
        self.assertEqual(response.status_code, 200)
        return editor_config(response)['linkTools']['library']

    def test_the_diagrams_site_with_the_devices_the_user_may_view(self):
        self.add_permissions(*PERMISSIONS)
        self.assertEqual(
            self.library(), {'title': 'NetBox: Site 1', 'items': [], 'message': 'Nothing to show at this site.'}
        )
        self.add_permissions('dcim.view_device')
        library = self.library()
        self.assertEqual(library['title'], 'NetBox: Site 1')
        self.assertEqual(
            [(item['object_type'], item['object_id']) for item in library['items']], [('dcim.device', self.device.pk)]
        )
        self.assertEqual(library['message'], 'Drag a shape in: it is linked to its object.')

    def test_no_site_and_a_hidden_site_are_messages(self):
        self.add_permissions(*PERMISSIONS)
        self.assertEqual(
            self.library(self.siteless), {'title': 'NetBox', 'items': [], 'message': 'This diagram has no site.'}
        )
        ObjectPermission.objects.filter(object_types__model='site', users=self.user).update(
            constraints={'name': 'nothing'}
        )
        library = self.library()
        self.assertEqual((library['title'], library['items']), ('NetBox', []))
        self.assertIn(f'Site {self.site.pk} does not exist', library['message'])
