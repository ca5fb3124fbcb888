"""End-to-end tests in Debian's headless Chromium (never a downloaded browser) against pytest-django's live server.

The server thread cannot see a test transaction, so the tests create uniquely named, COMMITTED objects
(``django_db_blocker.unblock()``) and delete them afterwards instead of flushing NetBox's many tables.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest

CHROMIUM = os.environ.get('ARCHIFLOW_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
ARTIFACTS = Path(__file__).resolve().parents[2] / 'test-artifacts'

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test are still
# synchronous and safe there.
os.environ.setdefault('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')


def pytest_collection_modifyitems(items):
    for item in items:
        if 'tests/browser' in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope='session')
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope='session')
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f'{CHROMIUM} is missing: develop/test installs it (apt-get install chromium)')
    sync_playwright = pytest.importorskip('playwright.sync_api').sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def committed(django_db_blocker):
    """Run the test with real (committed) database access; objects registered in `created` are deleted after."""
    created = []
    with django_db_blocker.unblock():
        yield created
        for obj in reversed(created):
            type(obj).objects.filter(pk=obj.pk).delete()


@pytest.fixture
def user(committed):
    from core.models import ObjectChange
    from users.models import User

    password = uuid.uuid4().hex
    user = User.objects.create_superuser(f'browser-{uuid.uuid4().hex[:8]}', 'browser@example.com', password)
    committed.append(user)
    user.plain_password = password
    yield user
    # The change log of what the test did through the UI outlives the user (SET_NULL): remove it first.
    ObjectChange.objects.filter(user=user).delete()


@pytest.fixture
def page(browser, live_server, user):
    """A logged-in page that refuses every request leaving the live server (the editor must work offline).

    The test fails when a page logs a console error, throws, or tried to reach another origin.
    """
    context = browser.new_context(viewport={'width': 1400, 'height': 900})
    context.external_requests = []
    context.console_errors = []
    # The machine running the tests may be busy (two cores, several test runs): generous, not endless, waits.
    context.set_default_timeout(60_000)
    context.set_default_navigation_timeout(120_000)

    def route(route):
        url = route.request.url
        if url.startswith((live_server.url, 'data:', 'blob:')):
            return route.continue_()
        context.external_requests.append(url)
        return route.abort()

    context.route('**/*', route)
    page = context.new_page()
    page.on('console', lambda msg: msg.type == 'error' and context.console_errors.append(f'{msg.text} {msg.location}'))
    page.on('pageerror', lambda exc: context.console_errors.append(f'uncaught: {exc}'))
    page.goto(f'{live_server.url}/login/')
    page.fill('input[name=username]', user.username)
    page.fill('input[name=password]', user.plain_password)
    page.click('button[type=submit]')
    page.wait_for_url(lambda url: '/login/' not in url)
    yield page
    context.close()
    assert context.external_requests == [], 'requests left the NetBox origin'
    assert context.console_errors == [], 'the browser console logged errors'
