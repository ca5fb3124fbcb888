"""diagrams/{id}/status/: live status per linked cell, permissions, and queries bounded by object types."""

from dcim.models import Interface, Site
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from ipam.models import Prefix
from users.models import ObjectPermission
from utilities.testing import APITestCase, create_test_device
from utilities.testing.query_counts import assert_expected_query_count

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Alert, DiagramLink
from netbox_archiflow.services import diagrams as service


def linked(cell_id, obj):
    object_type = f'{obj._meta.app_label}.{obj._meta.model_name}'
    return samples.linked_cell(cell_id, str(obj), object_type, obj.pk, display=str(obj))


class DiagramStatusTest(APITestCase):
    model = DiagramLink  # query-count baselines are filed under diagramlink:

    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.device = create_test_device('core-sw-01', site=cls.site, status='offline')
        cls.interface = Interface.objects.create(device=cls.device, name='eth0', type='1000base-t', enabled=False)
        cls.prefix = Prefix.objects.create(prefix='10.0.0.0/24', status='reserved')
        ghost = samples.linked_cell('ghost', 'gone', 'dcim.device', 999999, display='old-sw')
        cls.diagram = service.create_diagram(
            'Fabric',
            samples.mxfile(linked('sw', cls.device), linked('eth', cls.interface), linked('net', cls.prefix), ghost),
        )
        Alert.objects.create(
            alert_type='device_down',
            severity='critical',
            object_type=ContentType.objects.get_for_model(cls.device),
            object_id=cls.device.pk,
            message='down',
        )

    def status(self, diagram=None):
        url = reverse('plugins-api:netbox_archiflow-api:diagram-status', args=[(diagram or self.diagram).pk])
        return self.client.get(url, **self.header)

    def cells(self):
        response = self.status()
        self.assertHttpStatus(response, 200)
        return {cell['cell_id']: cell for cell in response.json()['cells']}

    def test_status_of_each_linked_cell(self):
        self.user.is_superuser = True
        self.user.save()
        cells = self.cells()
        device = cells['sw']
        self.assertEqual((device['object_type'], device['object_id']), ('dcim.device', self.device.pk))
        self.assertEqual((device['exists'], device['visible'], device['display']), (True, True, 'core-sw-01'))
        self.assertEqual(device['status'], {'value': 'offline', 'label': 'Offline', 'color': 'gray'})
        self.assertEqual(device['alerts'], {'count': 1, 'worst': 'critical'})
        self.assertEqual(device['url'], self.device.get_absolute_url())
        self.assertEqual((cells['eth']['enabled'], cells['eth']['connected']), (False, False))
        self.assertEqual(cells['net']['status']['value'], 'reserved')
        self.assertEqual(cells['net']['alerts'], {'count': 0, 'worst': None})
        ghost = cells['ghost']
        self.assertEqual(
            (ghost['exists'], ghost['visible'], ghost['status'], ghost['display']), (False, False, None, 'old-sw')
        )

    def test_a_status_change_shows_on_the_next_poll(self):
        self.user.is_superuser = True
        self.user.save()
        self.device.status = 'active'
        self.device.save()
        self.assertEqual(self.cells()['sw']['status']['color'], 'green')

    def test_permissions(self):
        self.assertHttpStatus(self.status(), 403)  # no view on diagrams
        self.add_permissions('netbox_archiflow.view_diagram')
        self.assertEqual(self.cells(), {})  # no view on links
        self.add_permissions('netbox_archiflow.view_diagramlink')
        cells = self.cells()
        self.assertEqual((cells['sw']['exists'], cells['sw']['visible'], cells['sw']['status']), (True, False, None))
        self.assertIsNone(cells['sw']['url'])
        self.assertEqual(cells['sw']['alerts'], {'count': 0, 'worst': None})
        self.add_permissions('dcim.view_device')
        self.assertEqual(self.cells()['sw']['status']['value'], 'offline')
        self.assertEqual(self.cells()['sw']['alerts']['count'], 0)  # no view on alerts
        self.add_permissions('netbox_archiflow.view_alert')
        self.assertEqual(self.cells()['sw']['alerts']['count'], 1)

    def test_a_hidden_diagram_is_not_found(self):
        self.add_permissions('netbox_archiflow.view_diagram')
        diagram = service.create_diagram('Other', samples.mxfile(linked('sw', self.device)))
        ObjectPermission.objects.filter(users=self.user).update(constraints={'name': 'Fabric'})
        self.assertHttpStatus(self.status(diagram), 404)

    def test_queries_are_bounded_by_object_types_for_1000_cells(self):
        self.user.is_superuser = True
        self.user.save()
        self.status()  # warm the caches
        with assert_expected_query_count(self, 'diagram_status'):
            self.status()
        targets = [self.device, self.interface, self.prefix]
        cells = [linked(f'c{n}', targets[n % 3]) for n in range(999)]
        cells.append(samples.linked_cell('ghost', 'gone', 'dcim.device', 999999))
        service.save_diagram(self.diagram, samples.mxfile(*cells))
        self.assertEqual(DiagramLink.objects.filter(diagram=self.diagram).count(), 1000)
        with assert_expected_query_count(self, 'diagram_status'):
            response = self.status()
        self.assertEqual(len(response.json()['cells']), 1000)
