"""The Draw.io editor page, end to end: load, add a shape, save, preview, conflict, origin check, exit."""

import contextlib
import json
import re
import uuid
from pathlib import Path

import pytest

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow import drawio_webapp

pytestmark = pytest.mark.browser

STATE = 'JSON.parse(JSON.stringify(window.archiflowEditor))'
SAVES_FIXTURE = Path(__file__).resolve().parents[2] / 'netbox_archiflow/tests/fixtures/drawio_saves.json'
SAVE_SOURCES = {k: v['original'] for k, v in json.loads(SAVES_FIXTURE.read_text()).items() if not k.startswith('_')}


@pytest.fixture
def diagram(committed, user):
    from netbox_archiflow.services.diagrams import create_diagram

    diagram = create_diagram(
        f'browser-{uuid.uuid4().hex[:8]}', samples.mxfile(samples.cell('a', 'edge-router-01')), user
    )
    committed.append(diagram)
    return diagram


def wait_for(page, condition, timeout=30_000):
    try:
        page.wait_for_function(f'window.archiflowEditor.{condition}', timeout=timeout)
    except Exception as exc:
        raise AssertionError(f'{condition} never became true; editor state: {page.evaluate(STATE)}') from exc


def vertex_count(xml):
    from netbox_archiflow.drawio.diff import drawn_cells
    from netbox_archiflow.services.diagrams import parse_diagram_xml

    return sum(1 for cell in drawn_cells(parse_diagram_xml(xml)).values() if not cell.is_edge)


def open_editor(page, live_server, diagram):
    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/{diagram.pk}/editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    state = page.evaluate(STATE)
    assert state['initialized'] and state['baseVersion'] == diagram.version
    return page.frame_locator('#drawio-frame')


def add_shape(editor, index):
    """Click a shape in Draw.io's 'General' sidebar palette: Draw.io inserts it into the diagram."""
    editor.locator('.geSidebar a.geItem').nth(index).click()


def test_self_hosted_drawio_is_installed():
    assert drawio_webapp.is_installed(), 'develop/test installs it (netbox archiflow_drawio install)'


def test_add_shape_save_stores_version_and_preview(page, live_server, diagram, artifacts):
    from netbox_archiflow.models import Diagram

    editor = open_editor(page, live_server, diagram)
    add_shape(editor, 4)  # the ellipse
    wait_for(page, 'dirty')
    editor.locator('button.geEmbedBtn', has_text=re.compile('^Save$')).click()
    wait_for(page, 'previewStored >= 1')
    state = page.evaluate(STATE)
    assert state['saves'][-1]['status'] == 200 and state['saves'][-1]['body']['version'] == 2
    assert not state['dirty']
    page.screenshot(path=str(artifacts / 'editor-saved.png'))

    stored = Diagram.objects.get(pk=diagram.pk)
    version = stored.versions.get(version_number=2)
    assert stored.version == 2 and version.kind == 'manual' and version.author_id == diagram.created_by_id
    assert 'ellipse' in version.xml and vertex_count(version.xml) == 2
    assert stored.preview_svg.startswith('<svg') and 'edge-router-01' in stored.preview_svg
    assert page.context.external_requests == [], 'the editor must not reach outside the NetBox origin'

    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/{diagram.pk}/versions/?from=1&to=2')
    page.screenshot(path=str(artifacts / 'versions.png'), full_page=True)
    assert page.locator('#diff-summary').is_visible()
    assert page.locator('.diff-added li').count() == 1


def test_stale_save_shows_conflict_dialog_and_keeps_the_drawing(page, live_server, diagram, artifacts):
    from netbox_archiflow.models import Diagram
    from netbox_archiflow.services.diagrams import save_diagram

    page.allow_console_error('status of 409')  # Chromium logs the refused save
    editor = open_editor(page, live_server, diagram)
    # Someone else saves version 2 meanwhile.
    other = samples.mxfile(samples.cell('a', 'edge-router-01'), samples.cell('z', 'someone-else'))
    save_diagram(Diagram.objects.get(pk=diagram.pk), other, None, summary='concurrent')

    add_shape(editor, 0)
    wait_for(page, 'dirty')
    editor.locator('button.geEmbedBtn', has_text=re.compile('^Save$')).click()
    wait_for(page, 'conflicts >= 1')
    state = page.evaluate(STATE)
    assert state['saves'][-1]['status'] == 409
    assert state['saves'][-1]['body'] == {
        'code': 'version_conflict',
        'detail': state['saves'][-1]['body']['detail'],
        'field': 'base_version',
        'current_version': 2,
    }
    assert state['dirty'] and vertex_count(state['unsavedXml']) == 2  # the user's drawing is kept
    dialog = editor.get_by_text('Saved by someone else')
    dialog.wait_for()
    page.screenshot(path=str(artifacts / 'editor-conflict.png'))

    stored = Diagram.objects.get(pk=diagram.pk)
    assert (stored.version, stored.xml, stored.versions.count()) == (2, other, 2)  # nothing overwritten


def test_messages_from_other_origins_or_windows_are_ignored(page, live_server, diagram):
    from netbox_archiflow.models import Diagram

    open_editor(page, live_server, diagram)
    evil = samples.mxfile(samples.cell('x', 'evil'))
    # Same origin but not the editor's window: the page itself.
    page.evaluate('xml => window.postMessage(JSON.stringify({event: "save", xml: xml}), "*")', evil)
    # A sandboxed frame has an opaque origin ("null").
    page.evaluate(
        """xml => { const f = document.createElement('iframe'); f.sandbox = 'allow-scripts';
        f.srcdoc = '<script>parent.postMessage(' + JSON.stringify(JSON.stringify({event: 'save', xml: xml})) +
        ', "*")<\\/script>'; document.body.appendChild(f); }""",
        evil,
    )
    wait_for(page, 'ignoredMessages >= 2')
    page.wait_for_timeout(500)
    assert page.evaluate(STATE)['saves'] == []
    assert Diagram.objects.get(pk=diagram.pk).version == 1


def shown_version(page):
    """The Version row of the diagram page's attribute panel."""
    row = page.locator('table.attr-table tr', has=page.locator('th', has_text=re.compile(r'^\s*Version\s*$')))
    return row.locator('td').inner_text().strip()


def test_exit_returns_to_the_diagram_page(page, live_server, diagram):
    editor = open_editor(page, live_server, diagram)
    editor.get_by_text('Exit', exact=True).first.click()
    page.wait_for_url(f'{live_server.url}/plugins/archiflow/diagrams/{diagram.pk}/', timeout=30_000)
    assert shown_version(page) == '1'


def test_save_and_exit_stores_preview_then_returns(page, live_server, diagram):
    from netbox_archiflow.models import Diagram

    editor = open_editor(page, live_server, diagram)
    add_shape(editor, 4)
    wait_for(page, 'dirty')
    editor.get_by_text('Save & Exit', exact=True).first.click()
    page.wait_for_url(f'{live_server.url}/plugins/archiflow/diagrams/{diagram.pk}/', timeout=30_000)
    stored = Diagram.objects.get(pk=diagram.pk)
    assert stored.version == 2 and 'ellipse' in stored.xml
    assert stored.preview_svg.startswith('<svg')  # the exit waited for the preview
    assert shown_version(page) == '2'


def test_unsaved_changes_guard_before_leaving(page, live_server, diagram):
    from netbox_archiflow.models import Diagram

    editor = open_editor(page, live_server, diagram)
    page.locator('#editor-status').click()  # the top page needs a user gesture for beforeunload prompts
    add_shape(editor, 4)
    wait_for(page, 'dirty')
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on('dialog', on_dialog)
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):  # the guard cancels the navigation
        page.goto(f'{live_server.url}/plugins/archiflow/diagrams/', timeout=5_000)
    assert dialogs == ['beforeunload']
    assert '/editor/' in page.url
    assert Diagram.objects.get(pk=diagram.pk).version == 1


def test_autosave_rolls_one_version(page, live_server, diagram, settings):
    from netbox_archiflow.models import Diagram

    settings.PLUGINS_CONFIG = {'netbox_archiflow': {'diagram_autosave': True}}
    editor = open_editor(page, live_server, diagram)
    add_shape(editor, 4)
    wait_for(page, 'saves.length >= 1')
    add_shape(editor, 0)
    wait_for(page, 'saves.length >= 2')
    page.wait_for_function('!window.archiflowEditor.saving && !window.archiflowEditor.dirty')
    state = page.evaluate(STATE)
    assert [s['body']['kind'] for s in state['saves']] == ['autosave', 'autosave']
    stored = Diagram.objects.get(pk=diagram.pk)
    assert stored.version == 2 and vertex_count(stored.xml) == 3
    assert list(stored.versions.values_list('version_number', 'kind')) == [(2, 'autosave'), (1, 'manual')]
    editor.locator('button.geEmbedBtn', has_text=re.compile('^Save$')).click()
    page.wait_for_timeout(1000)
    # identical content: the manual save is "not modified" and creates nothing
    assert Diagram.objects.get(pk=diagram.pk).version == 2


@pytest.mark.parametrize('source', sorted(SAVE_SOURCES))
def test_save_without_edit_makes_no_version(page, live_server, committed, user, artifacts, source):
    """Draw.io rewrites the document on every save (attributes, ids, numbers): twice Save, still version 1.

    What Draw.io sent is written to test-artifacts/drawio_saves/ to refresh the unit tests' fixture.
    """
    from netbox_archiflow.models import Diagram
    from netbox_archiflow.services.diagrams import create_diagram

    diagram = create_diagram(f'browser-{uuid.uuid4().hex[:8]}', SAVE_SOURCES[source], user)
    committed.append(diagram)
    sent = []
    page.on('request', lambda r: sent.append(json.loads(r.post_data)['xml']) if r.method == 'PATCH' else None)
    editor = open_editor(page, live_server, diagram)
    for count in (1, 2):
        editor.locator('button.geEmbedBtn', has_text=re.compile('^Save$')).click()
        wait_for(page, f'saves.length >= {count}')
    state = page.evaluate(STATE)
    assert [(s['status'], s['body']['version'], s['body']['modified']) for s in state['saves']] == [(200, 1, False)] * 2
    assert state['lastStatus'] == 'No changes to save'
    assert len(sent) == 2 and all(xml != SAVE_SOURCES[source] for xml in sent), 'Draw.io rewrote the document'
    assert Diagram.objects.get(pk=diagram.pk).versions.count() == 1
    (artifacts / 'drawio_saves').mkdir(exist_ok=True)
    capture = {'original': SAVE_SOURCES[source], 'saves': sent}
    (artifacts / 'drawio_saves' / f'{source}.json').write_text(json.dumps(capture, indent=1))
