import json

from core.models import ObjectChange, ObjectType
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from extras.models import CustomField, Tag
from ipam.models import IPAddress, Prefix
from jsonschema import Draft202012Validator
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token
from utilities.testing import APITestCase, TestCase

from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.rpc import registry
from netbox_archiflow.rpc.registry import Tool, ToolArgumentError, all_tools, get_tool, tool

RPC_URL = '/api/plugins/archiflow/rpc/'
# What save-device needs to see to resolve a device's site, type, role and vendor.
DEVICE_LOOKUPS = ('dcim.view_site', 'dcim.view_devicetype', 'dcim.view_devicerole', 'dcim.view_manufacturer')


class RPCTestCase(APITestCase):
    def grant(self, *names, constraints=None):
        """NetBox's add_permissions(), with object constraints on the permissions it creates."""
        for name in names:
            self.add_permissions(name)
        if constraints:
            ObjectPermission.objects.filter(name__in=names).update(constraints=constraints)

    def rpc(self, payload, header=None, raw=None):
        body = raw if raw is not None else json.dumps(payload)
        return self.client.post(RPC_URL, body, content_type='application/json', **(header or self.header))

    def call(self, name, arguments=None, request_id=1):
        params = {'name': name}
        if arguments is not None:
            params['arguments'] = arguments
        response = self.rpc({'jsonrpc': '2.0', 'id': request_id, 'method': 'tools/call', 'params': params})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def result(self, name, arguments=None):
        answer = self.call(name, arguments)
        self.assertIn('result', answer, answer)
        result = answer['result']
        self.assertEqual(json.loads(result['content'][0]['text']), result['structuredContent'])
        self.assertEqual(result['content'][0]['type'], 'text')
        if not result['isError']:
            # MCP clients reject structured content that does not match the announced outputSchema.
            Draft202012Validator(get_tool(name).output_schema).validate(result['structuredContent'])
        return result


class ProtocolTest(RPCTestCase):
    def test_url_is_the_documented_one(self):
        self.assertEqual(reverse('plugins-api:netbox_archiflow-api:rpc'), RPC_URL)

    def test_authentication_is_the_rest_apis(self):
        """No or a bad token: 401 with WWW-Authenticate: Bearer and a JSON-RPC error MCP clients can show."""
        anonymous = self.client.post(
            RPC_URL, json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'tools/list'}), content_type='application/json'
        )
        bad = {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}nope.nope'}
        for response in (anonymous, self.rpc({'jsonrpc': '2.0', 'id': 1, 'method': 'ping'}, header=bad)):
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response['WWW-Authenticate'], 'Bearer')
            self.assertEqual(response['Content-Type'], 'application/json')
            error = response.json()['error']
            self.assertEqual(error['code'], -32600)
            self.assertEqual(error['data'], {'status': 401})
            self.assertTrue(error['message'])

    def test_get_is_405_whatever_the_accept_header(self):
        for accept in ('text/event-stream', 'application/json', '*/*'):
            for header in (self.header, {}):
                response = self.client.get(RPC_URL, HTTP_ACCEPT=accept, **header)
                self.assertEqual(response.status_code, 405, (accept, header))
                self.assertIn('POST', response['Allow'])
                self.assertEqual(response.json()['error']['code'], -32600)

    def test_protocol_version_header(self):
        ping = {'jsonrpc': '2.0', 'id': 1, 'method': 'ping'}
        for version in ('2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'):
            response = self.rpc(ping, header={**self.header, 'HTTP_MCP_PROTOCOL_VERSION': version})
            self.assertEqual(response.status_code, 200, version)
        response = self.rpc(ping, header={**self.header, 'HTTP_MCP_PROTOCOL_VERSION': '2023-01-01'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('2023-01-01', response.json()['error']['message'])
        self.assertIn('2025-11-25', response.json()['error']['message'])
        answer = self.rpc(
            {'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {'protocolVersion': '2025-11-25'}}
        ).json()
        self.assertEqual(answer['result']['protocolVersion'], '2025-11-25')
        answer = self.rpc(
            {'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {'protocolVersion': '2099-01-01'}}
        ).json()
        self.assertEqual(answer['result']['protocolVersion'], '2025-11-25')

    def test_initialize_and_list(self):
        answer = self.rpc(
            {'jsonrpc': '2.0', 'id': 'a', 'method': 'initialize', 'params': {'protocolVersion': '2025-03-26'}}
        ).json()
        self.assertEqual(answer['id'], 'a')
        self.assertEqual(answer['result']['protocolVersion'], '2025-03-26')
        self.assertIn('tools', answer['result']['capabilities'])
        notification = self.rpc({'jsonrpc': '2.0', 'method': 'notifications/initialized'})
        self.assertEqual(notification.status_code, 202)
        tools = self.rpc({'jsonrpc': '2.0', 'id': 2, 'method': 'tools/list'}).json()['result']['tools']
        names = {t['name'] for t in tools}
        self.assertTrue(
            {'get-ip-pools', 'allocate-ip', 'release-ip', 'get-ip-usage', 'get-devices', 'save-device'} <= names
        )
        for entry in tools:
            self.assertEqual(set(entry), {'name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'})
            self.assertEqual(entry['inputSchema']['type'], 'object')
            self.assertEqual(entry['outputSchema']['type'], 'object')
            self.assertEqual(entry['annotations']['title'], entry['title'])
        annotations = {entry['name']: entry['annotations'] for entry in tools}
        self.assertEqual(
            annotations['get-ip-pools'], {'title': 'List IP pools', 'readOnlyHint': True, 'idempotentHint': True}
        )
        self.assertEqual(
            annotations['release-ip'],
            {'title': 'Release an IP address', 'readOnlyHint': False, 'destructiveHint': True, 'idempotentHint': True},
        )
        self.assertEqual(
            annotations['allocate-ip'],
            {
                'title': 'Allocate an IP address',
                'readOnlyHint': False,
                'destructiveHint': False,
                'idempotentHint': True,
            },
        )

    def test_standard_error_codes(self):
        self.assertEqual(self.rpc(None, raw='{"jsonrpc": "2.0", ').json()['error']['code'], -32700)
        self.assertEqual(self.rpc(None, raw='').json()['error']['code'], -32700)
        for bad in (
            {'id': 1, 'method': 'ping'},
            {'jsonrpc': '1.0', 'id': 1, 'method': 'ping'},
            {'jsonrpc': '2.0', 'id': 1, 'method': 5},
            {'jsonrpc': '2.0', 'id': [1], 'method': 'ping'},
            7,
            [],
        ):
            answer = self.rpc(bad).json()
            self.assertEqual(answer['error']['code'], -32600, bad)
        answer = self.rpc({'jsonrpc': '2.0', 'id': 3, 'method': 'nope'}).json()
        self.assertEqual((answer['id'], answer['error']['code']), (3, -32601))
        answer = self.rpc({'jsonrpc': '2.0', 'id': 4, 'method': 'tools/call', 'params': [1]}).json()
        self.assertEqual(answer['error']['code'], -32602)
        answer = self.call('no-such-tool')
        self.assertEqual(answer['error']['code'], -32602)
        self.assertIn('Unknown tool', answer['error']['message'])

    def test_argument_validation_names_the_argument(self):
        cases = (
            ({'assetId': 'x'}, 'poolId', 'is required'),
            ({'poolId': 1}, 'assetId', 'is required'),
            ({'poolId': 1.5, 'assetId': 'x'}, 'poolId', 'is not of type'),
            ({'poolId': 1, 'assetId': 7}, 'assetId', 'is not of type'),
            ({'poolId': 1, 'assetId': ''}, 'assetId', 'should be non-empty'),
            ({'poolId': 1, 'assetId': 'x', 'bogus': 1}, 'bogus', 'not an argument'),
        )
        for arguments, argument, message in cases:
            answer = self.call('allocate-ip', arguments)
            self.assertEqual(answer['error']['code'], -32602, arguments)
            self.assertEqual(answer['error']['data']['argument'], argument)
            self.assertIn(argument, answer['error']['message'])
            self.assertIn(message, answer['error']['message'])
        answer = self.call('get-ip-pools', [1])
        self.assertEqual(answer['error']['code'], -32602)
        self.assertFalse(IPAllocation.objects.exists())

    def test_batch(self):
        answers = self.rpc(
            [
                {'jsonrpc': '2.0', 'id': 1, 'method': 'ping'},
                {'jsonrpc': '2.0', 'method': 'notifications/initialized'},
                {'jsonrpc': '2.0', 'id': 2, 'method': 'nope'},
            ]
        ).json()
        self.assertEqual([a['id'] for a in answers], [1, 2])
        self.assertEqual(answers[1]['error']['code'], -32601)

    def test_unexpected_exception_is_32603_not_500(self):
        @tool('test-explodes', 'Raises.', {'type': 'object'}, output_schema={'type': 'object'}, title='Explodes')
        def explodes(user, arguments):
            raise RuntimeError('boom')

        try:
            answer = self.call('test-explodes', {})
        finally:
            registry._TOOLS.pop('test-explodes')
        self.assertEqual(answer['error']['code'], -32603)


class RegistryTest(TestCase):
    def test_registry_contract(self):
        names = [t.name for t in all_tools()]
        self.assertEqual(names, sorted(names))
        get_pools = next(t for t in all_tools() if t.name == 'get-ip-pools')
        self.assertIsInstance(get_pools, Tool)
        with self.assertRaises(ToolArgumentError) as ctx:
            get_pools.validate({'limit': 0})
        self.assertEqual(ctx.exception.argument, 'limit')
        with self.assertRaises(ValueError):
            tool('get-ip-pools', 'duplicate', {'type': 'object'}, output_schema={'type': 'object'}, title='Dup')(
                lambda user, arguments: {}
            )
        with self.assertRaises(ValueError):
            tool('test-not-an-object', 'A list.', {'type': 'object'}, output_schema={'type': 'array'}, title='No')


class PoolToolsTest(RPCTestCase):
    def setUp(self):
        super().setUp()
        self.pool = IPPool.objects.create(name='rpc', prefix=Prefix.objects.create(prefix='10.80.0.0/30'))
        self.hidden = IPPool.objects.create(name='hidden', prefix=Prefix.objects.create(prefix='10.81.0.0/30'))

    def test_get_ip_pools_respects_object_permissions(self):
        self.grant('netbox_archiflow.view_ippool', constraints={'name': 'rpc'})
        pools = self.result('get-ip-pools', {})['structuredContent']['pools']
        self.assertEqual([p['name'] for p in pools], ['rpc'])
        self.assertEqual(pools[0]['allocated_count'], 0)
        self.assertEqual(pools[0]['available_count'], 2)
        usage = self.result('get-ip-usage', {'poolId': self.pool.pk})['structuredContent']
        self.assertEqual(usage['available'], 2)
        failure = self.result('get-ip-usage', {'poolId': self.hidden.pk})
        self.assertTrue(failure['isError'])
        self.assertEqual(failure['structuredContent']['code'], 'not_found')
        self.assertEqual(failure['structuredContent']['field'], 'poolId')

    def test_allocate_with_custom_fields_and_tags(self):
        self.grant('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation')
        field = CustomField.objects.create(name='ticket', type='text', required=True)
        field.object_types.set([ObjectType.objects.get_for_model(IPAllocation)])
        Tag.objects.create(name='Lab', slug='lab')
        for arguments, code, field_name in (
            ({}, 'invalid', 'customFields'),
            ({'customFields': {'ticket': 'T-1'}, 'tags': ['lab', 'nope']}, 'not_found', 'tags'),
        ):
            refused = self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'cf', **arguments})
            self.assertTrue(refused['isError'])
            self.assertEqual(
                (refused['structuredContent']['code'], refused['structuredContent']['field']), (code, field_name)
            )
        self.assertFalse(IPAllocation.objects.exists())
        done = self.result(
            'allocate-ip', {'poolId': self.pool.pk, 'assetId': 'cf', 'customFields': {'ticket': 'T-1'}, 'tags': ['lab']}
        )
        self.assertFalse(done['isError'])
        allocation = IPAllocation.objects.get()
        self.assertEqual(allocation.custom_field_data, {'ticket': 'T-1'})
        self.assertEqual([tag.slug for tag in allocation.tags.all()], ['lab'])

    def test_allocate_release_roundtrip_with_rest_codes(self):
        self.grant(
            'netbox_archiflow.view_ippool',
            'netbox_archiflow.add_ipallocation',
            'netbox_archiflow.change_ipallocation',
            'netbox_archiflow.view_ipallocation',
        )
        first = self.result('allocate-ip', {'poolId': str(self.pool.pk), 'assetId': 'dev-1', 'deviceName': 'r1'})
        self.assertFalse(first['isError'])
        self.assertEqual(first['structuredContent']['ip'], '10.80.0.1')
        self.assertTrue(first['structuredContent']['created'])
        again = self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'dev-1'})['structuredContent']
        self.assertFalse(again['created'])
        self.assertEqual(again['ip'], '10.80.0.1')
        taken = self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'dev-2', 'ip': '10.80.0.1'})
        self.assertTrue(taken['isError'])
        self.assertEqual(taken['structuredContent']['code'], 'address_in_use')
        self.assertEqual(taken['structuredContent']['field'], 'ip')
        self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'dev-2'})
        full = self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'dev-3'})
        self.assertEqual(full['structuredContent']['code'], 'pool_exhausted')
        released = self.result('release-ip', {'poolId': self.pool.pk, 'ip': '10.80.0.1'})['structuredContent']
        self.assertFalse(released['allocation']['isActive'])
        missing = self.result('release-ip', {'poolId': self.pool.pk, 'ip': '10.80.0.1'})
        self.assertEqual(
            (missing['structuredContent']['code'], missing['structuredContent']['field']), ('not_found', 'ip')
        )
        bad_pool = self.result('release-ip', {'poolId': 'pool-1', 'ip': '10.80.0.1'})
        self.assertEqual(bad_pool['structuredContent']['field'], 'poolId')
        changes = ObjectChange.objects.filter(
            user=self.user, changed_object_type=ContentType.objects.get_for_model(IPAllocation)
        )
        self.assertEqual(changes.count(), 3)  # two creates, one release

    def test_writes_need_permissions_and_a_write_token(self):
        self.grant('netbox_archiflow.view_ippool')
        denied = self.result('allocate-ip', {'poolId': self.pool.pk, 'assetId': 'x'})
        self.assertEqual(denied['structuredContent']['code'], 'permission_denied')
        self.grant('netbox_archiflow.add_ipallocation')
        read_only = Token.objects.create(user=self.user, write_enabled=False)
        header = {'HTTP_AUTHORIZATION': f'Bearer {TOKEN_PREFIX}{read_only.key}.{read_only.token}'}
        answer = self.rpc(
            {
                'jsonrpc': '2.0',
                'id': 1,
                'method': 'tools/call',
                'params': {'name': 'allocate-ip', 'arguments': {'poolId': self.pool.pk, 'assetId': 'x'}},
            },
            header=header,
        ).json()
        self.assertTrue(answer['result']['isError'])
        self.assertEqual(answer['result']['structuredContent']['code'], 'permission_denied')
        self.assertFalse(IPAllocation.objects.exists())
        self.assertFalse(IPAddress.objects.exists())


class DeviceToolsTest(RPCTestCase):
    def setUp(self):
        super().setUp()
        self.site = Site.objects.create(name='Chicago', slug='chi')
        manufacturer = Manufacturer.objects.create(name='Cisco', slug='cisco')
        self.device_type = DeviceType.objects.create(manufacturer=manufacturer, model='Catalyst 9300', slug='c9300')
        self.role = DeviceRole.objects.create(name='switch', slug='switch')

    def test_get_devices_filters_and_permissions(self):
        Device.objects.create(name='a', site=self.site, device_type=self.device_type, role=self.role, asset_tag='A1')
        Device.objects.create(name='b', site=self.site, device_type=self.device_type, role=self.role, status='offline')
        denied = self.result('get-devices', {})['structuredContent']['devices']
        self.assertEqual(denied, [])
        self.add_permissions('dcim.view_device')
        devices = self.result('get-devices', {'status': 'active'})['structuredContent']['devices']
        self.assertEqual([(d['deviceName'], d['assetId'], d['vendor']) for d in devices], [('a', 'A1', 'Cisco')])
        self.assertEqual(len(self.result('get-devices', {'location': 'chi'})['structuredContent']['devices']), 2)
        self.assertEqual(self.call('get-devices', {'status': 'nope'})['error']['code'], -32602)

    def test_save_device_creates_then_updates(self):
        self.add_permissions(
            'dcim.add_device',
            'dcim.change_device',
            *DEVICE_LOOKUPS,
        )
        arguments = {
            'assetId': 'device-123',
            'deviceName': 'Core-Switch-01',
            'deviceType': 'switch',
            'vendor': 'Cisco',
            'model': 'Catalyst 9300',
            'location': 'Chicago',
        }
        created = self.result('save-device', arguments)['structuredContent']
        self.assertTrue(created['created'])
        device = Device.objects.get(asset_tag='device-123')
        self.assertEqual(
            (device.name, device.device_type, device.role, device.site),
            ('Core-Switch-01', self.device_type, self.role, self.site),
        )
        updated = self.result(
            'save-device', {'assetId': 'device-123', 'deviceName': 'Core-Switch-02', 'status': 'offline'}
        )['structuredContent']
        self.assertFalse(updated['created'])
        device.refresh_from_db()
        self.assertEqual((device.name, device.status), ('Core-Switch-02', 'offline'))
        self.assertEqual(
            list(
                ObjectChange.objects.filter(
                    changed_object_id=device.pk,
                    user=self.user,
                    changed_object_type=ContentType.objects.get_for_model(Device),
                )
                .order_by('time')
                .values_list('action', flat=True)
            ),
            ['create', 'update'],
        )

    def test_save_device_errors_change_nothing(self):
        self.add_permissions(
            'dcim.add_device',
            *DEVICE_LOOKUPS,
        )
        base = {
            'assetId': 'new-1',
            'deviceName': 'n1',
            'deviceType': 'switch',
            'model': 'Catalyst 9300',
            'location': 'Chicago',
        }
        cases = (
            ({**base, 'location': 'Atlantis'}, 'not_found', 'location'),
            ({k: v for k, v in base.items() if k != 'location'}, 'invalid', 'location'),
            ({**base, 'deviceType': 'router'}, 'permission_denied', 'deviceType'),
            ({**base, 'vendor': 'Juniper', 'model': 'MX204'}, 'permission_denied', 'vendor'),
            ({**base, 'model': 'MX204'}, 'not_found', 'vendor'),
        )
        for arguments, code, field in cases:
            result = self.result('save-device', arguments)
            self.assertTrue(result['isError'], arguments)
            self.assertEqual(
                (result['structuredContent']['code'], result['structuredContent'].get('field')),
                (code, field),
                arguments,
            )
        self.assertFalse(Device.objects.exists())
        self.assertEqual(Manufacturer.objects.count(), 1)
        self.assertEqual(DeviceRole.objects.count(), 1)

    def test_save_device_creates_vendor_model_role_when_allowed(self):
        self.add_permissions(
            'dcim.add_device',
            *DEVICE_LOOKUPS,
            'dcim.add_manufacturer',
            'dcim.add_devicetype',
            'dcim.add_devicerole',
        )
        result = self.result(
            'save-device',
            {
                'assetId': 'j1',
                'deviceName': 'edge-1',
                'deviceType': 'router',
                'vendor': 'Juniper',
                'model': 'MX204',
                'location': 'chi',
            },
        )
        self.assertFalse(result['isError'], result)
        device = Device.objects.get(asset_tag='j1')
        self.assertEqual(
            (device.device_type.manufacturer.name, device.device_type.model, device.role.name),
            ('Juniper', 'MX204', 'router'),
        )

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_save_device_refuses_without_device_permission(self):
        result = self.result(
            'save-device',
            {
                'assetId': 'x',
                'deviceName': 'x',
                'deviceType': 'switch',
                'model': 'Catalyst 9300',
                'location': 'Chicago',
            },
        )
        self.assertEqual(result['structuredContent']['code'], 'permission_denied')
        self.assertFalse(Device.objects.exists())
