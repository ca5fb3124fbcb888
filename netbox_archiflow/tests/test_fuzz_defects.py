"""One regression test per defect the fuzzers found (issue 11, B-K): each request used to answer 500 / -32603."""

import json

from dcim.models import Device, DeviceRole
from ipam.models import Prefix
from utilities.testing import APITestCase, TestCase

from netbox_archiflow import inputs
from netbox_archiflow.models import Alert, Diagram, IPAllocation, IPPool, Segment

from .segment_fixtures import make_pool

U = '/api/plugins/archiflow/'
NUL = '\u0000'
SURROGATE = '\ud800'


class InputsTest(TestCase):
    """The checks of netbox_archiflow.inputs themselves."""

    def test_parse_id(self):
        for good, number in ((7, 7), ('7', 7), (' 12 ', 12), (2**63 - 1, 2**63 - 1)):
            self.assertEqual(inputs.parse_id(good), number)
        for bad in ('²', '٣', 'x', '', '1.0', '9' * 5000, 2**63, 0, -1, True, None, 1.0, {'id': 1}):
            self.assertIsNone(inputs.parse_id(bad), bad if not isinstance(bad, str) else bad[:10])

    def test_loads_refuses_what_the_stack_cannot_take(self):
        cases = {
            '{"a": "x\\u0000"}': 'a',
            '{"a": ["ok", "\\ud800"]}': 'a.1',
            '{"a\\u0000": 1}': None,
            '{"a": NaN}': None,
            '{"a": 1e999}': None,
            '[' + '9' * 5000 + ']': None,
            '[' * 100000 + ']' * 100000: None,
            '[' * 65 + ']' * 65: None,
            '{"a": ': None,
        }
        for text, field in cases.items():
            with self.subTest(text=text[:30]), self.assertRaises(inputs.InputError) as caught:
                inputs.loads(text)
            self.assertEqual(caught.exception.field, field)
        self.assertEqual(inputs.loads(b'{"a": [1, 2.5, "\\u00e9"]}'), {'a': [1, 2.5, 'é']})
        with self.assertRaises(inputs.InputError):
            inputs.loads(b'{"a": 1}', max_bytes=4)


class RESTDefectsTest(APITestCase):
    def setUp(self):
        super().setUp()
        self.site_group, self.vrf = make_pool('fz', '10.98.0.0/16')

    def post(self, path, body):
        raw = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(U + path, raw, content_type='application/json', **self.header)

    def assertRefused(self, response, field=None, status=400):
        self.assertEqual(response.status_code, status, response.content[:500])
        if field is not None:
            self.assertEqual(response.json()['field'], field, response.json())

    def test_b_segment_without_site_group_or_vrf(self):
        self.add_permissions('netbox_archiflow.add_segment', 'netbox_archiflow.view_segment')
        self.assertRefused(self.post('segments/', {}))
        self.assertRefused(self.post('segments/', {'site_group': self.site_group.pk, 'prefix_length': 24}), 'vrf')
        self.assertFalse(Segment.objects.exists())

    def test_c_custom_actions_404_on_non_numeric_ids(self):
        self.add_permissions(
            'netbox_archiflow.change_alert',
            'netbox_archiflow.change_diagram',
            'netbox_archiflow.view_diagram',
            'netbox_archiflow.view_diagramtemplate',
            'netbox_archiflow.add_diagram',
            'netbox_archiflow.view_ippool',
            'netbox_archiflow.change_ipallocation',
        )
        for path in (
            'alerts/x/acknowledge/',
            'alerts/x/resolve/',
            'diagrams/x/restore/',
            'diagram-templates/x/instantiate/',
            'ip-allocations/x/release/',
            f'alerts/{"9" * 30}/acknowledge/',
        ):
            with self.subTest(path=path):
                self.assertRefused(self.post(path, {'version': 1, 'name': 'n'}), status=404)
        for path in ('diagrams/x/export/', 'ip-pools/x/usage/', 'ip-pools/²/usage/'):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(U + path, **self.header).status_code, 404)

    def test_l_ids_with_a_dot_are_json_404s(self):
        """Found by the stateful fuzz: a dot ended the router's id, so these reached NetBox's HTML 404 page."""
        self.add_permissions('netbox_archiflow.view_segment', 'netbox_archiflow.view_diagramtemplate')
        self.add_permissions('netbox_archiflow.add_diagram')
        for method, path in (
            ('get', 'segments/1.5/'),
            ('get', 'segments/-1.1e-104/'),
            ('post', 'diagram-templates/1.5/instantiate/'),
        ):
            with self.subTest(path=path):
                response = getattr(self.client, method)(U + path, **self.header)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response['Content-Type'], 'application/json')

    def test_d_allocate_with_digits_isdigit_accepts(self):
        self.add_permissions('netbox_archiflow.allocate_segment', 'netbox_archiflow.view_segment')
        for value in ('²', '9' * 5000):
            with self.subTest(value=value[:5]):
                response = self.post('segments/allocate/', {'site_group': value, 'vrf': self.vrf.pk, 'cluster': 'c'})
                self.assertRefused(response, 'site_group')

    def test_e_nul_and_surrogates_anywhere_in_json_or_query(self):
        self.add_permissions('netbox_archiflow.allocate_segment', 'netbox_archiflow.view_segment')
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        for bad in (NUL, SURROGATE):
            with self.subTest(bad=repr(bad)):
                body = {'site_group': f'sg{bad}', 'vrf': self.vrf.pk, 'cluster': 'c'}
                self.assertRefused(self.post('segments/allocate/', body), 'site_group')
                raw = json.dumps({'name': f'd{bad}'})  # json.dumps escapes the surrogate as \ud800
                self.assertRefused(self.post('diagrams/', raw), 'name')
        response = self.client.get(U + 'segments/?vrf=%00', **self.header)
        self.assertRefused(response, 'vrf')
        self.assertFalse(Diagram.objects.exists())

    def test_f_metadata_nul_nan_surrogate(self):
        self.add_permissions('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        for raw in ('{"name": "d", "metadata": {"a": "\\u0000"}}', '{"name": "d", "metadata": {"a": NaN}}'):
            self.assertRefused(self.post('diagrams/', raw))
        self.assertRefused(self.post('diagrams/', '{"name": "d", "metadata": {"a": "\\udfff"}}'), 'metadata.a')
        self.assertFalse(Diagram.objects.exists())

    def test_g_mac_address_netaddr_reads_as_eui64(self):
        self.add_permissions('netbox_archiflow.add_ipallocation', 'netbox_archiflow.view_ippool')
        pool = IPPool.objects.create(name='fz', prefix=Prefix.objects.create(prefix='10.97.0.0/24'))
        response = self.post(f'ip-pools/{pool.pk}/allocate/', {'asset_id': 'a', 'mac_address': '10.0.0.1'})
        self.assertRefused(response, 'mac_address')
        self.assertFalse(IPAllocation.objects.exists())

    def test_k_reference_with_a_list_value_or_nul_tag(self):
        self.add_permissions('netbox_archiflow.add_ippool', 'ipam.view_prefix', 'extras.view_tag')
        response = self.post('ip-pools/', {'name': 'x', 'prefix': {'prefix': [None, None]}})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('prefix', response.json())
        response = self.post('ip-pools/', {'name': 'x', 'prefix': {'prefix': 'not a cidr'}})
        self.assertEqual(response.status_code, 400, response.content)
        response = self.post('ip-pools/', {'name': 'x', 'network': '10.96.0.0/24', 'tags': [{'name': f't{NUL}'}]})
        self.assertRefused(response, 'tags.0.name')
        self.assertFalse(IPPool.objects.exists())


class RPCDefectsTest(APITestCase):
    def rpc(self, raw):
        response = self.client.post(U + 'rpc/', raw, content_type='application/json', **self.header)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return response.json()

    def call(self, name, arguments):
        return self.rpc(
            json.dumps(
                {'jsonrpc': '2.0', 'id': 1, 'method': 'tools/call', 'params': {'name': name, 'arguments': arguments}}
            )
        )

    def test_d_allocate_segments_with_superscript_digit(self):
        self.add_permissions('netbox_archiflow.allocate_segment', 'netbox_archiflow.view_segment')
        site_group, vrf = make_pool('fzr', '10.95.0.0/16')
        answer = self.call('allocate-segment', {'siteGroup': '²', 'vrf': vrf.name, 'cluster': 'c'})
        self.assertTrue(answer['result']['isError'], answer)

    def test_e_nul_in_tool_arguments_is_32602_naming_the_argument(self):
        answer = self.call('get-devices', {'location': f'x{NUL}'})
        self.assertEqual(answer['error']['code'], -32602, answer)
        self.assertEqual(answer['error']['data'], {'argument': 'location'})

    def test_h_deep_nesting_and_huge_numbers_are_parse_errors(self):
        for raw in ('[' * 100000 + ']' * 100000, '{"jsonrpc": "2.0", "id": ' + '9' * 5000 + ', "method": "ping"}'):
            with self.subTest(raw=raw[:20]):
                self.assertEqual(self.rpc(raw)['error']['code'], -32700)

    def test_i_lone_surrogate_id_is_not_echoed(self):
        answer = self.rpc('{"jsonrpc": "2.0", "id": "\\ud800", "method": "ping"}')
        self.assertEqual(answer['error']['code'], -32600)
        self.assertIsNone(answer['id'])
        answer = self.rpc('{"jsonrpc": "2.0", "id": 3, "method": "\\ud800"}')
        self.assertEqual((answer['id'], answer['error']['code']), (3, -32600))

    def test_j_model_validation_of_a_tool_is_an_error_result(self):
        self.add_permissions('dcim.add_device', 'dcim.view_site', 'dcim.add_devicerole', 'dcim.view_devicerole')
        answer = self.call(
            'save-device', {'assetId': 'fz-1', 'deviceName': 'd', 'deviceType': '!!!', 'model': 'm', 'location': 's'}
        )
        self.assertNotIn('error', answer)
        result = answer['result']
        self.assertTrue(result['isError'], result)
        self.assertFalse(Device.objects.filter(asset_tag='fz-1').exists())
        self.assertFalse(DeviceRole.objects.filter(name='!!!').exists())

    def test_g_allocate_ip_mac_address(self):
        self.add_permissions('netbox_archiflow.add_ipallocation', 'netbox_archiflow.view_ippool')
        pool = IPPool.objects.create(name='fzr', prefix=Prefix.objects.create(prefix='10.94.0.0/24'))
        answer = self.call('allocate-ip', {'poolId': pool.pk, 'assetId': 'a', 'macAddress': '10.0.0.1'})
        self.assertTrue(answer['result']['isError'], answer)
        self.assertEqual(answer['result']['structuredContent']['field'], 'macAddress')
        self.assertFalse(IPAllocation.objects.exists())
        self.assertFalse(Alert.objects.exists())
