"""Fixtures for the client-compatibility tests: the real clients (MCP SDK, pynetbox) against a live test server.

The server thread cannot see a test transaction, so the objects are COMMITTED, created once per module and
deleted afterwards, together with the change log they left. The server is pytest-django's ``LiveServer``
started here rather than its ``live_server`` fixture, which would flush every table after each test.
"""

import uuid
from types import SimpleNamespace

import pytest

from tests.created_rows import deleting_created_rows


def pytest_collection_modifyitems(items):
    # pytest-django sets up the test database only for tests that ask for it. The tests read it inside a
    # transaction (rolled back), which sees what the live server commits.
    for item in items:
        if 'tests/clients' in str(item.fspath):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope='session')
def live_url(django_db_setup, django_db_blocker):
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer('localhost')
        yield server.url
        server.stop()


@pytest.fixture(scope='module')
def api_user(live_url, django_db_blocker):
    """A superuser with a write-enabled and a read-only v2 token.

    The database stays unblocked for the module: the server thread and the tests' own checks use it. Whatever
    the module created (through the clients or its fixtures) is deleted afterwards.
    """
    from users.constants import TOKEN_PREFIX
    from users.models import Token, User

    with django_db_blocker.unblock(), deleting_created_rows():
        user = User.objects.create_superuser(f'clients-{uuid.uuid4().hex[:8]}', 'clients@example.com', None)
        token = Token.objects.create(user=user, write_enabled=True)
        read_only = Token.objects.create(user=user, write_enabled=False)
        yield SimpleNamespace(
            user=user,
            url=live_url,
            token=f'{TOKEN_PREFIX}{token.key}.{token.token}',
            read_only_token=f'{TOKEN_PREFIX}{read_only.key}.{read_only.token}',
        )


@pytest.fixture(scope='module')
def pool(api_user, django_db_blocker):
    """A committed IP pool over a fresh /28 in its own VRF."""
    from ipam.models import VRF, Prefix

    from netbox_archiflow.models import IPPool

    with django_db_blocker.unblock():
        vrf = VRF.objects.create(name=f'clients-{uuid.uuid4().hex[:8]}')
        prefix = Prefix.objects.create(prefix='10.99.0.0/28', vrf=vrf)
        pool = IPPool.objects.create(name=f'clients-{vrf.name}', prefix=prefix, gateway='10.99.0.1')
    return pool
