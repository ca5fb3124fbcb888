"""Diagrams generated from NetBox: physical and L3 content, bounded queries, permissions, refresh."""

from xml.etree.ElementTree import tostring

from dcim.models import Device, Interface
from defusedxml.ElementTree import fromstring
from django.db import connection
from django.test.utils import CaptureQueriesContext
from users.models import ObjectPermission
from utilities.testing import TestCase

from netbox_archiflow.drawio.build import cell_id
from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.services import diagrams as diagram_service
from netbox_archiflow.services import generate
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.tests.test_drawio_build import absolute_boxes, inside, overlap

from .topology_fixtures import cable, make_topology


def key(obj):
    return cell_id(f'{obj._meta.app_label}.{obj._meta.model_name}', obj.pk)


class GenerateTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.t = make_topology()

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def physical(self, scope=None, **options):
        scope = scope or self.t.site
        spec = generate.parse_spec(self.user, 'physical', f'dcim.{scope._meta.model_name}', scope.pk, options or None)
        return absolute_boxes(generate.generate_xml(spec, self.user))


class PhysicalTest(GenerateTestCase):
    def test_each_device_once_inside_its_boxes(self):
        boxes, cells = self.physical()
        t = self.t
        devices = [k for k in cells if k.startswith('nb:dcim.device:')]
        expected = [t.core, t.leaf, *t.servers, t.panel, t.lonely, t.remote]
        self.assertCountEqual(devices, [key(d) for d in expected])
        for device, box in ((t.core, t.racks[0]), (t.leaf, t.racks[1]), (t.panel, t.hall), (t.lonely, t.site)):
            self.assertTrue(inside(boxes[key(device)], boxes[key(box)]), device)
        self.assertTrue(inside(boxes[key(t.racks[0])], boxes[key(t.room)]))
        self.assertTrue(inside(boxes[key(t.room)], boxes[key(t.hall)]))
        self.assertFalse(inside(boxes[key(t.remote)], boxes[key(t.site)]))
        shapes = [boxes[k] for k in devices]
        for index, a in enumerate(shapes):
            for b in shapes[index + 1 :]:
                self.assertFalse(overlap(a, b))
        self.assertEqual(cells[key(t.core)][0].get('netbox_type'), 'dcim.device')
        self.assertEqual(cells[key(t.core)][0].get('netbox_display'), t.core.name)

    def test_each_cable_once_between_the_right_cells_with_both_interface_names(self):
        _boxes, cells = self.physical()
        t = self.t
        expected = {
            t.cables.uplink1: (t.core, t.leaf, 'et1', 'et49'),
            t.cables.uplink2: (t.core, t.leaf, 'et2', 'et50'),
            t.cables.srv1: (t.leaf, t.servers[0], 'et1', 'eno1'),
            t.cables.to_panel: (t.core, t.panel, 'et3', 'front1'),
            t.cables.from_panel: (t.panel, t.lonely, 'rear1', 'eno1'),
            t.cables.remote: (t.core, t.remote, 'et4', 'xe0'),
        }
        for c, (a, b, a_name, b_name) in expected.items():
            wrapper, cell = cells[key(c)]
            self.assertEqual((cell.get('source'), cell.get('target')), (key(a), key(b)))
            self.assertEqual(wrapper.get('netbox_type'), 'dcim.cable')
            self.assertEqual(cells[key(c) + '#a'][0].get('label'), a_name)
            self.assertEqual(cells[key(c) + '#b'][0].get('label'), b_name)
            self.assertEqual(
                cells[key(c) + '#b'][0].get('netbox_type'), 'dcim.interface' if b_name != 'front1' else 'dcim.frontport'
            )
        cables = [k for k in cells if k.startswith('nb:dcim.cable:') and '#' not in k]
        self.assertEqual(len(cables), 8)  # the 7 above and the circuit's
        self.assertNotEqual(cells[key(t.cables.uplink1)][1].get('style'), cells[key(t.cables.uplink2)][1].get('style'))

    def test_circuit_to_the_other_site(self):
        _boxes, cells = self.physical()
        circuit = key(self.t.circuit)
        self.assertEqual(cells[key(self.t.cables.circuit)][1].get('target'), circuit)
        far = [c for _k, (_w, c) in cells.items() if c.get('edge') == '1' and c.get('source') == circuit]
        self.assertEqual([c.get('target') for c in far], [key(self.t.other_site)])
        _boxes, cells = self.physical(circuits=False)
        self.assertNotIn(circuit, cells)

    def test_patch_panels_traced_through(self):
        _boxes, cells = self.physical(trace_patch_panels=True)
        self.assertNotIn(key(self.t.panel), cells)
        self.assertNotIn(key(self.t.cables.to_panel), cells)
        core_if, lonely_if = self.t.interfaces.core[2], self.t.interfaces.lonely
        trace = f'nb:trace:{min(core_if.pk, lonely_if.pk)}:{max(core_if.pk, lonely_if.pk)}'
        _wrapper, cell = cells[trace]
        self.assertEqual({cell.get('source'), cell.get('target')}, {key(self.t.core), key(self.t.lonely)})
        self.assertEqual({cells[trace + '#a'][0].get('label'), cells[trace + '#b'][0].get('label')}, {'et3', 'eno1'})

    def test_rack_location_and_filtered_devices(self):
        _boxes, cells = self.physical(self.t.racks[1])
        self.assertCountEqual(
            [k for k in cells if k.startswith('nb:dcim.device:')],
            [key(self.t.leaf), *(key(s) for s in self.t.servers), key(self.t.core)],  # core: far end of uplinks
        )
        self.assertIn(key(self.t.site), cells)
        _boxes, cells = self.physical(self.t.hall)
        self.assertIn(key(self.t.panel), cells)
        self.assertNotIn(key(self.t.lonely), [k for k in cells if cells[k][1].get('parent') == key(self.t.hall)])
        spec = generate.parse_spec(
            self.user, 'physical', 'dcim.device', None, {'filters': {'role': [self.t.roles['server'].slug]}}
        )
        _boxes, cells = absolute_boxes(generate.generate_xml(spec, self.user))
        self.assertIn(key(self.t.servers[0]), cells)
        self.assertIn(key(self.t.lonely), cells)
        self.assertIn('dashed=1', cells[key(self.t.leaf)][1].get('style'))  # the far end of their cables
        self.assertNotIn(key(self.t.core), cells)

    def test_query_count_does_not_grow_with_the_site(self):
        spec = generate.parse_spec(self.user, 'physical', 'dcim.site', self.t.site.pk)
        with CaptureQueriesContext(connection) as small:
            generate.generate_xml(spec, self.user)
        for n in range(10):
            device = Device.objects.create(
                name=f'extra-{n}', site=self.t.site, device_type=self.t.device_type, role=self.t.roles['server']
            )
            cable(Interface.objects.create(device=device, name='eno1', type='1000base-t'), self._free_leaf_port(n))
        with CaptureQueriesContext(connection) as large:
            xml = generate.generate_xml(spec, self.user)
        self.assertIn('extra-9', xml)
        self.assertEqual(len(large.captured_queries), len(small.captured_queries))
        self.assertLessEqual(len(large.captured_queries), 15)

    def _free_leaf_port(self, n):
        return Interface.objects.create(device=self.t.leaf, name=f'et{10 + n}', type='10gbase-x-sfpp')


class L3Test(GenerateTestCase):
    def l3(self, scope, **options):
        spec = generate.parse_spec(
            self.user, 'l3', f'{scope._meta.app_label}.{scope._meta.model_name}', scope.pk, options
        )
        return absolute_boxes(generate.generate_xml(spec, self.user))

    def assert_attached(self, cells, address, node, prefix):
        _wrapper, cell = cells[key(address)]
        self.assertEqual((cell.get('source'), cell.get('target')), (key(node), key(prefix)))
        self.assertEqual(cells[key(address)][0].get('label'), str(address.address))

    def test_vrf_addresses_on_the_most_specific_prefix(self):
        _boxes, cells = self.l3(self.t.vrf)
        t = self.t
        self.assert_attached(cells, t.addresses.core, t.core, t.prefixes.transfer)
        self.assert_attached(cells, t.addresses.leaf, t.leaf, t.prefixes.transfer)
        self.assert_attached(cells, t.addresses.srv1, t.servers[0], t.prefixes.servers)
        self.assert_attached(cells, t.addresses.leaf_svi, t.leaf, t.prefixes.servers)
        self.assert_attached(cells, t.addresses.vm, t.vm, t.prefixes.servers)
        self.assertEqual(cells[key(t.vm)][0].get('netbox_type'), 'virtualization.virtualmachine')
        self.assertNotIn(key(t.prefixes.empty), cells)
        self.assertNotIn(key(t.prefixes.supernet), cells)
        _boxes, cells = self.l3(self.t.vrf, empty_prefixes=True, virtual_machines=False)
        self.assertIn(key(t.prefixes.empty), cells)
        self.assertNotIn(key(t.vm), cells)

    def test_site(self):
        _boxes, cells = self.l3(self.t.site)
        self.assert_attached(cells, self.t.addresses.vm, self.t.vm, self.t.prefixes.servers)
        self.assert_attached(cells, self.t.addresses.core, self.t.core, self.t.prefixes.transfer)


class RequestValidationTest(GenerateTestCase):
    def test_bad_requests_name_the_field(self):
        cases = (
            (('tree', 'dcim.site', self.t.site.pk, None), 'kind'),
            (('l3', 'dcim.rack', self.t.racks[0].pk, None), 'scope_type'),
            (('physical', 'dcim.site', 'x', None), 'scope_id'),
            (('physical', 'dcim.site', 999999, None), 'scope_id'),
            (('physical', 'dcim.site', self.t.site.pk, {'primary_ip': 'yes'}), 'options.primary_ip'),
            (('physical', 'dcim.site', self.t.site.pk, {'virtual_machines': True}), 'options.virtual_machines'),
            (('physical', 'dcim.site', self.t.site.pk, []), 'options'),
            (('physical', 'dcim.device', None, {}), 'options.filters'),
        )
        for args, field in cases:
            with self.subTest(field=field), self.assertRaises(ServiceError) as ctx:
                generate.parse_spec(self.user, *args)
            self.assertEqual(ctx.exception.field, field)
            self.assertEqual(ctx.exception.status, 400)
        spec = generate.parse_spec(self.user, 'physical', 'dcim.device', None, {'filters': {'site_id': ['x']}})
        with self.assertRaises(ServiceError) as ctx:
            generate.generate_xml(spec, self.user)
        self.assertEqual(ctx.exception.field, 'options.filters.site_id')


class PermissionTest(GenerateTestCase):
    def setUp(self):
        super().setUp()
        self.user.is_superuser = False
        self.user.save()

    def test_only_objects_the_user_may_view(self):
        for model in ('dcim.site', 'dcim.location', 'dcim.rack', 'dcim.cable', 'dcim.interface', 'dcim.frontport'):
            self.add_permissions(f'{model.split(".")[0]}.view_{model.split(".")[1]}')
        self.add_permissions('dcim.view_device', 'dcim.view_rearport')
        ObjectPermission.objects.filter(name='dcim.view_device').update(
            constraints={'role__slug__in': ['gen-core', 'gen-leaf']}
        )
        _boxes, cells = self.physical()
        devices = {k for k in cells if k.startswith('nb:dcim.device:')}
        self.assertEqual(devices, {key(self.t.core), key(self.t.leaf), key(self.t.remote)})
        self.assertIn(key(self.t.cables.uplink1), cells)
        self.assertNotIn(key(self.t.cables.srv1), cells)

    def test_unseen_scope_is_not_found(self):
        with self.assertRaises(ServiceError) as ctx:
            generate.parse_spec(self.user, 'physical', 'dcim.site', self.t.site.pk)
        self.assertEqual((ctx.exception.status, ctx.exception.field), (400, 'scope_id'))


class GenerateDiagramTest(GenerateTestCase):
    def test_new_diagram_at_version_1_with_spec_and_preview(self):
        spec = generate.parse_spec(self.user, 'physical', 'dcim.site', self.t.site.pk)
        diagram = generate.generate_diagram('Site drawing', spec, self.user)
        diagram.refresh_from_db()
        self.assertEqual(diagram.version, 1)
        self.assertEqual(diagram.site, self.t.site)
        self.assertEqual(diagram.metadata['generator']['scope_id'], self.t.site.pk)
        self.assertIn(self.t.core.name, diagram_service.preview_svg(diagram))
        self.assertTrue(diagram.preview_svg.startswith('<svg'))


class RefreshTest(GenerateTestCase):
    def setUp(self):
        super().setUp()
        spec = generate.parse_spec(self.user, 'physical', 'dcim.site', self.t.site.pk)
        self.diagram = generate.generate_diagram('Refresh me', spec, self.user)

    def test_unchanged_netbox_gives_no_version(self):
        saved, result = generate.refresh_diagram(self.diagram, self.user)
        self.assertFalse(saved.modified)
        self.assertFalse(result.changes)
        self.assertEqual(DiagramVersion.objects.filter(diagram=self.diagram).count(), 1)

    def test_unchanged_netbox_is_told_without_reading_the_content(self):
        diagram = Diagram.objects.defer('xml').get(pk=self.diagram.pk)
        with CaptureQueriesContext(connection) as queries:
            saved, result = generate.refresh_diagram(diagram, self.user)
        self.assertFalse(saved.modified or result.changes)
        self.assertFalse([q for q in queries.captured_queries if 'netbox_archiflow_diagram' in q['sql']])

    def test_a_user_edit_is_merged_again_and_the_refresh_remembered(self):
        root = fromstring(self.diagram.xml)
        graph = root.find('diagram/mxGraphModel/root')
        gone = next(o for o in graph.iter('object') if o.get('id') == key(self.t.core))
        graph.remove(gone)
        diagram_service.save_diagram(self.diagram, tostring(root, encoding='unicode'), self.user, summary='deleted')
        saved, result = generate.refresh_diagram(self.diagram, self.user)
        self.assertEqual(result.summary, 'Refreshed from NetBox: +1 device')
        self.assertEqual(saved.version.version_number, 3)
        generated = Diagram.objects.get(pk=self.diagram.pk).metadata['generator']['generated']
        self.assertEqual(generated['version'], 3)
        diagram = Diagram.objects.defer('xml').get(pk=self.diagram.pk)
        with CaptureQueriesContext(connection) as queries:
            again, _result = generate.refresh_diagram(diagram, self.user)
        self.assertFalse(again.modified)
        self.assertFalse([q for q in queries.captured_queries if 'netbox_archiflow_diagram' in q['sql']])

    def test_moved_cell_kept_new_device_and_cable_added_deleted_cable_removed(self):
        root = fromstring(self.diagram.xml)
        core = next(o for o in root.iter('object') if o.get('id') == key(self.t.core))
        core.find('mxCell/mxGeometry').attrib.update(x='777', y='555')
        diagram_service.save_diagram(self.diagram, tostring(root, encoding='unicode'), self.user, summary='moved')
        deleted = key(self.t.cables.srv2)
        self.t.cables.srv2.delete()
        new = Device.objects.create(
            name='gen-new',
            site=self.t.site,
            rack=self.t.racks[1],
            location=self.t.room,
            device_type=self.t.device_type,
            role=self.t.roles['server'],
        )
        new_port = Interface.objects.create(device=new, name='eno1', type='1000base-t')
        new_cable = cable(new_port, self.t.interfaces.servers[1])

        saved, result = generate.refresh_diagram(self.diagram, self.user)
        self.assertTrue(saved.modified)
        self.assertEqual(saved.version.kind, 'refresh')
        self.assertEqual(saved.version.version_number, 3)
        self.assertEqual(result.summary, 'Refreshed from NetBox: +1 cable, +1 device, −1 cable')
        boxes, cells = absolute_boxes(self.diagram.xml)
        geometry = cells[key(self.t.core)][1].find('mxGeometry')
        self.assertEqual((geometry.get('x'), geometry.get('y')), ('777', '555'))
        self.assertIn(key(new), cells)
        self.assertIn(key(new_cable), cells)
        self.assertNotIn(deleted, cells)
        self.assertTrue(inside(boxes[key(new)], boxes[key(self.t.racks[1])]))
        rack_devices = [boxes[k] for k, (_w, c) in cells.items() if c.get('parent') == key(self.t.racks[1])]
        for index, a in enumerate(rack_devices):
            for b in rack_devices[index + 1 :]:
                self.assertFalse(overlap(a, b))
        again, _result = generate.refresh_diagram(self.diagram, self.user)
        self.assertFalse(again.modified)

    def test_removed_objects_marked_on_request(self):
        deleted = key(self.t.cables.srv2)
        self.t.cables.srv2.delete()
        _saved, result = generate.refresh_diagram(self.diagram, self.user, mark_removed=True)
        self.assertEqual(result.summary, 'Refreshed from NetBox: −1 cable')
        _boxes, cells = absolute_boxes(self.diagram.xml)
        wrapper, cell = cells[deleted]
        self.assertEqual(wrapper.get('netbox_removed'), '1')
        self.assertIn('opacity=40', cell.get('style'))

    def test_a_diagram_not_generated_cannot_be_refreshed(self):
        diagram = diagram_service.create_diagram('plain', '', self.user)
        with self.assertRaises(ServiceError) as ctx:
            generate.refresh_diagram(diagram, self.user)
        self.assertEqual(ctx.exception.code, 'not_generated')
