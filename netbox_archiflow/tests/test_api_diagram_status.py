"""diagrams/{id}/status/: live status per linked cell, permissions, and queries bounded by object types."""

from dcim.models import Interface, Site
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from ipam.models import VRF, IPAddress, IPRange, Prefix
from netaddr import IPNetwork
from users.models import ObjectPermission
from utilities.testing import APITestCase, create_test_device
from utilities.testing.query_counts import assert_expected_query_count

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Alert, DiagramLink
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services import prefix_utilization


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


class PrefixUtilizationTest(APITestCase):
    """The status endpoint's prefix utilization, read for all prefixes at once, equals NetBox's own
    ``Prefix.get_utilization()`` for containers (global and in a VRF), pools, marked-utilized prefixes,
    IPv4 and IPv6, with addresses counted once per host and mark-utilized ranges counted as used."""

    @classmethod
    def setUpTestData(cls):
        vrf = VRF.objects.create(name='Blue')
        prefixes = {
            'global container': Prefix(prefix='10.0.0.0/16', status='container'),
            'vrf container': Prefix(prefix='10.0.0.0/16', status='container', vrf=vrf),
            'child a': Prefix(prefix='10.0.0.0/24'),
            'child a half': Prefix(prefix='10.0.0.0/25'),
            'child b': Prefix(prefix='10.0.1.0/24'),
            'vrf child': Prefix(prefix='10.0.4.0/22', vrf=vrf),
            'empty container': Prefix(prefix='172.16.0.0/12', status='container'),
            'network': Prefix(prefix='192.168.0.0/24', status='reserved'),
            'pool': Prefix(prefix='192.168.1.0/24', is_pool=True),
            'marked': Prefix(prefix='192.168.2.0/24', mark_utilized=True),
            'full of ranges': Prefix(prefix='192.168.3.0/30'),
            'point to point': Prefix(prefix='192.168.4.0/31'),
            'vrf network': Prefix(prefix='192.168.0.0/24', vrf=vrf),
            'v6': Prefix(prefix='2001:db8::/120'),
        }
        for prefix in prefixes.values():
            prefix.save()
        addresses = [
            ('192.168.0.1/24', None),
            ('192.168.0.2/24', None),
            ('192.168.0.2/32', None),  # the same host again
            ('192.168.0.105/24', None),  # inside a mark-utilized range
            ('192.168.0.201/24', None),  # inside a range that is not marked
            ('192.168.0.3/24', vrf),
            ('192.168.1.7/24', None),
            ('192.168.4.0/31', None),
            ('10.0.0.9/24', None),
            ('2001:db8::1/64', None),
            ('2001:db8::2/64', None),
        ]
        IPAddress.objects.bulk_create(IPAddress(address=address, vrf=v) for address, v in addresses)
        for start, end, marked in (
            ('192.168.0.100/24', '192.168.0.110/24', True),
            ('192.168.0.200/24', '192.168.0.210/24', False),
            ('192.168.0.105/24', '192.168.0.120/24', True),  # overlaps the first
            ('192.168.3.0/30', '192.168.3.3/30', True),
            ('2001:db8::10/64', '2001:db8::1f/64', True),
        ):
            IPRange.objects.create(
                start_address=IPNetwork(start), end_address=IPNetwork(end), mark_utilized=marked, status='active'
            )
        cls.prefixes = prefixes

    def test_equal_to_netbox_get_utilization(self):
        annotated = {p.pk: p for p in prefix_utilization.with_utilization(Prefix.objects.all())}
        for name, prefix in self.prefixes.items():
            with self.subTest(name):
                expected = Prefix.objects.get(pk=prefix.pk).get_utilization()
                self.assertAlmostEqual(prefix_utilization.utilization(annotated[prefix.pk]), expected, places=9)
        self.assertGreater(prefix_utilization.utilization(annotated[self.prefixes['network'].pk]), 0)
        self.assertEqual(prefix_utilization.utilization(annotated[self.prefixes['full of ranges'].pk]), 100)

    def test_reported_per_linked_prefix_in_one_query(self):
        self.user.is_superuser = True
        self.user.save()
        diagram = service.create_diagram(
            'Networks', samples.mxfile(*(linked(name, prefix) for name, prefix in self.prefixes.items()))
        )
        url = reverse('plugins-api:netbox_archiflow-api:diagram-status', args=[diagram.pk])
        self.client.get(url, **self.header)  # warm the caches
        # token, user, diagram, links, the prefixes with their utilization, open alerts
        with self.assertNumQueries(6):
            response = self.client.get(url, **self.header)
        cells = {cell['cell_id']: cell for cell in response.json()['cells']}
        for name, prefix in self.prefixes.items():
            with self.subTest(name):
                expected = round(float(Prefix.objects.get(pk=prefix.pk).get_utilization()), 2)
                self.assertEqual(cells[name]['utilization'], expected)
