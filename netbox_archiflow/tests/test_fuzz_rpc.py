"""A property-based fuzz of the JSON-RPC endpoint (issue 11): malformed documents, batches, ids, and every tool's
arguments drawn from its own ``tools/list`` schema plus junk. Never an HTTP 5xx, never -32603, and a call that
failed writes nothing. Each example runs in a savepoint of the test's transaction that is rolled back after it.
"""

import json

from dcim.models import Device, DeviceRole, DeviceType, Manufacturer
from django.db import transaction
from extras.models import Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ipam.models import IPAddress, Prefix
from utilities.testing import APITestCase

from netbox_archiflow.models import Alert, Diagram, DiagramVersion, IPAllocation, IPPool, Segment
from netbox_archiflow.rpc.registry import all_tools

from .segment_fixtures import make_pool

RPC_URL = '/api/plugins/archiflow/rpc/'
WATCHED = (Device, DeviceRole, DeviceType, Manufacturer, Tag, IPAddress, Prefix, Alert, Diagram, DiagramVersion)
WATCHED += (IPAllocation, IPPool, Segment)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

text = st.text(max_size=20) | st.sampled_from(['', '\u0000', '\ud800', '²', '9' * 30, '!!!', '10.0.0.1', '-1'])
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | text
junk = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)
request_ids = st.none() | st.integers() | text | st.booleans() | st.floats(allow_nan=False) | st.lists(st.integers())


def from_schema(schema):
    """Values valid for the (simple) JSON Schema of a tool argument: enum, type, bounds, items, properties."""
    if 'enum' in schema:
        return st.sampled_from(schema['enum'])
    types = schema.get('type', [])
    types = types if isinstance(types, list) else [types]
    options = []
    for kind in types:
        if kind == 'integer':
            options.append(st.integers(schema.get('minimum'), schema.get('maximum')))
        elif kind == 'number':
            options.append(
                st.floats(schema.get('minimum'), schema.get('maximum'), allow_nan=False, allow_infinity=False)
            )
        elif kind == 'string':
            options.append(st.text(min_size=schema.get('minLength', 0), max_size=min(schema.get('maxLength', 30), 30)))
        elif kind == 'boolean':
            options.append(st.booleans())
        elif kind == 'array':
            options.append(st.lists(from_schema(schema.get('items', {})), max_size=3))
        elif kind == 'object':
            properties = {name: from_schema(sub) for name, sub in schema.get('properties', {}).items()}
            required = set(schema.get('required', ()))
            options.append(
                st.fixed_dictionaries(
                    {name: value for name, value in properties.items() if name in required},
                    optional={name: value for name, value in properties.items() if name not in required},
                )
            )
    return st.one_of(options) if options else junk


def tool_arguments(tool):
    """Valid arguments of the tool (from its input schema), valid ones with one member replaced by junk, or junk."""
    valid = from_schema(tool.input_schema)
    spoiled = st.tuples(valid, st.sampled_from(sorted(tool.input_schema.get('properties', {})) or ['x']), junk).map(
        lambda drawn: {**drawn[0], drawn[1]: drawn[2]}
    )
    return valid | spoiled | junk


calls = st.sampled_from(all_tools()).flatmap(
    lambda tool: st.fixed_dictionaries(
        {'jsonrpc': st.just('2.0'), 'id': request_ids, 'method': st.just('tools/call')},
    ).flatmap(
        lambda message: tool_arguments(tool).map(
            lambda arguments: {**message, 'params': {'name': tool.name, 'arguments': arguments}}
        )
    )
)
other_messages = st.fixed_dictionaries(
    {
        'jsonrpc': st.sampled_from(['2.0', '1.0']) | junk,
        'method': st.sampled_from(['ping', 'tools/list', 'initialize']) | junk,
    },
    optional={'id': request_ids, 'params': junk},
)
messages = calls | other_messages | junk
documents = (
    messages.map(json.dumps)
    | st.lists(messages, min_size=0, max_size=4).map(json.dumps)
    | st.binary(max_size=40)
    | st.sampled_from(['[' * 3000, '{"a": NaN}', '{"id": ' + '9' * 5000 + '}', '[' * 100 + ']' * 100, ''])
)


class RPCFuzzTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        site_group, vrf = make_pool('rpcfuzz', '10.91.0.0/16')
        IPPool.objects.create(name='rpcfuzz', prefix=Prefix.objects.create(prefix='10.90.0.0/24'))
        Diagram.objects.create(name='rpcfuzz')

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def counts(self):
        return {model.__name__: model.objects.count() for model in WATCHED}

    def post(self, body):
        return self.client.post(RPC_URL, body, content_type='application/json', **self.header)

    def check(self, body):
        with transaction.atomic():
            before = self.counts()
            response = self.post(body)
            self.assertLess(response.status_code, 500, response.content[:500])
            if response.status_code == 202:
                transaction.set_rollback(True)
                return
            self.assertEqual(response['Content-Type'], 'application/json', response.content[:500])
            answers = response.json()
            answers = answers if isinstance(answers, list) else [answers]
            for answer in answers:
                self.assertNotEqual(answer.get('error', {}).get('code'), -32603, answer)
            failed = all('error' in a or a.get('result', {}).get('isError') for a in answers)
            if failed:
                self.assertEqual(self.counts(), before, answers)
            transaction.set_rollback(True)

    # Plain functions under @given: each example runs in its own savepoint (check()), not a test transaction.
    def test_documents(self):
        @FUZZ
        @given(body=documents)
        def run(body):
            self.check(body)

        run()

    def test_tool_calls(self):
        @FUZZ
        @given(message=calls)
        def run(message):
            self.check(json.dumps(message))

        run()
