"""JSON-RPC tools for segments and diagrams: same services, permissions and error codes as REST."""

from core.models import ObjectChange
from django.contrib.contenttypes.models import ContentType

from netbox_archiflow.diagram_samples import TEMPLATE_VARIABLES, TEMPLATE_XML, cell, mxfile
from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion, Segment
from netbox_archiflow.services import diagrams as diagram_service

from .segment_fixtures import make_pool, make_segments
from .test_rpc import RPCTestCase


class SegmentToolsTest(RPCTestCase):
    def setUp(self):
        super().setUp()
        self.site_group, self.vrf = make_pool('rpc', '10.60.0.0/22')
        self.segments = make_segments(self.site_group, self.vrf, 2)

    def test_get_segments_respects_object_permissions(self):
        other_group, other_vrf = make_pool('rpc-hidden', '10.61.0.0/22')
        make_segments(other_group, other_vrf, 1)
        self.grant('netbox_archiflow.view_segment', constraints={'site_group__slug': self.site_group.slug})
        segments = self.result('get-segments', {})['structuredContent']['segments']
        self.assertEqual([s['prefix'] for s in segments], ['10.60.0.0/24', '10.60.1.0/24'])
        self.assertEqual(segments[0]['siteGroup'], self.site_group.slug)
        self.assertEqual(segments[0]['status'], 'free')
        unknown = self.result('get-segments', {'siteGroup': 'nowhere'})
        self.assertTrue(unknown['isError'])
        self.assertEqual(
            (unknown['structuredContent']['code'], unknown['structuredContent']['field']),
            ('site_group_not_found', 'siteGroup'),
        )

    def test_allocate_is_idempotent_then_exhausts_then_releases(self):
        self.grant(
            'netbox_archiflow.view_segment', 'netbox_archiflow.allocate_segment', 'netbox_archiflow.release_segment'
        )
        pool = {'siteGroup': self.site_group.slug, 'vrf': self.vrf.name}
        first = self.result('allocate-segment', {**pool, 'cluster': 'k8s-a'})['structuredContent']
        self.assertTrue(first['created'])
        self.assertEqual(first['segments'][0]['prefix'], '10.60.0.0/24')
        again = self.result('allocate-segment', {**pool, 'cluster': 'k8s-a'})['structuredContent']
        self.assertFalse(again['created'])
        self.assertEqual(again['segments'][0]['id'], first['segments'][0]['id'])
        full = self.result('allocate-segment', {**pool, 'cluster': 'k8s-b', 'count': 2})
        self.assertTrue(full['isError'])
        self.assertEqual(full['structuredContent']['code'], 'pool_exhausted')
        self.assertEqual((full['structuredContent']['available'], full['structuredContent']['requested']), (1, 2))
        self.assertEqual(Segment.objects.filter(status='allocated').count(), 1)
        released = self.result('release-segment', {'segmentId': first['segments'][0]['id']})['structuredContent']
        self.assertEqual(released['segment']['status'], 'free')
        self.assertIsNone(released['segment']['cluster'])
        changes = ObjectChange.objects.filter(
            user=self.user, changed_object_type=ContentType.objects.get_for_model(Segment)
        )
        self.assertEqual(changes.count(), 2)  # allocate + release

    def test_allocate_without_permission_changes_nothing(self):
        self.grant('netbox_archiflow.view_segment')
        denied = self.result('allocate-segment', {'siteGroup': self.site_group.pk, 'vrf': self.vrf.pk, 'cluster': 'x'})
        self.assertEqual(denied['structuredContent']['code'], 'permission_denied')
        self.assertFalse(Segment.objects.filter(status='allocated').exists())

    def test_bad_arguments_are_named(self):
        self.grant('netbox_archiflow.allocate_segment')
        answer = self.call('allocate-segment', {'siteGroup': self.site_group.pk, 'vrf': self.vrf.pk})
        self.assertEqual(answer['error']['code'], -32602)
        self.assertIn('cluster', answer['error']['message'])
        missing = self.result('allocate-segment', {'siteGroup': self.site_group.pk, 'vrf': 'nope', 'cluster': 'x'})
        self.assertEqual(missing['structuredContent']['code'], 'vrf_not_found')
        self.assertEqual(missing['structuredContent']['field'], 'vrf')


class DiagramToolsTest(RPCTestCase):
    XML = mxfile(cell('a', 'core-sw-01'))

    def setUp(self):
        super().setUp()
        self.diagram = diagram_service.create_diagram('Fabric', self.XML)
        self.hidden = diagram_service.create_diagram('Secret', self.XML)

    def test_list_and_load_respect_object_permissions(self):
        self.grant('netbox_archiflow.view_diagram', constraints={'name': 'Fabric'})
        diagrams = self.result('list-diagrams', {})['structuredContent']['diagrams']
        self.assertEqual([d['name'] for d in diagrams], ['Fabric'])
        self.assertNotIn('xml', diagrams[0])
        loaded = self.result('load-diagram', {'id': self.diagram.pk})['structuredContent']['diagram']
        self.assertEqual((loaded['xml'], loaded['version']), (self.XML, 1))
        hidden = self.result('load-diagram', {'id': self.hidden.pk})
        self.assertEqual(hidden['structuredContent']['code'], 'diagram_not_found')

    def test_save_versions_and_conflicts(self):
        self.grant(
            'netbox_archiflow.view_diagram', 'netbox_archiflow.change_diagram', 'netbox_archiflow.view_diagramversion'
        )
        new_xml = mxfile(cell('a', 'core-sw-01'), cell('b', 'leaf-01'))
        saved = self.result('save-diagram', {'id': self.diagram.pk, 'xml': new_xml, 'baseVersion': 1})
        self.assertEqual(saved['structuredContent']['diagram']['version'], 2)
        same = self.result('save-diagram', {'id': self.diagram.pk, 'xml': new_xml})['structuredContent']
        self.assertFalse(same['modified'])
        stale = self.result('save-diagram', {'id': self.diagram.pk, 'xml': self.XML, 'baseVersion': 1})
        self.assertTrue(stale['isError'])
        self.assertEqual(stale['structuredContent']['code'], 'version_conflict')
        self.assertEqual(stale['structuredContent']['current_version'], 2)
        self.assertEqual(stale['structuredContent']['field'], 'baseVersion')
        malformed = self.result('save-diagram', {'id': self.diagram.pk, 'xml': '<mxfile><diagram>'})
        self.assertEqual(malformed['structuredContent']['code'], 'xml_malformed')
        self.diagram.refresh_from_db()
        self.assertEqual((self.diagram.version, self.diagram.xml), (2, new_xml))
        versions = self.result('get-diagram-versions', {'id': self.diagram.pk})['structuredContent']
        self.assertEqual([v['version'] for v in versions['versions']], [2, 1])
        restored = self.result('restore-diagram-version', {'id': self.diagram.pk, 'version': 1})['structuredContent']
        self.assertEqual(restored['diagram']['version'], 3)
        self.assertEqual(DiagramVersion.objects.get(diagram=self.diagram, version_number=3).kind, 'restore')

    def test_create_and_change_need_permissions(self):
        self.grant('netbox_archiflow.view_diagram')
        denied = self.result('save-diagram', {'name': 'New', 'xml': self.XML})
        self.assertEqual(denied['structuredContent']['code'], 'permission_denied')
        changed = self.result('save-diagram', {'id': self.diagram.pk, 'xml': mxfile(cell('z', 'z'))})
        self.assertEqual(changed['structuredContent']['code'], 'permission_denied')
        self.assertEqual(Diagram.objects.count(), 2)
        self.grant('netbox_archiflow.add_diagram')
        created = self.result('save-diagram', {'name': 'New', 'xml': self.XML})['structuredContent']
        self.assertTrue(created['created'])
        diagram = Diagram.objects.get(pk=created['diagram']['id'])
        self.assertEqual(diagram.version, 1)
        self.assertTrue(ObjectChange.objects.filter(user=self.user, changed_object_id=diagram.pk).exists())

    def test_templates_listed_and_applied_with_bad_variables_refused(self):
        template = DiagramTemplate.objects.create(
            name='Site pair', slug='site-pair', xml=TEMPLATE_XML, variables=TEMPLATE_VARIABLES
        )
        self.grant('netbox_archiflow.view_diagramtemplate', 'netbox_archiflow.add_diagram')
        templates = self.result('list-templates', {})['structuredContent']['templates']
        self.assertEqual([t['slug'] for t in templates], ['site-pair'])
        self.assertEqual([v['name'] for v in templates[0]['variables']], ['site', 'rack', 'uplink'])
        bad = self.result('apply-template', {'templateId': 'site-pair', 'name': 'AMS', 'variables': {'nope': 'x'}})
        self.assertTrue(bad['isError'])
        self.assertIn('nope', bad['structuredContent']['detail'])
        self.assertFalse(Diagram.objects.filter(name='AMS').exists())
        made = self.result('apply-template', {'templateId': template.pk, 'name': 'AMS', 'variables': {'site': 'ams1'}})
        diagram = Diagram.objects.get(pk=made['structuredContent']['diagram']['id'])
        self.assertIn('ams1-core-01', diagram.xml)
        unknown = self.result('apply-template', {'templateId': 'missing', 'name': 'X'})
        self.assertEqual(unknown['structuredContent']['field'], 'templateId')
