"""The editor's NetBox link tools end to end: link a cell through the picker, remove a link, insert a device from
the NetBox library, save, find the diagram on the device's Diagrams tab, open it highlighted, click through."""

import uuid

import pytest

from netbox_archiflow import diagram_samples as samples

from .test_screenshots import shoot

pytestmark = pytest.mark.browser

TOOLS = 'JSON.parse(JSON.stringify(window.archiflowLinkTools))'
# In the Draw.io frame: every configure answer it receives from the page, as Draw.io reads it.
RECORD_CONFIGURE = """
if (location.pathname.indexOf('/drawio/') >= 0) {
  window.archiflowConfigureAnswers = [];
  window.addEventListener('message', function (event) {
    try {
      var message = JSON.parse(event.data);
      if (message && message.action === 'configure') window.archiflowConfigureAnswers.push(message);
    } catch (error) {}
  });
}
"""


@pytest.fixture
def site_diagram(committed, user):
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site

    from netbox_archiflow.models import Diagram
    from netbox_archiflow.services.diagrams import create_diagram

    suffix = uuid.uuid4().hex[:8]
    site = Site.objects.create(name=f'links-site-{suffix}', slug=f'links-site-{suffix}')
    manufacturer = Manufacturer.objects.create(name=f'links-{suffix}', slug=f'links-{suffix}')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=f'links-{suffix}', slug=f'l-{suffix}')
    role = DeviceRole.objects.create(name=f'Core switch {suffix}', slug=f'core-switch-{suffix}', color='2196f3')
    device = Device.objects.create(name=f'core-sw-{suffix}', site=site, device_type=device_type, role=role)
    committed.extend((site, manufacturer, device_type, role, device))
    xml = samples.mxfile(
        samples.cell('a', 'uplink box'),
        samples.linked_cell('b', 'old link', 'dcim.site', site.pk, display=site.name, x=300, y=40),
    )
    diagram = create_diagram(f'Links {suffix}', xml, user)
    Diagram.objects.filter(pk=diagram.pk).update(site=site)
    committed.append(diagram)
    return diagram, device, site


def click_text(page, editor_frame, text, button='left'):
    """Click a label where a person would (HTML labels take no pointer events of their own)."""
    box = editor_frame.get_by_text(text, exact=True).first.bounding_box()
    page.mouse.click(box['x'] + box['width'] / 2, box['y'] + box['height'] / 2, button=button)


def test_link_remove_library_save_and_find_it_on_the_device(page, live_server, site_diagram, artifacts):
    from netbox_archiflow.models import DiagramLink

    diagram, device, site = site_diagram
    page.add_init_script(RECORD_CONFIGURE)
    page.goto(f'{live_server.url}{diagram.get_absolute_url()}editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    frame = next(frame for frame in page.frames if '/drawio/' in frame.url)
    # The library of the diagram's site comes with the page's configure answer (not asked for by postMessage),
    # each shape linked, the device's stencil by role.
    answers = frame.evaluate('() => window.archiflowConfigureAnswers')
    assert len(answers) == 1
    library = answers[0]['config']['archiflowLibrary']
    assert library['title'] == f'NetBox: {site.name}'
    assert {'object_type': 'dcim.device', 'object_id': device.pk} in [
        {'object_type': item['object_type'], 'object_id': item['object_id']} for item in library['items']
    ]
    library_item = frame.locator(f'.archiflow-library a.geItem[data-netbox="dcim.device:{device.pk}"]')
    library_item.wait_for()
    assert page.evaluate(TOOLS)['libraries'] == []
    # "Another site…" refills the palette through the page (here with the same site, picked by name).
    picker = page.locator('#archiflow-link-picker')
    frame.locator('.archiflow-choose-site').click()
    picker.wait_for(state='visible')
    page.fill('#archiflow-link-picker .archiflow-link-picker-query', site.name)
    picker.locator('.archiflow-link-picker-result', has_text=site.name).click()
    page.wait_for_function('window.archiflowLinkTools.libraries.length === 1')
    assert page.evaluate(TOOLS)['libraries'][0]['title'] == f'NetBox: {site.name}'
    library_item.wait_for()
    frame.wait_for_function('() => window.archiflowLinked.b !== undefined')  # the pre-linked cell has a badge
    assert frame.evaluate('() => Object.keys(window.archiflowLinked)') == ['b']

    # Link cell "a" through the context menu and the picker (a modal dialog, hidden until asked for).
    picker.wait_for(state='hidden')
    click_text(page, frame, 'uplink box')
    click_text(page, frame, 'uplink box', button='right')
    frame.locator('tr.mxPopupMenuItem', has_text='Link to NetBox object').click()
    picker.wait_for(state='visible')
    page.fill('#archiflow-link-picker .archiflow-link-picker-query', device.name)
    result = picker.locator('.archiflow-link-picker-result', has_text=device.name)
    result.wait_for()
    shoot(page, artifacts, 'editor-link-picker')
    result.click()
    frame.wait_for_function('() => window.archiflowLinked.a !== undefined')
    assert frame.evaluate('() => window.archiflowLinked.a') == device.name

    # Remove the link of cell "b"; the toolbar button opens the picker for the selected cell too.
    click_text(page, frame, 'old link')
    click_text(page, frame, 'old link', button='right')
    frame.locator('tr.mxPopupMenuItem', has_text='Remove NetBox link').click()
    frame.wait_for_function('() => window.archiflowLinked.b === undefined')
    frame.locator('.archiflow-link-button').click()
    picker.wait_for(state='visible')
    assert 'old link' in picker.locator('.archiflow-link-picker-cell').inner_text()
    picker.locator('button', has_text='Cancel').click()
    picker.wait_for(state='hidden')

    # Drag the device from the NetBox library onto the page: it arrives linked.
    item = library_item.bounding_box()
    canvas = frame.locator('.geDiagramContainer').bounding_box()
    page.mouse.move(item['x'] + item['width'] / 2, item['y'] + item['height'] / 2)
    page.mouse.down()
    page.mouse.move(canvas['x'] + canvas['width'] / 2, canvas['y'] + canvas['height'] - 120, steps=12)
    page.mouse.up()
    frame.wait_for_function('() => Object.keys(window.archiflowLinked).length === 2')
    page.screenshot(path=str(artifacts / 'editor-linked.png'))

    frame.locator('button.geEmbedBtn', has_text='Save').first.click()
    page.wait_for_function('window.archiflowEditor.previewStored >= 1')
    rows = DiagramLink.objects.filter(diagram=diagram).select_related('object_type')
    links = {(link.cell_id, link.object_type.model, link.object_id) for link in rows}
    assert ('a', 'device', device.pk) in links
    assert not any(cell == 'b' for cell, _model, _pk in links)
    assert sum(1 for _cell, model, pk in links if (model, pk) == ('device', device.pk)) == 2

    # The device's Diagrams tab has the card; open it highlighted, then click the cell back to the device.
    page.goto(f'{live_server.url}{device.get_absolute_url()}')
    page.locator('a.nav-link', has_text='Diagrams').click()
    page.locator('.archiflow-open-highlighted').first.click()
    page.wait_for_url(lambda url: f'/diagrams/{diagram.pk}/viewer/?object=dcim.device%3A{device.pk}' in url)
    page.wait_for_function('window.archiflowViewer && window.archiflowViewer.loaded')
    viewer = next(frame for frame in page.frames if frame.url.endswith('/drawio/viewer.html'))
    viewer.wait_for_function('() => Object.keys(window.archiflowApplied).length >= 2')
    assert viewer.locator('svg [stroke="#ff9800"]').count() >= 2  # both cells of the device
    click_text(page, viewer, 'uplink box')
    page.wait_for_url(f'{live_server.url}{device.get_absolute_url()}')


def test_external_editor_says_the_link_tools_are_unavailable(page, live_server, site_diagram, settings):
    from unittest import mock

    from netbox_archiflow import drawio_webapp

    diagram, _device, _site = site_diagram
    with mock.patch.object(drawio_webapp, 'is_installed', return_value=False):
        # The external editor itself is never loaded here (no request may leave the origin): only the page.
        page.route('https://embed.diagrams.net/**', lambda route: route.fulfill(body='<html></html>'))
        page.goto(f'{live_server.url}{diagram.get_absolute_url()}editor/')
        note = page.locator('.archiflow-link-tools-unavailable')
        assert 'self-hosted Draw.io' in note.inner_text()
        assert page.locator('#archiflow-link-picker').count() == 0
