"""Building and laying out generated diagrams: pure, no database."""

import unittest
from itertools import pairwise
from xml.etree import ElementTree

from netbox_archiflow.drawio import content, pages
from netbox_archiflow.drawio.build import Container, Edge, EndLabel, Link, Node, Topology, build_diagram
from netbox_archiflow.drawio.merge import merge_diagram

LIMIT = 10 * 1024 * 1024


def absolute_boxes(xml):
    """``{id: (x, y, w, h, wrapper, cell)}`` of every vertex with absolute coordinates."""
    model = pages.parse_diagram(xml, LIMIT).pages[0][2]
    cells = {(w.get('id') or c.get('id')): (w, c) for w, c in pages.iter_cells(model)}
    result = {}

    def absolute(key):
        if key in result:
            return result[key]
        wrapper, cell = cells[key]
        geometry = cell.find('mxGeometry')
        x, y = float(geometry.get('x', 0)), float(geometry.get('y', 0))
        parent = cell.get('parent')
        if parent in cells and cells[parent][1].get('vertex') == '1':
            px, py, *_ = absolute(parent)
            x, y = x + px, y + py
        result[key] = (x, y, float(geometry.get('width', 0)), float(geometry.get('height', 0)), wrapper, cell)
        return result[key]

    for key, (_wrapper, cell) in cells.items():
        if cell.get('vertex') == '1' and cell.find('mxGeometry').get('relative') != '1':
            absolute(key)
    return result, cells


def overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner, outer):
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def device(n, tier, container=None, label=None):
    return Node(
        f'nb:dcim.device:{n}',
        label or f'dev-{n}',
        Link('dcim.device', n, f'dev-{n}'),
        tier=tier,
        container=container,
    )


def sample():
    site = Container('nb:dcim.site:1', 'Site A', Link('dcim.site', 1, 'Site A'))
    location = Container('nb:dcim.location:2', 'Hall 1', Link('dcim.location', 2, 'Hall 1'), parent=site.key)
    racks = [
        Container(f'nb:dcim.rack:{n}', f'R{n}', Link('dcim.rack', n, f'R{n}'), parent=location.key) for n in (1, 2)
    ]
    nodes = [
        device(1, 0, racks[0].key),
        device(2, 1, racks[0].key),
        device(3, 1, racks[1].key),
        *[device(n, 3, racks[1].key, label=f'server-{n}\n10.0.0.{n}') for n in range(4, 10)],
        device(10, 3, site.key),
        device(11, 0),
    ]
    edges = [
        Edge(
            'nb:dcim.cable:1',
            nodes[0].key,
            nodes[1].key,
            link=Link('dcim.cable', 1, '#1'),
            source_label=EndLabel('Ethernet1', Link('dcim.interface', 11, 'Ethernet1')),
            target_label=EndLabel('Ethernet49', Link('dcim.interface', 12, 'Ethernet49')),
        ),
        Edge('nb:dcim.cable:2', nodes[0].key, nodes[1].key, link=Link('dcim.cable', 2, '#2')),
        Edge('nb:dcim.cable:3', nodes[0].key, nodes[2].key, link=Link('dcim.cable', 3, '#3')),
        *[
            Edge(f'nb:dcim.cable:{n + 10}', nodes[2].key, nodes[n].key, link=Link('dcim.cable', n + 10, '#'))
            for n in range(3, 9)
        ],
        Edge('nb:dcim.cable:30', nodes[0].key, nodes[9].key),
        Edge('nb:dcim.cable:31', nodes[10].key, nodes[0].key),
    ]
    return Topology('Site A', nodes, [site, location, *racks], edges)


class BuildTest(unittest.TestCase):
    def setUp(self):
        self.topology = sample()
        self.xml = build_diagram(self.topology)
        self.boxes, self.cells = absolute_boxes(self.xml)

    def test_every_object_once_with_its_link(self):
        for item in [*self.topology.nodes, *self.topology.containers]:
            wrapper, _cell = self.cells[item.key]
            self.assertEqual(
                (wrapper.tag, wrapper.get('netbox_type'), wrapper.get('netbox_id'), wrapper.get('netbox_display')),
                ('object', item.link.netbox_type, str(item.link.netbox_id), item.link.display),
            )
        self.assertEqual(len(self.xml.split('id="nb:dcim.device:1"')), 2)

    def test_no_two_shapes_overlap(self):
        devices = [box for key, box in self.boxes.items() if key.startswith('nb:dcim.device:')]
        self.assertEqual(len(devices), 11)
        for index, a in enumerate(devices):
            for b in devices[index + 1 :]:
                self.assertFalse(overlap(a, b), (a[4].get('id'), b[4].get('id')))

    def test_containers_enclose_their_contents_and_siblings_do_not_overlap(self):
        for node in self.topology.nodes:
            if node.container:
                self.assertTrue(inside(self.boxes[node.key], self.boxes[node.container]), node.key)
        for container in self.topology.containers:
            if container.parent:
                self.assertTrue(inside(self.boxes[container.key], self.boxes[container.parent]), container.key)
        self.assertFalse(overlap(self.boxes['nb:dcim.rack:1'], self.boxes['nb:dcim.rack:2']))
        self.assertFalse(overlap(self.boxes['nb:dcim.site:1'], self.boxes['nb:dcim.device:11']))

    def test_tiers_go_top_to_bottom(self):
        self.assertLess(self.boxes['nb:dcim.device:1'][1], self.boxes['nb:dcim.device:2'][1])
        self.assertLess(self.boxes['nb:dcim.device:3'][1], self.boxes['nb:dcim.device:4'][1])

    def test_edges_with_interface_names_at_both_ends(self):
        _wrapper, cell = self.cells['nb:dcim.cable:1']
        self.assertEqual((cell.get('source'), cell.get('target')), ('nb:dcim.device:1', 'nb:dcim.device:2'))
        ends = {
            key: (wrapper.get('label'), wrapper.get('netbox_type'), cell.get('parent'))
            for key, (wrapper, cell) in self.cells.items()
            if key.startswith('nb:dcim.cable:1#')
        }
        self.assertEqual(
            ends,
            {
                'nb:dcim.cable:1#a': ('Ethernet1', 'dcim.interface', 'nb:dcim.cable:1'),
                'nb:dcim.cable:1#b': ('Ethernet49', 'dcim.interface', 'nb:dcim.cable:1'),
            },
        )

    def test_parallel_edges_leave_at_different_points(self):
        styles = [self.cells[f'nb:dcim.cable:{n}'][1].get('style') for n in (1, 2)]
        self.assertNotEqual(styles[0], styles[1])
        self.assertIn('exitX=0.333', styles[0])
        self.assertIn('exitX=0.667', styles[1])

    def test_labels_are_text_not_markup(self):
        topology = Topology('x', [Node('a', '<img src=x onerror=alert(1)>')])
        xml = build_diagram(topology)
        self.assertIn('&lt;img', xml)
        self.assertIn('html=0', xml)
        self.assertNotIn('html=1', xml)

    def test_same_input_same_document(self):
        self.assertEqual(build_diagram(sample()), self.xml)

    def test_empty_topology_and_empty_container(self):
        xml = build_diagram(Topology('empty', containers=[Container('c', 'Rack')]))
        boxes, _cells = absolute_boxes(xml)
        self.assertGreater(boxes['c'][2], 0)

    def test_a_large_site_lays_out_without_overlaps(self):
        nodes = [device(n, n % 4) for n in range(300)]
        edges = [Edge(f'e{n}', nodes[n % 300].key, nodes[(n * 7 + 1) % 300].key) for n in range(600)]
        boxes, _cells = absolute_boxes(build_diagram(Topology('big', nodes, [], edges)))
        ordered = list(boxes.values())
        self.assertEqual(len(ordered), 300)
        for index, a in enumerate(ordered):
            for b in ordered[index + 1 :]:
                self.assertFalse(overlap(a, b))


class MergeTest(unittest.TestCase):
    """Refresh merges a new generation into the user's drawing (pure: documents in, document out)."""

    def parse(self, xml):
        return pages.parse_diagram(xml, LIMIT)

    def user_edited(self):
        """The sample as the user left it: the core moved, a note of their own inside rack 2 and on the page."""
        root = ElementTree.fromstring(build_diagram(sample()))
        for wrapper in root.iter('object'):
            if wrapper.get('id') == 'nb:dcim.device:1':
                wrapper.find('mxCell/mxGeometry').attrib.update(x='500', y='700')
                wrapper.find('mxCell').set('style', 'shape=cloud;')
        layer = root.find('diagram/mxGraphModel/root')
        for cell_id, parent in (('note-1', 'nb:dcim.rack:2'), ('note-2', '1')):
            note = ElementTree.SubElement(layer, 'mxCell', id=cell_id, value='mine', vertex='1', parent=parent)
            ElementTree.SubElement(note, 'mxGeometry', x='5', y='6', width='50', height='20', **{'as': 'geometry'})
        return ElementTree.tostring(root, encoding='unicode')

    def test_unchanged_generation_changes_nothing(self):
        xml = self.user_edited()
        result = merge_diagram(self.parse(xml), self.parse(build_diagram(sample())))
        self.assertFalse(result.changes)
        self.assertTrue(content.same_content(self.parse(result.xml), self.parse(xml)))

    def test_layout_and_own_cells_kept_changes_applied(self):
        topology = sample()
        topology.containers = [c for c in topology.containers if c.key != 'nb:dcim.rack:2']
        for node in topology.nodes:
            if node.container == 'nb:dcim.rack:2':
                node.container = 'nb:dcim.location:2'
        topology.nodes[1].label = 'renamed'
        topology.nodes.append(device(99, 3, 'nb:dcim.rack:1'))
        topology.edges.append(
            Edge('nb:dcim.cable:99', 'nb:dcim.device:99', 'nb:dcim.device:2', link=Link('dcim.cable', 99, '#99'))
        )
        topology.edges = [e for e in topology.edges if e.key != 'nb:dcim.cable:2']
        result = merge_diagram(self.parse(self.user_edited()), self.parse(build_diagram(topology)))
        self.assertEqual(
            result.summary, 'Refreshed from NetBox: +1 cable, +1 device, −1 cable, −1 rack, 1 relabelled, 7 moved'
        )
        boxes, cells = absolute_boxes(result.xml)
        wrapper, cell = cells['nb:dcim.device:1']
        self.assertEqual((cell.find('mxGeometry').get('x'), cell.get('style')), ('500', 'shape=cloud;'))
        self.assertEqual(cells['nb:dcim.device:2'][0].get('label'), 'renamed')
        self.assertNotIn('nb:dcim.rack:2', cells)
        self.assertNotIn('nb:dcim.cable:2', cells)
        self.assertIn('note-2', cells)
        self.assertEqual(cells['note-1'][1].get('parent'), 'nb:dcim.location:2')  # its box went, it stays
        self.assertTrue(inside(boxes['nb:dcim.device:99'], boxes['nb:dcim.rack:1']))
        rack = [b for k, b in boxes.items() if b[5].get('parent') == 'nb:dcim.rack:1']
        for index, a in enumerate(rack):
            for b in rack[index + 1 :]:
                self.assertFalse(overlap(a, b))

    def test_removed_marked_then_back(self):
        topology = sample()
        topology.edges = [e for e in topology.edges if e.key != 'nb:dcim.cable:2']
        marked = merge_diagram(self.parse(self.user_edited()), self.parse(build_diagram(topology)), mark_removed=True)
        self.assertEqual(marked.summary, 'Refreshed from NetBox: −1 cable')
        again = merge_diagram(self.parse(marked.xml), self.parse(build_diagram(topology)), mark_removed=True)
        self.assertFalse(again.changes)
        back = merge_diagram(self.parse(marked.xml), self.parse(build_diagram(sample())))
        self.assertEqual(back.summary, 'Refreshed from NetBox: +1 cable')
        _boxes, cells = absolute_boxes(back.xml)
        self.assertNotIn('opacity=40', cells['nb:dcim.cable:2'][1].get('style'))

    def test_first_refresh_of_an_empty_diagram(self):
        result = merge_diagram(None, self.parse(build_diagram(sample())))
        self.assertEqual(result.added['dcim.device'], 11)


def _polyline(source, target, points):
    """The path Draw.io draws for an orthogonal edge between two boxes: through its waypoints (vertical
    out of the source, horizontal into the target's column), or without any, the Z between the boxes."""
    start = (source[0] + source[2] / 2, source[1] + source[3] / 2)
    end = (target[0] + target[2] / 2, target[1] + target[3] / 2)
    if not points:
        upper, lower = sorted((source, target), key=lambda box: box[1])
        if upper[1] + upper[3] <= lower[1]:
            middle = (upper[1] + upper[3] + lower[1]) / 2
            return [start, (start[0], middle), (end[0], middle), end]
        left, right = sorted((source, target), key=lambda box: box[0])
        middle = (left[0] + left[2] + right[0]) / 2
        return [start, (middle, start[1]), (middle, end[1]), end]
    path = [start]
    for point in [*points, (end[0], points[-1][1]), end]:
        x, y = path[-1]
        if x != point[0] and y != point[1]:
            path.append((x, point[1]))
        path.append(point)
    return path


def _crosses(a, b, box):
    """An axis-parallel segment a-b passes through the inside of the box."""
    x0, x1 = sorted((a[0], b[0]))
    y0, y1 = sorted((a[1], b[1]))
    return (
        x0 < box[0] + box[2] - 1
        and box[0] + 1 < x1 + (x0 == x1)
        and y0 < box[1] + box[3] - 1
        and box[1] + 1 < y1 + (y0 == y1)
    )


def crossings(xml, routed=True):
    """How many times an edge passes through a device shape that is not one of its two ends."""
    boxes, cells = absolute_boxes(xml)
    devices = {key: box for key, box in boxes.items() if key.startswith('nb:dcim.device:')}
    count = 0
    for _key, (_wrapper, cell) in cells.items():
        if cell.get('edge') != '1':
            continue
        source, target = cell.get('source'), cell.get('target')
        array = cell.find('mxGeometry/Array') if routed else None
        points = [(float(p.get('x')), float(p.get('y'))) for p in array] if array is not None else []
        path = _polyline(boxes[source], boxes[target], points)
        for other, box in devices.items():
            if other not in (source, target) and any(_crosses(a, b, box) for a, b in pairwise(path)):
                count += 1
    return count


def layered():
    """Core, distribution, access and server tiers, with edges that skip tiers and one within a tier."""
    nodes = [device(n, tier) for n, tier in enumerate([0] * 2 + [1] * 4 + [2] * 8 + [4] * 8, start=1)]
    cores, dists, access, servers = nodes[:2], nodes[2:6], nodes[6:14], nodes[14:]
    pairs = [(c, d) for c in cores for d in dists]
    pairs += [(d, a) for n, d in enumerate(dists) for a in access[2 * n : 2 * n + 2]]
    pairs += [(a, s) for a, s in zip(access, servers, strict=True)]
    pairs += [(cores[0], servers[5]), (dists[0], servers[7]), (cores[1], access[6]), (access[0], access[7])]
    edges = [Edge(f'nb:dcim.cable:{n}', a.key, b.key) for n, (a, b) in enumerate(pairs, start=1)]
    return Topology('Layers', nodes, [], edges)


class RoutingTest(unittest.TestCase):
    def test_layered_edges_pass_no_other_shape(self):
        xml = build_diagram(layered())
        self.assertGreater(crossings(xml, routed=False), 0)
        self.assertEqual(crossings(xml), 0)

    def test_fewer_crossings_in_nested_boxes(self):
        xml = build_diagram(sample())
        self.assertLessEqual(crossings(xml), crossings(xml, routed=False))

    def test_a_new_edge_between_shapes_already_drawn_is_left_to_drawio(self):
        topology = layered()
        long_edge = next(
            e for e in topology.edges if e.source == 'nb:dcim.device:1' and e.target == 'nb:dcim.device:20'
        )
        self.assertIsNotNone(
            self.edge_points(build_diagram(topology), long_edge.key), 'the generation routes the long edge'
        )
        before = layered()
        before.edges = [e for e in before.edges if e.key != long_edge.key]
        merged = merge_diagram(
            pages.parse_diagram(build_diagram(before), LIMIT), pages.parse_diagram(build_diagram(topology), LIMIT)
        )
        self.assertEqual(merged.added, {'': 1})
        self.assertIsNone(self.edge_points(merged.xml, long_edge.key))

    def edge_points(self, xml, key):
        _boxes, cells = absolute_boxes(xml)
        return cells[key][1].find('mxGeometry/Array')
