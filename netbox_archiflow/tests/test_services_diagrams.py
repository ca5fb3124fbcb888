from core.models import ObjectChange
from django.test import override_settings
from users.models import User
from utilities.testing import TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.drawio.diff import drawn_cells
from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import Conflict, NotFound, ServiceError
from netbox_archiflow.tests.test_drawio import DRAWIO_SAVES

from .base import ONE, TWO, make_template

XXE = (
    '<?xml version="1.0"?><!DOCTYPE mxfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<mxfile><diagram id="a" name="&xxe;"/></mxfile>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<mxGraphModel><root><mxCell id="0" value="&lol3;"/></root></mxGraphModel>'
)
THREE = samples.mxfile(samples.cell('a', 'alpha', x=400), samples.cell('c', 'gamma'))


def plugin_config(**values):
    return override_settings(PLUGINS_CONFIG={'netbox_archiflow': values})


class XmlValidationTest(TestCase):
    def test_plain_and_bare_models_parse(self):
        self.assertEqual(len(service.parse_diagram_xml(ONE).pages), 1)
        self.assertEqual(len(service.parse_diagram_xml(samples.graph_model(samples.cell('a', 'x'))).pages), 1)

    def test_compressed_pages_are_understood(self):
        xml = samples.compressed_mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'))
        labels = sorted(cell.label for cell in drawn_cells(service.parse_diagram_xml(xml)).values())
        self.assertEqual(labels, ['alpha', 'beta'])
        self.assertIn('<mxGraphModel', service.expand_compressed(xml))

    def test_malformed_xml_names_the_problem(self):
        with self.assertRaises(ServiceError) as ctx:
            service.parse_diagram_xml('<mxfile><diagram></mxfile>')
        self.assertEqual(ctx.exception.status, 400)
        self.assertEqual(ctx.exception.code, 'xml_malformed')
        self.assertIn('mismatched tag', ctx.exception.detail)
        self.assertEqual(ctx.exception.extra['line'], 1)

    def test_lone_surrogates_and_nul_are_refused(self):
        for bad in (ONE.replace('alpha', '\ud800'), ONE.replace('alpha', '\x00')):
            with self.assertRaises(ServiceError) as ctx:
                service.parse_diagram_xml(bad)
            self.assertEqual((ctx.exception.status, ctx.exception.code), (400, 'xml_malformed'))

    def test_foreign_root_is_refused(self):
        with self.assertRaisesMessage(ServiceError, 'root element is <html>'):
            service.parse_diagram_xml('<html><body/></html>')

    def test_xxe_and_billion_laughs_are_refused(self):
        for xml in (XXE, BILLION_LAUGHS):
            with self.assertRaises(ServiceError) as ctx:
                service.parse_diagram_xml(xml)
            self.assertEqual(ctx.exception.code, 'xml_forbidden')

    def test_size_limit_gives_413(self):
        with plugin_config(diagram_max_bytes=2048), self.assertRaises(ServiceError) as ctx:
            service.parse_diagram_xml(samples.mxfile(samples.cell('a', 'x' * 3000)))
        self.assertEqual((ctx.exception.status, ctx.exception.code), (413, 'diagram_too_large'))

    def test_deflate_bomb_is_refused(self):
        xml = samples.compressed_mxfile(samples.cell('a', 'x' * 50_000))
        self.assertLess(len(xml), 2048)
        with plugin_config(diagram_max_bytes=4096), self.assertRaises(ServiceError) as ctx:
            service.parse_diagram_xml(xml)
        self.assertEqual(ctx.exception.code, 'diagram_too_large')

    def test_broken_compressed_page(self):
        with self.assertRaisesMessage(ServiceError, 'could not be decoded'):
            service.parse_diagram_xml('<mxfile><diagram id="x">not-base64!!</diagram></mxfile>')


class VersioningTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = User.objects.create_user('alice')
        cls.bob = User.objects.create_user('bob')

    def test_create_with_content_is_version_one(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        self.assertEqual(diagram.version, 1)
        version = diagram.versions.get()
        self.assertEqual((version.version_number, version.xml, version.author), (1, ONE, self.alice))
        self.assertEqual(diagram.created_by, self.alice)

    def test_create_without_content_is_version_zero(self):
        diagram = service.create_diagram('Empty')
        self.assertEqual(diagram.version, 0)
        self.assertFalse(diagram.versions.exists())

    def test_changed_content_appends_identical_does_not(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        result = service.save_diagram(diagram, TWO, self.bob, base_version=1)
        self.assertTrue(result.created)
        self.assertEqual(diagram.version, 2)
        same = service.save_diagram(diagram, TWO, self.bob, base_version=2)
        self.assertFalse(same.modified)
        self.assertEqual(list(diagram.versions.values_list('version_number', flat=True)), [2, 1])
        diagram.refresh_from_db()
        self.assertEqual((diagram.xml, diagram.version, diagram.updated_by), (TWO, 2, self.bob))

    def test_volatile_drawio_attributes_are_not_content(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        resaved = ONE.replace('<mxfile host="netbox-archiflow">', '<mxfile host="x" modified="2026-01-01" etag="e">')
        resaved = resaved.replace('dx="800" dy="600"', 'dx="10" dy="20"')
        self.assertFalse(service.save_diagram(diagram, resaved, self.alice).modified)
        self.assertTrue(service.save_diagram(diagram, resaved.replace('alpha', 'alpha2'), self.alice).modified)

    def test_drawio_saves_without_an_edit_make_no_version(self):
        """XML that Draw.io itself sent on Save, twice, without an edit (fixtures/drawio_saves.json)."""
        for name, capture in DRAWIO_SAVES.items():
            with self.subTest(source=name):
                diagram = service.create_diagram(name, capture['original'], self.alice)
                for saved in capture['saves']:
                    self.assertFalse(service.save_diagram(diagram, saved, self.alice, base_version=1).modified)
                self.assertEqual((diagram.version, diagram.versions.count()), (1, 1))

    def test_stale_base_version_conflicts_and_changes_nothing(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        service.save_diagram(diagram, TWO, self.bob, base_version=1)
        with self.assertRaises(Conflict) as ctx:
            service.save_diagram(diagram, THREE, self.alice, base_version=1)
        self.assertEqual(ctx.exception.code, 'version_conflict')
        self.assertEqual(ctx.exception.as_dict()['current_version'], 2)
        self.assertEqual(ctx.exception.status, 409)
        diagram.refresh_from_db()
        self.assertEqual((diagram.xml, diagram.version, diagram.versions.count()), (TWO, 2, 2))

    def test_autosaves_roll_instead_of_piling_up(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        first = service.save_diagram(diagram, TWO, self.alice, kind='autosave', base_version=1)
        second = service.save_diagram(diagram, THREE, self.alice, kind='autosave', base_version=2)
        self.assertEqual((first.version.pk, first.version.version_number), (second.version.pk, 2))
        self.assertFalse(second.created)
        self.assertEqual(DiagramVersion.objects.get(diagram=diagram, version_number=2).xml, THREE)
        # another user's autosave or a manual save starts a new version
        service.save_diagram(diagram, ONE, self.bob, kind='autosave')
        service.save_diagram(diagram, TWO, self.bob)
        self.assertEqual(
            list(diagram.versions.values_list('version_number', 'kind')),
            [(4, 'manual'), (3, 'autosave'), (2, 'autosave'), (1, 'manual')],
        )

    def test_restore_creates_a_new_version_with_old_content(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        service.save_diagram(diagram, TWO, self.alice)
        result = service.restore_version(diagram, 1, self.bob)
        self.assertEqual((result.version.version_number, result.version.kind), (3, 'restore'))
        self.assertEqual(result.version.change_summary, 'Restored version 1')
        diagram.refresh_from_db()
        self.assertEqual(diagram.xml, ONE)
        self.assertFalse(service.restore_version(diagram, 3, self.bob).modified)
        with self.assertRaises(NotFound):
            service.restore_version(diagram, 99, self.bob)

    def test_refused_xml_saves_nothing(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        for bad in (XXE, BILLION_LAUGHS, '<mxfile>', '', '<svg/>'):
            with self.assertRaises(ServiceError):
                service.save_diagram(diagram, bad, self.alice)
        with plugin_config(diagram_max_bytes=2048), self.assertRaises(ServiceError):
            service.save_diagram(diagram, samples.mxfile(samples.cell('a', 'x' * 3000)), self.alice)
        diagram.refresh_from_db()
        self.assertEqual((diagram.xml, diagram.version, diagram.versions.count()), (ONE, 1, 1))

    def test_diff_by_label(self):
        diff = service.diff_xml(TWO, THREE)
        self.assertEqual(diff, {'added': ['gamma'], 'removed': ['beta'], 'changed': ['alpha']})
        diagram = service.create_diagram('D', TWO, self.alice)
        service.save_diagram(diagram, THREE, self.alice)
        self.assertEqual(service.diff_versions(diagram, 1, 2), diff)

    def test_change_log_records_a_digest_not_the_xml(self):
        diagram = service.create_diagram('D', ONE, self.alice)
        data = diagram.serialize_object()
        self.assertTrue(data['xml'].startswith('sha256:'))
        self.assertNotIn('alpha', str(data))


class PreviewTest(TestCase):
    def test_scripts_and_handlers_are_stripped(self):
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
            '<script>alert(2)</script><a xlink:href="javascript:alert(3)"><rect width="5" height="5" '
            'onclick="x()"/></a><image href="https://evil.example/x.png"/><g><text>ok</text></g></svg>'
        )
        clean = service.sanitize_svg(svg)
        for bad in ('alert', 'onclick', 'script', 'javascript', 'evil.example'):
            self.assertNotIn(bad, clean)
        self.assertIn('<text>ok</text>', clean)

    def test_non_svg_and_entities_are_refused(self):
        for bad in ('<html/>', '<svg', XXE):
            with self.assertRaises(ServiceError):
                service.sanitize_svg(bad)

    def test_preview_for_a_stale_version_conflicts(self):
        diagram = service.create_diagram('D', ONE)
        svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
        service.store_preview(diagram, svg, version=1)
        self.assertIn('rect', Diagram.objects.get(pk=diagram.pk).preview_svg)
        with self.assertRaises(Conflict):
            service.store_preview(diagram, svg, version=0)


class TemplateTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.template = make_template()

    def test_instantiate_substitutes_escaped_values(self):
        diagram = service.instantiate_template(
            self.template, 'AMS1 <core>', {'site': 'ams1 & "co"', 'rack': 'R<7>'}, site=None
        )
        self.assertEqual(diagram.version, 1)
        self.assertIn('ams1 &amp;amp; &amp;quot;co&amp;quot;-core-01', diagram.xml)
        self.assertIn('Rack R&amp;lt;7&amp;gt;', diagram.xml)
        self.assertIn('100G', diagram.xml)  # default
        self.assertNotIn('{{', diagram.xml)
        self.assertEqual(diagram.metadata['template'], 'site')
        labels = {cell.label for cell in drawn_cells(service.parse_diagram_xml(diagram.xml)).values()}
        self.assertIn('ams1 &amp; &quot;co&quot;-core-01', labels)

    def test_unknown_and_missing_variables_are_named(self):
        with self.assertRaises(ServiceError) as ctx:
            service.instantiate_template(self.template, 'X', {'site': 'a', 'colour': 'red', 'zone': 1})
        self.assertEqual(ctx.exception.extra['names'], ['colour', 'zone'])
        self.assertIn('colour, zone', ctx.exception.detail)
        with self.assertRaises(ServiceError) as ctx:
            service.instantiate_template(self.template, 'X', {})
        self.assertEqual((ctx.exception.code, ctx.exception.extra['names']), ('missing_variables', ['site']))
        with self.assertRaises(ServiceError):
            service.instantiate_template(self.template, 'X', {'site': {'nested': 1}})
        self.assertFalse(Diagram.objects.exists())

    def test_undeclared_placeholders_are_refused(self):
        with self.assertRaisesMessage(ServiceError, 'undeclared variables: other'):
            service.validate_template_definition(samples.mxfile(samples.cell('a', '{{ other }}')), [])
        with self.assertRaisesMessage(ServiceError, 'declared twice: a'):
            service.validate_template_definition(ONE, [{'name': 'a'}, {'name': 'a'}])

    def test_inactive_template_is_refused(self):
        self.template.is_active = False
        with self.assertRaises(ServiceError):
            service.instantiate_template(self.template, 'X', {'site': 'a'})


class ChangeLogTest(TestCase):
    def test_service_writes_are_change_logged_in_a_request_context(self):
        from netbox_archiflow.management.changelog import change_logged

        user = User.objects.create_user('carol')
        with change_logged(user):
            diagram = service.create_diagram('Logged', ONE, user)
            service.save_diagram(diagram, TWO, user)
        changes = ObjectChange.objects.filter(changed_object_id=diagram.pk, changed_object_type__model='diagram')
        self.assertGreaterEqual(changes.count(), 1)
        self.assertTrue(all(c.user == user for c in changes))
        self.assertTrue(changes.latest('time').postchange_data['xml'].startswith('sha256:'))
        self.assertEqual(
            ObjectChange.objects.filter(changed_object_type__model='diagramversion', action='create').count(), 2
        )
