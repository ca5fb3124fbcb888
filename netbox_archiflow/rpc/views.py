"""The JSON-RPC 2.0 endpoint: ``initialize``, ``ping``, ``tools/list``, ``tools/call`` (and batches).

Authentication and authorisation are the REST API's: this is a DRF ``APIView`` with NetBox's
default authentication classes (session, ``Authorization: Bearer nbt_...`` / ``Token ...``) and
``IsAuthenticatedOrLoginNotRequired``; each tool restricts its querysets to the user's object
permissions, and write tools refuse read-only tokens. The answers follow the MCP streamable-HTTP
transport (JSON responses, 202 for notifications, 405 for the optional GET stream, 400 for an unsupported
``MCP-Protocol-Version`` header, 401 with ``WWW-Authenticate: Bearer`` without a valid token; every
refusal carries a JSON-RPC error body), so MCP clients such as the official SDK use the endpoint as it is.
"""

import json
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired
from rest_framework.exceptions import APIException, MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView
from users.models import Token

from netbox_archiflow import inputs
from netbox_archiflow.services.diagrams import max_request_bytes
from netbox_archiflow.services.errors import ServiceError

from . import schema
from .registry import ToolArgumentError, all_tools, get_tool

logger = logging.getLogger('netbox_archiflow.rpc')

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

PROTOCOL_VERSIONS = ('2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05')
PROTOCOL_VERSION_HEADER = 'MCP-Protocol-Version'
MAX_BATCH = 50


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def _error(request_id, code, message, data=None):
    error = {'code': code, 'message': message}
    if data is not None:
        error['data'] = data
    return {'jsonrpc': '2.0', 'id': request_id, 'error': error}


def validation_error_dict(exc):
    """A Django ValidationError as the ``{"code", "detail", "field"}`` of a refused tool call."""
    errors = exc.message_dict if hasattr(exc, 'error_dict') else {'__all__': exc.messages}
    field, messages = next(iter(errors.items()))
    body = {'code': 'invalid', 'detail': '; '.join(f'{k}: {" ".join(v)}' for k, v in errors.items())}
    if field != '__all__':
        body['field'] = field
    return body


def tool_result(payload, is_error=False):
    return {
        'content': [{'type': 'text', 'text': json.dumps(payload, default=str)}],
        'structuredContent': payload,
        'isError': is_error,
    }


class UnsupportedProtocolVersion(APIException):
    status_code = 400


class RPCView(APIView):
    permission_classes = [IsAuthenticatedOrLoginNotRequired]
    # The body is read raw: a malformed document must become -32700, not DRF's 400.
    parser_classes = []

    def initial(self, request, *args, **kwargs):
        # No server-sent event stream: GET is 405 whatever the Accept header (not DRF's 406) and before
        # authentication, as the streamable-HTTP transport expects.
        if request.method == 'GET':
            raise MethodNotAllowed('GET', 'This endpoint offers no event stream: send JSON-RPC 2.0 with POST.')
        super().initial(request, *args, **kwargs)
        version = request.headers.get(PROTOCOL_VERSION_HEADER)
        if version is not None and version not in PROTOCOL_VERSIONS:
            raise UnsupportedProtocolVersion(
                f'Unsupported {PROTOCOL_VERSION_HEADER} {version!r}; supported: {", ".join(PROTOCOL_VERSIONS)}'
            )

    def get_authenticate_header(self, request):
        # Makes DRF answer a missing or invalid token with 401 (not 403), as MCP clients expect.
        return 'Bearer'

    def handle_exception(self, exc):
        """HTTP-level refusals keep their status and carry a JSON-RPC error that MCP clients can show."""
        response = super().handle_exception(exc)
        if isinstance(exc, APIException):
            detail = response.data.get('detail', exc.detail) if isinstance(response.data, dict) else exc.detail
            response.data = _error(None, INVALID_REQUEST, str(detail), {'status': response.status_code})
        return response

    @extend_schema(
        operation_id='plugins_archiflow_rpc',
        summary='JSON-RPC 2.0 (MCP tools): initialize, ping, tools/list, tools/call',
        description=schema.DESCRIPTION,
        request={'application/json': schema.REQUEST_BODY},
        responses=schema.RESPONSES,
        examples=schema.EXAMPLES,
    )
    def post(self, request):
        try:
            # Strings are checked per message below, so that each request of a batch gets its own answer.
            document = inputs.loads(request.body, max_bytes=max_request_bytes(), check_strings=False)
        except inputs.InputError as exc:
            return Response(_error(None, PARSE_ERROR, f'Parse error: {exc.message}'))
        if isinstance(document, list):
            if not document:
                return Response(_error(None, INVALID_REQUEST, 'Invalid Request: empty batch'))
            if len(document) > MAX_BATCH:
                return Response(_error(None, INVALID_REQUEST, f'Invalid Request: at most {MAX_BATCH} calls per batch'))
            answers = [answer for answer in (self.handle(request, item) for item in document) if answer is not None]
            return Response(answers) if answers else HttpResponse(status=202)
        answer = self.handle(request, document)
        return Response(answer) if answer is not None else HttpResponse(status=202)

    def handle(self, request, message):
        """One JSON-RPC message -> its response dict (None for a notification)."""
        if not isinstance(message, dict):
            return _error(None, INVALID_REQUEST, 'Invalid Request: expected an object')
        request_id = message.get('id')
        is_notification = 'id' not in message
        bad_text = inputs.find_bad_text(message)
        if bad_text is not None:
            return self.refuse_text(message, bad_text, is_notification)
        if (
            message.get('jsonrpc') != '2.0'
            or not isinstance(message.get('method'), str)
            or not (request_id is None or isinstance(request_id, str | int))
            or isinstance(request_id, bool)
        ):
            return _error(
                request_id if isinstance(request_id, str | int) else None,
                INVALID_REQUEST,
                'Invalid Request: jsonrpc must be "2.0", method a string, id a string or number',
            )
        params = message.get('params', {})
        if params is None:
            params = {}
        try:
            if not isinstance(params, dict):
                raise RPCError(INVALID_PARAMS, 'Invalid params: params must be an object')
            result = self.dispatch_method(request, message['method'], params)
        except RPCError as exc:
            return None if is_notification else _error(request_id, exc.code, exc.message, exc.data)
        except Exception:  # never a 500: the client gets -32603 and the log the traceback
            logger.exception('JSON-RPC method %s failed', message.get('method'))
            return None if is_notification else _error(request_id, INTERNAL_ERROR, 'Internal error')
        if is_notification:
            return None
        return {'jsonrpc': '2.0', 'id': request_id, 'result': result}

    @staticmethod
    def refuse_text(message, where, is_notification):
        """A NUL or a lone surrogate in ``where``: never echoed, never stored (-32602 for arguments)."""
        request_id = message.get('id')
        if (
            not isinstance(request_id, str | int)
            or isinstance(request_id, bool)
            or inputs.find_bad_text(request_id) is not None
        ):
            request_id = None
        problem = f'{where or "the request"} must not contain NUL characters or lone surrogates'
        if where.startswith('params.') and request_id is not None:
            argument = where.removeprefix('params.').removeprefix('arguments.')
            return (
                None
                if is_notification
                else _error(request_id, INVALID_PARAMS, f'Invalid params: {problem}', {'argument': argument})
            )
        return _error(request_id, INVALID_REQUEST, f'Invalid Request: {problem}')

    def dispatch_method(self, request, method, params):
        if method == 'initialize':
            from netbox_archiflow import __version__

            requested = params.get('protocolVersion')
            return {
                'protocolVersion': requested if requested in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0],
                'capabilities': {'tools': {'listChanged': False}},
                'serverInfo': {'name': 'netbox-archiflow', 'title': 'ArchiFlow (NetBox)', 'version': __version__},
                'instructions': 'ArchiFlow IP pools, allocations and devices in NetBox. Call tools/list.',
            }
        if method in ('ping', 'notifications/initialized', 'notifications/cancelled'):
            return {}
        if method == 'tools/list':
            return {'tools': [tool.as_dict() for tool in all_tools()]}
        if method == 'tools/call':
            return self.call_tool(request, params)
        raise RPCError(METHOD_NOT_FOUND, f'Method not found: {method}')

    def call_tool(self, request, params):
        name = params.get('name')
        if not isinstance(name, str):
            raise RPCError(INVALID_PARAMS, "Invalid params: 'name' must be the tool name", {'argument': 'name'})
        tool = get_tool(name)
        if tool is None:
            raise RPCError(INVALID_PARAMS, f'Unknown tool: {name}', {'argument': 'name'})
        try:
            arguments = tool.validate(params.get('arguments'))
        except ToolArgumentError as exc:
            raise RPCError(INVALID_PARAMS, str(exc), {'argument': exc.argument}) from None
        if tool.write and isinstance(request.auth, Token) and not request.auth.write_enabled:
            return tool_result(
                {'code': 'permission_denied', 'detail': 'This token is not allowed to write.'}, is_error=True
            )
        try:
            with transaction.atomic():  # a refused call leaves nothing behind, whatever it had written
                payload = tool.func(request.user, arguments)
        except ServiceError as exc:
            return tool_result(exc.as_dict(), is_error=True)
        except ValidationError as exc:  # a model's own validation, raised past the tool's checks
            return tool_result(validation_error_dict(exc), is_error=True)
        return tool_result(payload)
