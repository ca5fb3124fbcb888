"""The diagram viewer end to end: open highlighted from the Diagrams tab, the live status overlay following a
device that goes offline without a reload, a click on a linked cell opening its object, and clicks from outside
the frame ignored."""

import uuid

import pytest

from netbox_archiflow import diagram_samples as samples

pytestmark = pytest.mark.browser


@pytest.fixture
def linked(committed, user):
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site

    from netbox_archiflow.services.diagrams import create_diagram

    suffix = uuid.uuid4().hex[:8]
    site = Site.objects.create(name=f'viewer-site-{suffix}', slug=f'viewer-site-{suffix}')
    manufacturer = Manufacturer.objects.create(name=f'viewer-{suffix}', slug=f'viewer-{suffix}')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=f'viewer-{suffix}', slug=f'v-{suffix}')
    role = DeviceRole.objects.create(name=f'viewer-{suffix}', slug=f'viewer-{suffix}')
    device = Device.objects.create(name=f'core-sw-{suffix}', site=site, device_type=device_type, role=role)
    committed.extend((site, manufacturer, device_type, role, device))
    xml = samples.mxfile(
        samples.linked_cell('sw', device.name, 'dcim.device', device.pk, display=device.name),
        samples.linked_cell('st', site.name, 'dcim.site', site.pk, x=400, y=200),
    )
    diagram = create_diagram(f'Live {suffix}', xml, user)
    committed.append(diagram)
    return diagram, device, site


def viewer_frame(page):
    """The viewer's frame, once drawn. Its CSP forbids eval: wait on it with functions, not expressions."""
    page.wait_for_function('window.archiflowViewer && (window.archiflowViewer.loaded || window.archiflowViewer.error)')
    assert page.evaluate('window.archiflowViewer.error') is None, page.console_errors
    return next(frame for frame in page.frames if frame.url.endswith('/drawio/viewer.html'))


def test_open_highlighted(page, live_server, linked, artifacts):
    diagram, device, _site = linked
    page.goto(f'{live_server.url}{device.get_absolute_url()}')
    page.locator('a.nav-link', has_text='Diagrams').click()
    page.locator('.archiflow-open-highlighted').first.click()
    page.wait_for_url(lambda url: f'/diagrams/{diagram.pk}/viewer/?object=dcim.device%3A{device.pk}' in url)
    frame = viewer_frame(page)
    frame.wait_for_function('() => Object.keys(window.archiflowApplied).length === 2')
    # The highlight is drawn around the device's cell only (orange, thicker than the status outline).
    highlighted = frame.locator('svg [stroke="#ff9800"]')
    assert highlighted.count() >= 1
    page.screenshot(path=str(artifacts / 'viewer-highlighted.png'), full_page=True)


def test_status_follows_a_device_going_offline_without_reload(page, live_server, linked, settings, artifacts):
    from dcim.choices import DeviceStatusChoices

    settings.PLUGINS_CONFIG = {'netbox_archiflow': {'diagram_status_interval': 1}}
    diagram, device, _site = linked
    page.goto(f'{live_server.url}{diagram.get_absolute_url()}viewer/')
    frame = viewer_frame(page)
    frame.wait_for_function("() => window.archiflowApplied.sw === '#198754'")  # active: NetBox's green
    assert frame.locator('svg [stroke="#198754"]').count() >= 1
    page.evaluate('window.archiflowMarker = 1')  # gone if the page reloads
    device.status = DeviceStatusChoices.STATUS_OFFLINE
    device.save()
    frame.wait_for_function("() => window.archiflowApplied.sw === '#6c757d'")  # offline: gray
    assert page.evaluate('window.archiflowMarker') == 1
    assert frame.locator('svg [stroke="#6c757d"]').count() >= 1
    page.screenshot(path=str(artifacts / 'viewer-status-offline.png'), full_page=True)


def test_clicks_from_elsewhere_and_unknown_cells_go_nowhere(page, live_server, linked):
    diagram, _device, _site = linked
    url = f'{live_server.url}{diagram.get_absolute_url()}viewer/'
    page.goto(url)
    viewer_frame(page)
    # A message from the page itself (not the frame) naming a linked cell is ignored.
    page.evaluate("window.postMessage(JSON.stringify({event: 'cell', page: 'p1', cell: 'sw'}), '*')")
    page.wait_for_function('window.archiflowViewer.ignoredMessages > 0')
    assert page.url == url


def cell_box(frame, label):
    """The on-screen box of the cell labelled ``label``: the status outline the viewer draws around it."""
    text = frame.get_by_text(label, exact=True).first.bounding_box()
    x, y = text['x'] + text['width'] / 2, text['y'] + text['height'] / 2
    outlines = frame.locator('svg [stroke="#198754"]')
    for index in range(outlines.count()):
        box = outlines.nth(index).bounding_box()
        if box and box['x'] < x < box['x'] + box['width'] and box['y'] < y < box['y'] + box['height']:
            return box
    raise AssertionError(f'no outline around {label}')


def test_click_on_a_linked_cell_opens_its_object(page, live_server, linked):
    diagram, device, _site = linked
    url = f'{live_server.url}{diagram.get_absolute_url()}viewer/'
    device_url = f'{live_server.url}{device.get_absolute_url()}'
    # Where a person clicks: on the shape, away from its label, and on the label's text. The mouse is pressed at
    # those screen positions (HTML labels take no pointer events, so Playwright's own click refuses them).
    for where in ('shape', 'label'):
        page.goto(url)
        frame = viewer_frame(page)
        frame.wait_for_function("() => window.archiflowApplied.sw === '#198754'")
        box = cell_box(frame, device.name)
        x = box['x'] + box['width'] / 2
        y = box['y'] + (8 if where == 'shape' else box['height'] / 2)
        page.mouse.click(x, y)
        page.wait_for_url(device_url)
        assert page.locator('h1', has_text=device.name).count() == 1, where
