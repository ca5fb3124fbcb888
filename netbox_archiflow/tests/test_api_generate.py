"""Generate and refresh through REST, JSON-RPC and the UI: the same service, permissions and field errors."""

from django.urls import reverse
from extras.models import Tag
from users.models import ObjectPermission
from utilities.testing import TestCase

from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.services import diagrams as service

from .test_rpc import RPCTestCase
from .topology_fixtures import make_topology

GENERATE_URL = '/api/plugins/archiflow/diagrams/generate/'


class RestTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.t = make_topology('api')

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def post(self, url, body):
        return self.client.post(url, body, content_type='application/json')

    def test_generate_gives_201_at_version_1_then_refresh(self):
        self.assertEqual(reverse('plugins-api:netbox_archiflow-api:diagram-generate'), GENERATE_URL)
        response = self.post(
            GENERATE_URL,
            {'name': 'API site', 'kind': 'physical', 'scope_type': 'dcim.site', 'scope_id': self.t.site.pk},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body['version'], body['name'], body['site']['id']), (1, 'API site', self.t.site.pk))
        self.assertIn(f'nb:dcim.device:{self.t.core.pk}', body['xml'])
        refresh = reverse('plugins-api:netbox_archiflow-api:diagram-refresh', args=[body['id']])
        unchanged = self.post(refresh, {})
        self.assertEqual((unchanged.status_code, unchanged.json()['refreshed']), (200, False))
        self.t.cables.srv1.delete()
        changed = self.post(refresh, {'base_version': 1})
        self.assertEqual(changed.status_code, 200, changed.content)
        self.assertEqual(
            (changed.json()['refreshed'], changed.json()['version'], changed.json()['summary']),
            (True, 2, 'Refreshed from NetBox: −1 cable'),
        )
        stale = self.post(refresh, {'base_version': 1})
        self.assertEqual(stale.status_code, 200)  # nothing new to merge: no conflict to report
        self.assertEqual(DiagramVersion.objects.get(diagram_id=body['id'], version_number=2).kind, 'refresh')

    def test_bad_requests_are_400_naming_the_field(self):
        base = {'name': 'x', 'kind': 'physical', 'scope_type': 'dcim.site', 'scope_id': self.t.site.pk}
        for change, field in (
            ({'kind': 'nope'}, 'kind'),
            ({'scope_type': 'dcim.device'}, 'scope_id'),
            ({'scope_type': 'tenancy.tenant'}, 'scope_type'),
            ({'scope_id': 0}, 'scope_id'),
            ({'options': {'circuits': 'yes'}}, 'options.circuits'),
            ({'options': {'nope': True}}, 'options.nope'),
        ):
            with self.subTest(field=field):
                response = self.post(GENERATE_URL, {**base, **change})
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(response.json()['field'], field)
        response = self.post(GENERATE_URL, {'kind': 'physical'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('name', response.json())
        self.assertFalse(Diagram.objects.exists())

    def test_permissions(self):
        self.user.is_superuser = False
        self.user.save()
        body = {'name': 'x', 'kind': 'physical', 'scope_type': 'dcim.site', 'scope_id': self.t.site.pk}
        self.add_permissions('dcim.view_site', 'dcim.view_device')
        self.assertEqual(self.post(GENERATE_URL, body).status_code, 403)
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        ObjectPermission.objects.filter(name='netbox_archiflow.add_diagram').update(constraints={'status': 'live'})
        self.assertEqual(self.post(GENERATE_URL, body).status_code, 403)  # outside the add constraint
        self.assertFalse(Diagram.objects.exists())
        ObjectPermission.objects.filter(name='netbox_archiflow.add_diagram').update(constraints=None)
        response = self.post(GENERATE_URL, body)
        self.assertEqual(response.status_code, 201, response.content)
        refresh = reverse('plugins-api:netbox_archiflow-api:diagram-refresh', args=[response.json()['id']])
        self.assertEqual(self.post(refresh, {}).status_code, 403)


class RPCTest(RPCTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.t = make_topology('rpc')

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def test_generate_and_refresh_tools(self):
        result = self.result(
            'generate-diagram', {'name': 'RPC L3', 'kind': 'l3', 'scopeType': 'ipam.vrf', 'scopeId': self.t.vrf.pk}
        )['structuredContent']
        self.assertEqual(result['diagram']['version'], 1)
        diagram = Diagram.objects.get(pk=result['diagram']['id'])
        self.assertIn(f'nb:ipam.ipaddress:{self.t.addresses.vm.pk}', diagram.xml)
        refreshed = self.result('refresh-diagram', {'id': diagram.pk})['structuredContent']
        self.assertEqual((refreshed['modified'], refreshed['diagram']['version']), (False, 1))
        bad = self.result(
            'generate-diagram', {'name': 'x', 'kind': 'l3', 'scopeType': 'dcim.rack', 'scopeId': self.t.racks[0].pk}
        )
        self.assertTrue(bad['isError'])
        self.assertEqual(bad['structuredContent']['field'], 'scopeType')


class UITest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.t = make_topology('ui')

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def test_buttons_form_and_refresh(self):
        list_page = self.client.get(reverse('plugins:netbox_archiflow:diagram_list'))
        self.assertContains(list_page, 'id="generate-from-netbox"')
        for obj in (self.t.site, self.t.hall, self.t.racks[0], self.t.vrf):
            with self.subTest(obj=obj):
                self.assertContains(self.client.get(obj.get_absolute_url()), 'id="generate-diagram"')
        url = reverse('plugins:netbox_archiflow:diagram_generate')
        form = self.client.get(f'{url}?kind=physical&scope_type=dcim.rack&scope_id={self.t.racks[1].pk}')
        self.assertEqual(form.status_code, 200)
        missing = self.client.post(url, {'name': 'No scope', 'kind': 'physical'})
        self.assertContains(missing, 'Choose a rack / location / site')
        response = self.client.post(
            url, {'name': 'Rack 2', 'kind': 'physical', 'rack': self.t.racks[1].pk, 'primary_ip': 'on'}
        )
        diagram = Diagram.objects.get(name='Rack 2')
        self.assertRedirects(response, diagram.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(diagram.metadata['generator']['scope_type'], 'dcim.rack')
        page = self.client.get(diagram.get_absolute_url())
        self.assertContains(page, 'id="refresh-diagram"')
        refresh = reverse('plugins:netbox_archiflow:diagram_refresh', args=[diagram.pk])
        self.t.cables.srv2.delete()
        self.client.post(refresh)
        diagram.refresh_from_db()
        self.assertEqual(diagram.version, 2)
        self.assertTrue(service.preview_svg(diagram).startswith('<svg'))

    def test_form_device_selection(self):
        url = reverse('plugins:netbox_archiflow:diagram_generate')
        self.assertContains(self.client.get(url), 'id="device-selection"')
        tag = Tag.objects.create(name='Drawn', slug='drawn')
        self.t.servers[0].tags.add(tag)
        self.t.leaf.tags.add(tag)
        response = self.client.post(
            url,
            {
                'name': 'Tagged servers',
                'kind': 'physical',
                'site': self.t.site.pk,
                'device_roles': [self.t.roles['server'].pk],
                'device_tags': [tag.pk],
            },
        )
        diagram = Diagram.objects.get(name='Tagged servers')
        self.assertRedirects(response, diagram.get_absolute_url(), fetch_redirect_response=False)
        generator = diagram.metadata['generator']
        self.assertEqual((generator['scope_type'], generator['scope_id']), ('dcim.device', None))
        self.assertEqual(
            generator['options']['filters'],
            {'site_id': [str(self.t.site.pk)], 'role_id': [str(self.t.roles['server'].pk)], 'tag': ['drawn']},
        )
        linked = set(diagram.links.filter(object_type__model='device').values_list('object_id', flat=True))
        self.assertIn(self.t.servers[0].pk, linked)
        self.assertNotIn(self.t.servers[1].pk, linked)  # not tagged
        response = self.client.post(
            url, {'name': 'Two devices', 'kind': 'physical', 'devices': [self.t.leaf.pk, self.t.core.pk]}
        )
        diagram = Diagram.objects.get(name='Two devices')
        chosen = diagram.metadata['generator']['options']['filters']
        self.assertEqual(sorted(chosen['id']), sorted([str(self.t.leaf.pk), str(self.t.core.pk)]))
        self.assertEqual(list(chosen), ['id'])
        missing = self.client.post(url, {'name': 'Nothing', 'kind': 'physical'})
        self.assertContains(missing, 'Choose a rack / location / site / device selection')
