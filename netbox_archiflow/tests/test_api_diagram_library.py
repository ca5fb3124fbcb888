"""diagrams/{id}/library/: the editor's "NetBox" shape library, linked shapes of the objects the user may view."""

from circuits.models import Circuit, CircuitTermination, CircuitType, Provider
from dcim.models import DeviceRole, Rack, Site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ipam.models import Prefix
from users.models import ObjectPermission
from utilities.testing import APITestCase, create_test_device

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagrams as service


class DiagramLibraryTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.other_site = Site.objects.create(name='Site 2', slug='site-2')
        cls.firewall = create_test_device('fw-01', site=cls.site)
        cls.firewall.role = DeviceRole.objects.create(name='Firewall', slug='firewall', color='ff0000')
        cls.firewall.save()
        cls.switch = create_test_device('leaf-01', site=cls.site)
        cls.elsewhere = create_test_device('far-01', site=cls.other_site)
        cls.rack = Rack.objects.create(name='R1', site=cls.site)
        provider = Provider.objects.create(name='Carrier', slug='carrier')
        circuit_type = CircuitType.objects.create(name='Transit', slug='transit')
        cls.circuit = Circuit.objects.create(cid='C-100', provider=provider, type=circuit_type)
        CircuitTermination.objects.create(circuit=cls.circuit, term_side='A', termination=cls.site)
        cls.prefix = Prefix.objects.create(prefix='10.1.0.0/24', scope=cls.site)
        Prefix.objects.create(prefix='10.2.0.0/24', scope=cls.other_site)
        cls.diagram = service.create_diagram('At site 1', samples.mxfile(samples.cell('a', 'x')))
        Diagram.objects.filter(pk=cls.diagram.pk).update(site=cls.site)
        cls.siteless = service.create_diagram('No site', samples.mxfile(samples.cell('a', 'x')))

    def library(self, diagram=None, **params):
        url = reverse('plugins-api:netbox_archiflow-api:diagram-library', args=[(diagram or self.diagram).pk])
        return self.client.get(url, params, **self.header)

    def items(self, **params):
        response = self.library(**params)
        self.assertHttpStatus(response, 200)
        return response.json()

    def test_the_diagrams_site_as_linked_shapes(self):
        self.user.is_superuser = True
        self.user.save()
        body = self.items()
        self.assertEqual(body['site'], {'id': self.site.pk, 'name': 'Site 1'})
        found = {(item['object_type'], item['object_id']): item for item in body['items']}
        self.assertEqual(
            set(found),
            {
                ('dcim.device', self.firewall.pk),
                ('dcim.device', self.switch.pk),
                ('dcim.rack', self.rack.pk),
                ('circuits.circuit', self.circuit.pk),
                ('ipam.prefix', self.prefix.pk),
            },
        )
        firewall = found['dcim.device', self.firewall.pk]
        self.assertEqual((firewall['group'], firewall['label'], firewall['display']), ('Devices', 'fw-01', 'fw-01'))
        # The stencil follows the role, as in generated diagrams; labels stay plain text.
        self.assertIn('shape=mxgraph.networks.firewall;', firewall['style'])
        self.assertIn('fillColor=#ff0000;', firewall['style'])
        self.assertIn('html=0;', firewall['style'])
        self.assertEqual(found['ipam.prefix', self.prefix.pk]['label'], '10.1.0.0/24')
        self.assertEqual(found['circuits.circuit', self.circuit.pk]['group'], 'Circuits')

    def test_another_site_on_request_and_none_without_a_site(self):
        self.user.is_superuser = True
        self.user.save()
        body = self.items(site_id=self.other_site.pk)
        self.assertEqual([item['label'] for item in body['items']], ['far-01', '10.2.0.0/24'])
        response = self.library(diagram=self.siteless)
        self.assertEqual(response.json(), {'site': None, 'items': []})
        self.assertHttpStatus(self.library(site_id='x'), 400)
        self.assertHttpStatus(self.library(site_id=999999), 400)

    def test_only_objects_the_user_may_view(self):
        self.assertHttpStatus(self.library(), 403)  # no permission on diagrams at all
        self.add_permissions('netbox_archiflow.view_diagram', 'dcim.view_site', 'dcim.view_device')
        ObjectPermission.objects.filter(object_types__model='device', users=self.user).update(
            constraints={'name': 'leaf-01'}
        )
        body = self.items()
        self.assertEqual([(item['object_type'], item['label']) for item in body['items']], [('dcim.device', 'leaf-01')])
        ObjectPermission.objects.filter(object_types__model='site', users=self.user).update(
            constraints={'name': 'Site 1'}
        )
        response = self.library(site_id=self.other_site.pk)
        self.assertHttpStatus(response, 400)
        self.assertEqual(response.json()['field'], 'site_id')

    def test_queries_do_not_grow_with_the_site(self):
        self.user.is_superuser = True
        self.user.save()
        self.items()  # caches (content types, the user) filled
        with CaptureQueriesContext(connection) as few:
            self.items()
        for index in range(20):
            create_test_device(f'extra-{index}', site=self.site)
        with CaptureQueriesContext(connection) as many:
            body = self.items()
        self.assertEqual(len(body['items']), 25)
        self.assertEqual(len(many), len(few))
