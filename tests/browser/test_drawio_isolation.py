"""A hostile diagram cannot act as the user who opens it, and no page of the plugin reaches another host.

Draw.io runs sandboxed (opaque origin) under a CSP that allows its own folder only. The tests open diagrams
carrying script payloads in the editor and the viewer, then also run script inside the editor frame as if a
payload had worked, and check what reached the server: nothing outside the Draw.io folder and the page's own
saves. The page fixture also fails on any request leaving the origin and on console errors.
"""

import uuid
from xml.sax.saxutils import quoteattr

import pytest

from netbox_archiflow import diagram_samples as samples

pytestmark = pytest.mark.browser

DRAWIO = '/plugins/archiflow/drawio/'


def beacon(name):
    """Script that reports to NetBox with the user's cookies, were it ever to run."""
    return f"fetch('/api/status/?xss={name}',{{credentials:'include'}});parent.postMessage('xss-{name}','*')"


def user_object(cell_id, label, y, **attributes):
    extra = ''.join(f' {key}={quoteattr(value)}' for key, value in attributes.items())
    return (
        f'<UserObject id="{cell_id}" label={quoteattr(label)}{extra}>'
        f'<mxCell style="rounded=1;whiteSpace=wrap;html=1;" vertex="1" parent="1">'
        f'<mxGeometry x="40" y="{y}" width="200" height="60" as="geometry"/></mxCell></UserObject>'
    )


HOSTILE = samples.mxfile(
    samples.cell('img', f'<img src="x" onerror="{beacon("img")}">img-onerror', y=20),
    samples.cell('script', f'<script>{beacon("script")}</script>inline-script', y=100),
    samples.cell('svg', f'<svg onload="{beacon("svg")}"></svg>svg-onload', y=180),
    samples.cell(
        'fo',
        f'<svg><foreignObject><iframe srcdoc="<script>{beacon("fo")}</script>"></iframe></foreignObject></svg>fo',
        y=260,
    ),
    samples.cell('a', f'<a href="javascript:{beacon("href")}">js-href</a>', y=340),
    # Draw.io's 2022 advisory: script through a link attribute and through placeholders in a tooltip.
    user_object('link', 'js-link', 420, link=f'javascript:{beacon("link")}'),
    user_object(
        'tip', '%name%', 500, placeholders='1', name=f'<img src=x onerror="{beacon("tip")}">', tooltip='%name%'
    ),
    samples.cell(
        'style',
        'style-attr',
        y=580,
        style=f'shape=image;image=javascript:{beacon("style")};html=1;" onmouseover="{beacon("attr")}',
    ),
)


@pytest.fixture
def hostile(committed, user):
    from netbox_archiflow.services.diagrams import create_diagram

    diagram = create_diagram(f'hostile-{uuid.uuid4().hex[:8]}', HOSTILE, user)
    committed.append(diagram)
    return diagram


def nothing_reached_netbox(page, live_server):
    """Every request of the Draw.io frames stayed in the Draw.io folder; no payload phoned home."""
    requests = page.context.server_requests
    # A payload used as a relative image path is a request for a missing file of the Draw.io folder: harmless.
    beacons = [url for _frame, url in requests if 'xss' in url or 'compromised' in url]
    assert all(url.startswith(f'{live_server.url}{DRAWIO}') for url in beacons), beacons
    frame_requests = [url for frame, url in requests if DRAWIO in frame]
    assert frame_requests, 'the Draw.io frame made no request at all'
    assert all(url.startswith(f'{live_server.url}{DRAWIO}') for url in frame_requests), frame_requests


def test_hostile_diagram_in_the_editor_and_the_viewer_runs_nothing(page, live_server, hostile, artifacts):
    # Draw.io puts some of the labels' markup into its DOM; the frame's CSP refuses to run their handlers.
    page.allow_console_error('Executing inline event handler violates the following Content Security Policy')
    # The viewer follows a javascript: link by navigating the top window: the sandbox refuses.
    page.allow_console_error('Unsafe attempt to initiate navigation .* sandboxed')
    page.allow_console_error('Failed to load resource: the server responded with a status of 404')
    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/{hostile.pk}/editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    editor = page.frame_locator('#drawio-frame')
    editor.get_by_text('img-onerror').first.click()
    page.wait_for_timeout(1000)
    page.locator('#drawio-frame').scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / 'editor-hostile.png'))
    assert not [e for e in page.evaluate('window.archiflowEditor.events') if 'xss' in e]

    version = hostile.versions.get()
    page.goto(f'{live_server.url}/plugins/archiflow/diagram-versions/{version.pk}/')
    page.wait_for_function('window.archiflowViewer && window.archiflowViewer.loaded', timeout=60_000)
    viewer = page.frame_locator('#version-viewer')
    for label in ('js-href', 'js-link'):
        viewer.get_by_text(label).first.click()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts / 'viewer-hostile.png'), full_page=True)
    assert page.evaluate('window.archiflowViewer.error') is None
    nothing_reached_netbox(page, live_server)
    assert any('inline event handler' in text for text in page.console_errors), 'no payload reached the DOM'


COMPROMISED = """async () => {
    const out = {cookie: document.cookie, origin: self.origin};
    try { out.parentTitle = parent.document.title; } catch (e) { out.parentError = e.name; }
    try { await fetch('/api/status/?compromised=fetch', {credentials: 'include'}); out.fetch = 'sent'; }
    catch (e) { out.fetch = 'blocked'; }
    const xhr = new XMLHttpRequest();
    try { xhr.open('GET', '/api/status/?compromised=xhr', false); xhr.send(); out.xhr = xhr.status; }
    catch (e) { out.xhr = 'blocked'; }
    new Image().src = '/api/status/?compromised=img';
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/api/dcim/sites/?compromised=form';
    document.body.appendChild(form);
    try { form.submit(); } catch (e) {}
    out.popup = window.open('/api/status/?compromised=popup') === null ? 'blocked' : 'opened';
    try { top.location.href = '/api/status/?compromised=top'; } catch (e) { out.top = e.name; }
    await new Promise(resolve => setTimeout(resolve, 1500));
    return out;
}"""


def test_script_running_inside_the_editor_cannot_use_the_session(page, live_server, hostile):
    """As if a payload had run: the frame has no cookies, no parent DOM and cannot send a request to NetBox."""
    for pattern in ('Content Security Policy', 'sandbox', 'navigate', 'form submission', 'Blocked'):
        page.allow_console_error(pattern)
    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/{hostile.pk}/editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    frame = next(frame for frame in page.frames if DRAWIO in frame.url)
    result = frame.evaluate(COMPROMISED)
    assert result['origin'] == 'null'
    assert 'csrftoken' not in result['cookie'] and 'sessionid' not in result['cookie']
    assert result['parentError'] == 'SecurityError'
    assert (result['fetch'], result['xhr'], result['popup']) == ('blocked', 'blocked', 'blocked')
    assert '/editor/' in page.url  # the top page was not navigated
    # Links the editor asks the page to open: web links only, never javascript:.
    frame.evaluate(
        """() => {
        parent.postMessage(JSON.stringify({event: 'openLink', href: "javascript:fetch('/?compromised=link')"}), '*');
        parent.postMessage(JSON.stringify({event: 'openLink', href: '/plugins/archiflow/diagrams/'}), '*');
    }"""
    )
    page.wait_for_function('window.archiflowEditor.openedLinks.length > 0')
    page.wait_for_timeout(500)
    assert page.evaluate('window.archiflowEditor.openedLinks') == [f'{live_server.url}/plugins/archiflow/diagrams/']
    nothing_reached_netbox(page, live_server)


@pytest.fixture
def plain(committed, user):
    from netbox_archiflow.services.diagrams import create_diagram, save_diagram

    diagram = create_diagram(f'plain-{uuid.uuid4().hex[:8]}', samples.mxfile(samples.cell('a', 'core-sw-01')), user)
    committed.append(diagram)
    two = samples.mxfile(
        samples.cell('a', 'core-sw-01'), samples.cell('b', 'edge-01', y=140), samples.edge('e', 'a', 'b')
    )
    save_diagram(diagram, two, user)
    return diagram


def test_no_page_reaches_another_host_or_logs_an_error(page, live_server, plain):
    """List, detail, versions, version (viewer) and editor pages: the fixture fails on either."""
    diagram = f'{live_server.url}/plugins/archiflow/diagrams/{plain.pk}'
    for url in (f'{live_server.url}/plugins/archiflow/diagrams/', f'{diagram}/', f'{diagram}/versions/'):
        page.goto(url)
        page.wait_for_load_state('networkidle')
    page.goto(f'{live_server.url}/plugins/archiflow/diagram-versions/{plain.versions.first().pk}/')
    page.wait_for_function('window.archiflowViewer && window.archiflowViewer.loaded', timeout=60_000)
    page.goto(f'{diagram}/editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    page.wait_for_load_state('networkidle')
    assert page.context.external_requests == []
