"""OpenAPI description of the JSON-RPC endpoint (request and response bodies), for ``/api/schema/``."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

DESCRIPTION = (
    'One JSON-RPC 2.0 request, or a batch (a list) of up to 50. `tools/list` gives each tool with the JSON Schema '
    'of its arguments; `tools/call` runs one. Refusals of a tool are a result with `isError: true` and the REST '
    "API's `{code, detail, field}`; bad arguments are error -32602 naming the argument. See docs/rpc.md."
)

ID = {
    'oneOf': [{'type': 'string'}, {'type': 'integer'}],
    'nullable': True,
    'description': 'A string or integer, echoed in the response; absent for a notification',
}

REQUEST = {
    'type': 'object',
    'properties': {
        'jsonrpc': {'type': 'string', 'enum': ['2.0']},
        'id': ID,
        'method': {
            'type': 'string',
            'description': '`initialize`, `ping`, `tools/list` or `tools/call`',
        },
        'params': {
            'type': 'object',
            'description': 'For `tools/call`: `{"name": <tool>, "arguments": {...}}` (see `tools/list`)',
            'additionalProperties': True,
        },
    },
    'required': ['jsonrpc', 'method'],
}

RESPONSE = {
    'type': 'object',
    'properties': {
        'jsonrpc': {'type': 'string', 'enum': ['2.0']},
        'id': ID,
        'result': {
            'type': 'object',
            'description': 'For `tools/call`: `{"content", "structuredContent", "isError"}`',
            'additionalProperties': True,
        },
        'error': {
            'type': 'object',
            'properties': {
                'code': {
                    'type': 'integer',
                    'description': '-32700 parse error, -32600 invalid request, -32601 unknown method, '
                    '-32602 invalid params (``data.argument`` names the argument)',
                },
                'message': {'type': 'string'},
                'data': {'type': 'object', 'additionalProperties': True},
            },
            'required': ['code', 'message'],
        },
    },
    'required': ['jsonrpc'],
}

REQUEST_BODY = {'oneOf': [REQUEST, {'type': 'array', 'items': REQUEST, 'minItems': 1, 'maxItems': 50}]}

RESPONSES = {
    200: OpenApiResponse(
        response={'oneOf': [RESPONSE, {'type': 'array', 'items': RESPONSE}]},
        description='The response (a list for a batch). JSON-RPC errors are answered with HTTP 200 too.',
    ),
    202: OpenApiResponse(description='Only notifications were sent: no body.'),
    401: OpenApiResponse(description='Authentication required.'),
    403: OpenApiResponse(description='Invalid token.'),
}

EXAMPLES = [
    OpenApiExample(
        'tools/call',
        value={'jsonrpc': '2.0', 'id': 1, 'method': 'tools/call', 'params': {'name': 'get-ip-pools', 'arguments': {}}},
        request_only=True,
    ),
]
