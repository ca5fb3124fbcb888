"""The pure Draw.io package: no database, no Django models, no settings."""

import ast
import json
import unittest
from pathlib import Path
from xml.etree.ElementTree import fromstring

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.drawio import content, diff, pages, preview, svg, templates
from netbox_archiflow.drawio.errors import DrawioError
from netbox_archiflow.errors import ServiceError

LIMIT = 1024 * 1024
PACKAGE = Path(pages.__file__).parent
# What Draw.io itself sent on Save, twice without an edit, for each original (see the file's "_about").
DRAWIO_SAVES = {
    name: capture
    for name, capture in json.loads((Path(__file__).parent / 'fixtures/drawio_saves.json').read_text()).items()
    if not name.startswith('_')
}


def parse(xml, limit=LIMIT):
    return pages.parse_diagram(xml, limit)


class LayeringTest(unittest.TestCase):
    def test_the_package_imports_no_django_models_or_services(self):
        for path in PACKAGE.glob('*.py'):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    with self.subTest(module=path.name, imports=name):
                        self.assertFalse(name.startswith(('django', 'netbox.', 'netbox_archiflow.models')))
                        self.assertFalse(name.startswith(('netbox_archiflow.services', 'netbox_archiflow.api')))

    def test_refusals_are_service_errors(self):
        """One ``except ServiceError`` in the upper layers also catches refused Draw.io input."""
        self.assertTrue(issubclass(DrawioError, ServiceError))


class PagesTest(unittest.TestCase):
    def test_plain_bare_and_compressed_pages(self):
        cells = (samples.cell('a', 'alpha'), samples.cell('b', 'beta'))
        for xml in (samples.mxfile(*cells), samples.graph_model(*cells), samples.compressed_mxfile(*cells)):
            with self.subTest(xml=xml[:40]):
                labels = sorted(cell.label for cell in diff.drawn_cells(parse(xml)).values())
                self.assertEqual(labels, ['alpha', 'beta'])

    def test_compress_and_inflate_are_inverse(self):
        model = samples.graph_model(samples.cell('a', 'ünïcode & <b>html</b>'))
        self.assertEqual(pages.inflate_page(pages.compress_page(model), LIMIT), model)

    def test_expand_compressed_inlines_every_page(self):
        expanded = pages.expand_compressed(samples.compressed_mxfile(samples.cell('a', 'alpha')), LIMIT)
        self.assertIn('<mxGraphModel', expanded)
        self.assertEqual(len(parse(expanded).pages), 1)

    def test_limit_is_the_callers(self):
        xml = samples.mxfile(samples.cell('a', 'x' * 3000))
        with self.assertRaises(DrawioError) as ctx:
            parse(xml, limit=2048)
        self.assertEqual(
            (ctx.exception.status, ctx.exception.code, ctx.exception.extra['limit']), (413, 'diagram_too_large', 2048)
        )
        self.assertEqual(len(parse(xml, limit=8192).pages), 1)

    def test_deflate_bomb_is_refused_before_it_inflates(self):
        xml = samples.compressed_mxfile(samples.cell('a', 'x' * 50_000))
        with self.assertRaises(DrawioError) as ctx:
            parse(xml, limit=4096)
        self.assertEqual(ctx.exception.code, 'diagram_too_large')

    def test_forbidden_and_malformed(self):
        cases = {
            '<!DOCTYPE x [<!ENTITY e "e">]><mxfile/>': 'xml_forbidden',
            '<mxfile><diagram></mxfile>': 'xml_malformed',
            '<svg/>': 'xml_not_drawio',
            '<mxfile><diagram id="x">not-base64!!</diagram></mxfile>': 'xml_malformed',
            '   ': 'xml_empty',
        }
        for xml, code in cases.items():
            with self.subTest(xml=xml), self.assertRaises(DrawioError) as ctx:
                parse(xml)
            self.assertEqual((ctx.exception.code, ctx.exception.field), (code, 'xml'))

    def test_labels_lose_html_tags(self):
        xml = samples.mxfile(samples.cell('a', '<b>core</b>\n  <i>edge</i>'))
        self.assertEqual([c.label for c in diff.drawn_cells(parse(xml)).values()], ['core edge'])


class ContentKeyTest(unittest.TestCase):
    def test_what_drawio_rewrites_on_save_is_not_content(self):
        for name, capture in DRAWIO_SAVES.items():
            original = parse(capture['original'])
            for index, saved in enumerate(capture['saves']):
                with self.subTest(source=name, save=index + 1):
                    self.assertNotEqual(saved, capture['original'])
                    self.assertTrue(content.same_content(original, parse(saved)))
                    self.assertEqual(
                        diff.diff_diagrams(original, parse(saved)), {'added': [], 'removed': [], 'changed': []}
                    )

    def test_attribute_order_whitespace_and_compression_do_not_count(self):
        cells = (samples.cell('a', 'alpha'), samples.edge('e1', 'a', 'a'))
        plain = parse(samples.mxfile(*cells))
        compressed = parse(samples.compressed_mxfile(*cells))
        reordered = parse(samples.mxfile(*cells).replace('vertex="1" parent="1"', 'parent="1"  vertex="1"'))
        self.assertTrue(content.same_content(plain, compressed))
        self.assertTrue(content.same_content(plain, reordered))

    def test_numbers_defaults_root_ids_and_parent_order_do_not_count(self):
        drawn = parse(
            '<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
            '<mxCell id="g" vertex="1" parent="1"><mxGeometry x="10" width="100" height="50" as="geometry"/></mxCell>'
            '<mxCell id="a" value="in" vertex="1" parent="g"><mxGeometry x="5.5" y="0" width="20" height="10" '
            'as="geometry"/></mxCell></root></mxGraphModel>'
        )
        generated = parse(
            '<mxGraphModel grid="1" pageWidth="827" pageHeight="1169" dx="1"><root><mxCell id="top"/>'
            '<mxCell id="a" value="in" style="" vertex="1" visible="1" parent="g"><mxGeometry x="5.50" width="20.0" '
            'height="10" as="geometry"/></mxCell><mxCell id="layer" parent="top"/>'
            '<mxCell id="g" vertex="1" parent="layer"><mxGeometry x="10.0" y="0" width="1e2" height="50" '
            'relative="0" as="geometry"/></mxCell></root></mxGraphModel>'
        )
        self.assertTrue(content.same_content(drawn, generated))

    def test_edits_count(self):
        base = samples.mxfile(samples.cell('a', 'x'), samples.cell('b', 'y'))
        edits = {
            'moved': samples.mxfile(samples.cell('a', 'x', x=41), samples.cell('b', 'y')),
            'relabelled': samples.mxfile(samples.cell('a', 'x2'), samples.cell('b', 'y')),
            'restyled': samples.mxfile(samples.cell('a', 'x', style='ellipse'), samples.cell('b', 'y')),
            'to front': samples.mxfile(samples.cell('b', 'y'), samples.cell('a', 'x')),
            'page renamed': samples.mxfile(samples.cell('a', 'x'), samples.cell('b', 'y'), page='Rack'),
            'grid off': base.replace('grid="1"', 'grid="0"'),
            'linked': base.replace('<mxCell id="a"', '<mxCell netbox_id="3" id="a"'),
        }
        for name, edited in edits.items():
            with self.subTest(edit=name):
                self.assertFalse(content.same_content(parse(base), parse(edited)))


class DiffTest(unittest.TestCase):
    def test_added_removed_changed(self):
        old = parse(samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta')))
        new = parse(samples.mxfile(samples.cell('a', 'alpha', x=400), samples.cell('c', 'gamma')))
        self.assertEqual(diff.diff_diagrams(old, new), {'added': ['gamma'], 'removed': ['beta'], 'changed': ['alpha']})

    def test_edges_are_named_by_their_end_cells(self):
        old = parse(samples.mxfile(samples.cell('a', 'leaf'), samples.cell('b', 'core'), samples.cell('c', '')))
        new = parse(
            samples.mxfile(
                samples.cell('a', 'leaf'),
                samples.cell('b', 'core'),
                samples.cell('c', ''),
                samples.edge('e1', 'a', 'b'),
                samples.edge('e2', 'a', 'c', label='100G'),
                samples.edge('e3', 'a', 'gone'),
            )
        )
        self.assertEqual(diff.diff_diagrams(old, new)['added'], ['100G (leaf → #c)', 'leaf → #gone', 'leaf → core'])
        self.assertEqual(diff.diff_diagrams(new, old)['removed'], ['100G (leaf → #c)', 'leaf → #gone', 'leaf → core'])

    def test_a_bare_model_and_its_drawio_save_are_the_same_page(self):
        capture = DRAWIO_SAVES['bare_model']
        edited = capture['saves'][0].replace('value="alpha"', 'value="omega"')
        self.assertEqual(
            diff.diff_diagrams(parse(capture['original']), parse(edited)),
            {'added': [], 'removed': [], 'changed': ['omega']},
        )

    def test_from_nothing(self):
        new = parse(samples.mxfile(samples.cell('a', 'alpha')))
        self.assertEqual(diff.diff_diagrams(None, new), {'added': ['alpha'], 'removed': [], 'changed': []})


class TemplatesTest(unittest.TestCase):
    def test_substitution_escapes_values(self):
        xml = templates.render_template(
            samples.TEMPLATE_XML, samples.TEMPLATE_VARIABLES, {'site': '<ams1>&"'}, LIMIT, 'dc'
        )
        labels = {c.label for c in diff.drawn_cells(parse(xml)).values()}
        self.assertIn('&lt;ams1&gt;&amp;&quot;-core-01', labels)
        self.assertIn('Rack R01', labels)

    def test_compressed_templates_are_substituted(self):
        xml = samples.compressed_mxfile(samples.cell('a', '{{ site }}'))
        rendered = templates.render_template(xml, [{'name': 'site'}], {'site': 'ams1'}, LIMIT)
        self.assertEqual([c.label for c in diff.drawn_cells(parse(rendered)).values()], ['ams1'])

    def test_refusals_name_the_variables(self):
        variables = samples.TEMPLATE_VARIABLES
        cases = (
            ({}, 'missing_variables', ['site']),
            ({'site': 'a', 'nope': 1}, 'unknown_variables', ['nope']),
        )
        for values, code, names in cases:
            with self.subTest(values=values), self.assertRaises(DrawioError) as ctx:
                templates.render_template(samples.TEMPLATE_XML, variables, values, LIMIT)
            self.assertEqual(
                (ctx.exception.code, ctx.exception.field, ctx.exception.extra['names']), (code, 'variables', names)
            )

    def test_definition_checks(self):
        one = samples.mxfile(samples.cell('a', '{{ other }}'))
        with self.assertRaisesRegex(DrawioError, 'undeclared variables: other'):
            templates.validate_template_definition(one, [], LIMIT)
        with self.assertRaisesRegex(DrawioError, 'declared twice: a'):
            templates.validate_template_definition(samples.mxfile(), [{'name': 'a'}, {'name': 'a'}], LIMIT)
        with self.assertRaisesRegex(DrawioError, 'not a valid name'):
            templates.validate_template_definition(samples.mxfile(), [{'name': '1x'}], LIMIT)


class SanitizeSvgTest(unittest.TestCase):
    def test_active_content_is_removed(self):
        dirty = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
            '<script>alert(1)</script><a xlink:href="javascript:alert(1)"><text>t</text></a>'
            '<image href="https://evil.example/x.png"/><use href="#ok"/></svg>'
        )
        clean = svg.sanitize_svg(dirty, LIMIT)
        for needle in ('script', 'onload', 'javascript', 'evil.example'):
            self.assertNotIn(needle, clean)
        self.assertIn('href="#ok"', clean)
        self.assertTrue(clean.startswith('<svg'))

    def test_not_svg_or_too_large(self):
        with self.assertRaisesRegex(DrawioError, 'must be an <svg> document'):
            svg.sanitize_svg('<html/>', LIMIT)
        with self.assertRaises(DrawioError) as ctx:
            svg.sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg">' + ' ' * 2000 + '</svg>', 1024)
        self.assertEqual((ctx.exception.status, ctx.exception.field), (413, 'svg'))


class PreviewTest(unittest.TestCase):
    SVG = '{http://www.w3.org/2000/svg}'

    def render(self, *cells):
        return fromstring(preview.render_preview(parse(samples.mxfile(*cells))))

    def texts(self, root):
        return [''.join(t.itertext()) for t in root.iter(f'{self.SVG}text')]

    def test_vertices_edges_and_labels(self):
        root = self.render(
            samples.cell('a', 'leaf', 0, 0),
            samples.cell('b', 'core', 300, 0, style='ellipse;fillColor=#dae8fc;strokeColor=#6c8ebf;'),
            samples.edge('e1', 'a', 'b', label='100G'),
        )
        self.assertEqual(self.texts(root), ['leaf', 'core', '100G'])
        self.assertEqual(root.find(f'.//{self.SVG}ellipse').get('fill'), '#dae8fc')
        line = root.find(f'.//{self.SVG}polyline')
        self.assertEqual(line.get('points'), '120,30 300,30')  # from border to border
        self.assertEqual(root.get('viewBox'), '-10 -10 440 80')

    def test_document_text_never_becomes_markup(self):
        root = self.render(
            samples.cell('a', '<script>alert(1)</script>x', style='html=1;fillColor=url(https://evil.example/);'),
            samples.cell('b', '<img src=x onerror=alert(1)>', style='fontColor=javascript:alert(1)'),
        )
        tags = {element.tag for element in root.iter()}
        self.assertLessEqual(tags, {f'{self.SVG}{t}' for t in ('svg', 'g', 'rect', 'text', 'tspan')})
        self.assertEqual(self.texts(root), ['alert(1)x', '<img src=x onerror=alert(1)>'])
        self.assertEqual({r.get('fill') for r in root.iter(f'{self.SVG}rect')}, {'#ffffff'})
        rendered = preview.render_preview(parse(samples.mxfile(samples.cell('a', 'x'))))
        self.assertEqual(svg.sanitize_svg(rendered, LIMIT), rendered)

    def test_children_of_containers_and_hidden_cells(self):
        group = samples.cell('g', 'rack', 100, 100, 200, 200, style='swimlane;')
        child = samples.cell('c', 'server', 10, 40, 50, 20).replace('parent="1"', 'parent="g"')
        hidden = samples.cell('h', 'hidden').replace('vertex="1"', 'vertex="1" visible="0"')
        root = self.render(group, child, hidden)
        self.assertEqual(self.texts(root), ['rack', 'server'])
        server = [r for r in root.iter(f'{self.SVG}rect') if r.get('width') == '50'][0]
        self.assertEqual((server.get('x'), server.get('y')), ('110', '140'))

    def test_labels_are_cut_to_what_fits_their_shape(self):
        root = self.render(samples.cell('a', 'word ' * 2000, width=120, height=60))
        lines = [''.join(t.itertext()) for t in root.iter(f'{self.SVG}tspan')]
        self.assertEqual(len(lines), 4)  # 60 px of 12 px text
        self.assertTrue(lines[-1].endswith('…'))
        unwrapped = self.render(samples.cell('a', 'x' * 5000, style='rounded=0;'))
        self.assertLess(len(self.texts(unwrapped)[0]), 200)

    def test_empty_and_compressed(self):
        empty = fromstring(preview.render_preview(parse(samples.mxfile())))
        self.assertEqual((empty.get('width'), empty.get('height')), ('160', '90'))
        compressed = preview.render_preview(parse(samples.compressed_mxfile(samples.cell('a', 'packed'))))
        self.assertIn('>packed<', compressed)

    def test_what_drawio_saved_renders(self):
        for name, capture in DRAWIO_SAVES.items():
            with self.subTest(source=name):
                self.assertEqual(
                    preview.render_preview(parse(capture['original'])),
                    preview.render_preview(parse(capture['saves'][0])),
                )
