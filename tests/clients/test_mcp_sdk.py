"""The JSON-RPC endpoint as the official MCP Python SDK speaks to it: streamable-HTTP client + ClientSession.

One SDK session is shared by the module (opened in a background event loop); the tests call it synchronously.
"""

from contextlib import asynccontextmanager

import pytest

anyio = pytest.importorskip('anyio')
httpx2 = pytest.importorskip('httpx2')
pytest.importorskip('mcp')

from mcp import ClientSession  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402

RPC_PATH = '/api/plugins/archiflow/rpc/'


@asynccontextmanager
async def mcp_session(url, token):
    headers = {'Authorization': f'Bearer {token}'} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        yield session


class SyncSession:
    """Calls the async ClientSession from synchronous tests through an anyio blocking portal."""

    def __init__(self, portal, session, initialized):
        self.portal = portal
        self.session = session
        self.initialized = initialized

    def __getattr__(self, name):
        method = getattr(self.session, name)
        return lambda *args, **kwargs: self.portal.call(lambda: method(*args, **kwargs))


@pytest.fixture(scope='module')
def portal():
    with anyio.from_thread.start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope='module')
def mcp(api_user, portal):
    with portal.wrap_async_context_manager(mcp_session(api_user.url + RPC_PATH, api_user.token)) as session:
        initialized = portal.call(session.initialize)
        yield SyncSession(portal, session, initialized)


def test_initialize_negotiates_the_current_protocol(mcp):
    assert mcp.initialized.protocol_version == '2025-11-25'
    assert mcp.initialized.server_info.name == 'netbox-archiflow'
    assert mcp.initialized.capabilities.tools is not None
    mcp.send_ping()


def test_list_tools_with_output_schemas_and_annotations(mcp):
    tools = {tool.name: tool for tool in mcp.list_tools().tools}
    assert {'get-ip-pools', 'allocate-ip', 'release-ip', 'get-segments', 'save-diagram', 'get-devices'} <= set(tools)
    for tool in tools.values():
        assert tool.output_schema['type'] == 'object', tool.name
        assert tool.annotations.title and tool.title == tool.annotations.title, tool.name
        assert tool.annotations.read_only_hint is (tool.name.startswith(('get-', 'list-', 'load-'))), tool.name
        if not tool.annotations.read_only_hint:
            assert tool.annotations.destructive_hint is not None and tool.annotations.idempotent_hint is not None
    assert tools['release-ip'].annotations.destructive_hint is True
    assert tools['allocate-ip'].annotations.destructive_hint is False
    assert tools['allocate-ip'].annotations.idempotent_hint is True


def test_read_tool(mcp, pool):
    # The SDK validates structuredContent against the tool's outputSchema: a mismatch raises here.
    result = mcp.call_tool('get-ip-pools', {'vrf': pool.prefix.vrf.name})
    assert not result.is_error
    [found] = result.structured_content['pools']
    assert (found['id'], found['network'], found['available_count']) == (pool.pk, '10.99.0.0/28', 13)
    usage = mcp.call_tool('get-ip-usage', {'poolId': pool.pk}).structured_content
    assert usage['total'] == 14 and usage['allocated'] == 0


def test_write_tools(mcp, pool):
    allocated = mcp.call_tool('allocate-ip', {'poolId': pool.pk, 'assetId': 'mcp-sdk-1'})
    assert not allocated.is_error, allocated.content
    assert allocated.structured_content['created'] is True
    ip = allocated.structured_content['ip']
    assert ip == '10.99.0.2'
    again = mcp.call_tool('allocate-ip', {'poolId': pool.pk, 'assetId': 'mcp-sdk-1'}).structured_content
    assert (again['created'], again['ip']) == (False, ip)
    released = mcp.call_tool('release-ip', {'poolId': pool.pk, 'ip': ip}).structured_content
    assert released['allocation']['isActive'] is False


def test_errors(mcp, pool):
    # A refused call is a tool result with isError (the REST API's code and detail), not an exception.
    refused = mcp.call_tool('release-ip', {'poolId': pool.pk, 'ip': '10.99.0.9'})
    assert refused.is_error
    assert refused.structured_content['code']
    # Bad arguments and unknown tools are JSON-RPC errors naming the argument.
    with pytest.raises(MCPError) as error:
        mcp.call_tool('allocate-ip', {'poolId': pool.pk})
    assert error.value.code == -32602 and 'assetId' in error.value.message
    with pytest.raises(MCPError) as error:
        mcp.call_tool('no-such-tool', {})
    assert error.value.code == -32602


@pytest.mark.parametrize('token', ['', 'nbt_nope.nope'], ids=['missing', 'invalid'])
def test_missing_or_bad_token_is_shown_by_the_sdk(api_user, portal, token):
    async def connect():
        async with mcp_session(api_user.url + RPC_PATH, token) as session:
            try:
                await session.initialize()
            except MCPError as exc:
                return exc

    error = portal.call(connect)
    assert isinstance(error, MCPError)
    assert error.data == {'status': 401}
    # NetBox's own words, not the SDK's stand-in for an error without a JSON-RPC body.
    assert error.message in ('Authentication credentials were not provided.', 'Invalid v2 token'), error.message


def test_read_only_token_cannot_write(api_user, portal, pool):
    async def allocate():
        async with mcp_session(api_user.url + RPC_PATH, api_user.read_only_token) as session:
            await session.initialize()
            return await session.call_tool('allocate-ip', {'poolId': pool.pk, 'assetId': 'mcp-read-only'})

    result = portal.call(allocate)
    assert result.is_error and result.structured_content['code'] == 'permission_denied'


def test_transport_status_codes(api_user):
    """What the SDK's HTTP layer relies on: 405 for GET whatever Accept says, 400 for an unknown version."""
    url = api_user.url + RPC_PATH
    auth = {'Authorization': f'Bearer {api_user.token}'}
    with httpx2.Client(headers=auth, timeout=30) as http:
        for accept in ('text/event-stream', 'application/json, text/event-stream'):
            response = http.get(url, headers={'Accept': accept})
            assert response.status_code == 405, accept
        ping = {'jsonrpc': '2.0', 'id': 1, 'method': 'ping'}
        headers = {'Accept': 'application/json, text/event-stream', 'MCP-Protocol-Version': '1999-01-01'}
        response = http.post(url, json=ping, headers=headers)
        assert response.status_code == 400
        assert response.json()['error']['code'] == -32600
        response = http.post(url, json=ping, headers={**headers, 'MCP-Protocol-Version': '2025-11-25'})
        assert response.status_code == 200 and response.json()['result'] == {}
    response = httpx2.post(url, json=ping, timeout=30)
    assert response.status_code == 401 and response.headers['WWW-Authenticate'] == 'Bearer'
