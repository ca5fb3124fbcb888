"""Link extraction from Draw.io XML: pure, no database."""

import unittest
from dataclasses import replace

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.drawio import links, pages
from netbox_archiflow.drawio.diff import drawn_cells
from netbox_archiflow.drawio.errors import DrawioError

LIMIT = 1024 * 1024


def extract(xml):
    return links.extract_links(pages.parse_diagram(xml, LIMIT))


def refusal(xml):
    with unittest.TestCase().assertRaises(DrawioError) as ctx:
        extract(xml)
    return ctx.exception


class ExtractLinksTest(unittest.TestCase):
    CELLS = (
        samples.cell('plain', 'not linked'),
        samples.linked_cell('sw', '<b>core</b> sw', 'dcim.device', 42, display='core-sw-01'),
        samples.linked_cell('net', 'LAN', 'IPAM.Prefix', '7', tag='UserObject'),
        samples.edge('e1', 'sw', 'net'),
    )

    def test_plain_bare_and_compressed_pages(self):
        expected = [
            links.CellLink('p1', 'Page-1', 'sw', 'core sw', 'dcim.device', 42, 'core-sw-01'),
            links.CellLink('p1', 'Page-1', 'net', 'LAN', 'ipam.prefix', 7, ''),
        ]
        self.assertEqual(extract(samples.mxfile(*self.CELLS)), expected)
        self.assertEqual(extract(samples.compressed_mxfile(*self.CELLS)), expected)
        bare = [replace(link, page_id='', page_name='') for link in expected]
        self.assertEqual(extract(samples.graph_model(*self.CELLS)), bare)

    def test_every_page_is_read(self):
        xml = (
            '<mxfile><diagram id="a" name="One">'
            + samples.graph_model(samples.linked_cell('x', 'X', 'dcim.site', 1))
            + '</diagram><diagram id="b" name="Two">'
            + samples.graph_model(samples.linked_cell('x', 'X', 'dcim.site', 2))
            + '</diagram></mxfile>'
        )
        self.assertEqual(
            [(link.page_id, link.cell_id, link.object_id) for link in extract(xml)], [('a', 'x', 1), ('b', 'x', 2)]
        )

    def test_wrapper_without_link_attributes_is_not_a_link(self):
        xml = samples.mxfile(
            '<object id="o" label="just data" owner="ops"><mxCell vertex="1" parent="1"/></object>',
            samples.linked_cell('blank', 'removed link', '', ''),
        )
        self.assertEqual(extract(xml), [])

    def test_attributes_on_a_bare_mxcell_are_not_a_link(self):
        """Draw.io keeps custom data only on the wrapper; an mxCell attribute is not a link."""
        xml = samples.mxfile('<mxCell id="c" value="x" netbox_type="dcim.device" netbox_id="1" vertex="1" parent="1"/>')
        self.assertEqual(extract(xml), [])

    def test_whitespace_in_display_is_collapsed(self):
        (link,) = extract(samples.mxfile(samples.linked_cell('a', '', 'dcim.device', ' 5 ', display=' core\n sw ')))
        self.assertEqual((link.object_id, link.display), (5, 'core sw'))


class RefusedLinksTest(unittest.TestCase):
    def assert_refused(self, cell, text):
        error = refusal(samples.mxfile(cell))
        self.assertEqual((error.status, error.code, error.field), (400, 'link_invalid', 'xml'))
        self.assertEqual(error.extra['page'], 'p1')
        self.assertIn(text, error.detail)
        return error

    def test_type_without_id(self):
        error = self.assert_refused(samples.linked_cell('c9', 'edge-1', 'dcim.device', ''), 'has no netbox_id')
        self.assertEqual(error.extra['cell'], 'c9')
        self.assertIn("cell 'c9' (edge-1) on page 'Page-1'", error.detail)

    def test_id_without_type(self):
        self.assert_refused(samples.linked_cell('c9', 'x', '', 3), 'has no netbox_type')

    def test_malformed_type(self):
        for bad in ('device', 'dcim.device.x', 'dcim/device', '1dcim.device'):
            with self.subTest(netbox_type=bad):
                self.assert_refused(samples.linked_cell('c', 'x', bad, 3), 'app_label.model')

    def test_id_not_a_positive_integer(self):
        for bad in ('0', '-1', 'abc', '1.5', '1' * 20):
            with self.subTest(netbox_id=bad):
                self.assert_refused(samples.linked_cell('c', 'x', 'dcim.device', bad), 'positive integer')

    def test_duplicate_cell_id_on_a_page(self):
        cell = samples.linked_cell('dup', 'x', 'dcim.device', 3)
        error = refusal(samples.mxfile(cell, cell))
        self.assertIn('used twice', error.detail)
        self.assertEqual(error.extra['cell'], 'dup')

    def test_overlong_cell_id(self):
        self.assert_refused(samples.linked_cell('c' * 256, 'x', 'dcim.device', 3), 'longer than 255')
        self.assertEqual(len(extract(samples.mxfile(samples.linked_cell('c' * 255, 'x', 'dcim.device', 3)))), 1)

    def test_linked_cell_without_id(self):
        xml = samples.mxfile('<object label="x" netbox_type="dcim.device" netbox_id="1"><mxCell vertex="1"/></object>')
        self.assertIn('has no id', refusal(xml).detail)


class CheckLinkableTest(unittest.TestCase):
    def test_unlinkable_type_names_the_cell(self):
        found = extract(samples.mxfile(samples.linked_cell('u1', 'admin', 'users.user', 1)))
        with self.assertRaises(DrawioError) as ctx:
            links.check_linkable(found, {'dcim.device'})
        error = ctx.exception
        self.assertEqual((error.status, error.code, error.field), (400, 'link_type_not_linkable', 'xml'))
        self.assertEqual((error.extra['cell'], error.extra['object_type']), ('u1', 'users.user'))
        self.assertIn("cell 'u1' (admin)", error.detail)

    def test_linkable_types_pass(self):
        found = extract(samples.mxfile(samples.linked_cell('d', 'x', 'dcim.device', 1)))
        links.check_linkable(found, {'dcim.device'})


class BigDiagramSampleTest(unittest.TestCase):
    def test_links_go_to_the_first_cells_and_keep_the_labels(self):
        plain = pages.parse_diagram(samples.big_diagram(20, label_size=40), LIMIT)
        linked = pages.parse_diagram(samples.big_diagram(20, label_size=40, links=[('dcim.site', 1)] * 3), LIMIT)
        found = links.extract_links(linked)
        self.assertEqual([link.cell_id for link in found], ['c0', 'c1', 'c2'])
        self.assertEqual(links.extract_links(plain), [])
        self.assertEqual(
            [link.label for link in found], [drawn.label for drawn in list(drawn_cells(plain).values())[:3]]
        )
