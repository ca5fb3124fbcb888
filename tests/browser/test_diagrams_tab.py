"""The Diagrams tab on a linked device, end to end: card with preview, open highlighted, nothing off-origin."""

import uuid

import pytest

from netbox_archiflow import diagram_samples as samples

pytestmark = pytest.mark.browser

PREVIEW = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160">'
    '<rect x="20" y="40" width="120" height="60" rx="8" fill="#dae8fc" stroke="#6c8ebf"/>'
    '<text x="80" y="75" font-family="sans-serif" font-size="13" text-anchor="middle">{name}</text>'
    '<rect x="180" y="40" width="120" height="60" rx="8" fill="#d5e8d4" stroke="#82b366"/>'
    '<text x="240" y="75" font-family="sans-serif" font-size="13" text-anchor="middle">leaf-01</text>'
    '<line x1="140" y1="70" x2="180" y2="70" stroke="#333"/></svg>'
)


@pytest.fixture
def linked_device(committed, user):
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site

    from netbox_archiflow.services.diagrams import create_diagram, store_preview

    suffix = uuid.uuid4().hex[:8]
    site = Site.objects.create(name=f'browser-site-{suffix}', slug=f'browser-site-{suffix}')
    manufacturer = Manufacturer.objects.create(name=f'browser-{suffix}', slug=f'browser-{suffix}')
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=f'browser-{suffix}', slug=f'b-{suffix}')
    role = DeviceRole.objects.create(name=f'browser-{suffix}', slug=f'browser-{suffix}')
    device = Device.objects.create(name=f'core-sw-{suffix}', site=site, device_type=device_type, role=role)
    committed.extend((site, manufacturer, device_type, role, device))
    for n, name in enumerate(('Fabric', 'Rack A')):
        cells = [samples.linked_cell('sw', device.name, 'dcim.device', device.pk, display=device.name)]
        if n == 0:
            cells.append(samples.linked_cell('up', 'uplink', 'dcim.device', device.pk, x=240))
        diagram = create_diagram(f'{name} {suffix}', samples.mxfile(*cells), user)
        store_preview(diagram, PREVIEW.format(name=device.name), user)
        committed.append(diagram)
    return device


def test_diagrams_tab_cards_and_open_highlighted(page, live_server, linked_device, artifacts):
    errors = []
    page.on('console', lambda message: message.type == 'error' and errors.append(message.text))
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.goto(f'{live_server.url}{linked_device.get_absolute_url()}')
    tab = page.locator('a.nav-link', has_text='Diagrams')
    assert tab.locator('.badge').inner_text().strip() == '2'
    tab.click()
    cards = page.locator('.archiflow-diagram-card')
    cards.first.wait_for()
    assert cards.count() == 2
    fabric = cards.filter(has_text='Fabric')
    assert 'uplink' in fabric.inner_text()
    page.wait_for_function(
        "[...document.querySelectorAll('.archiflow-card-preview')].every(img => img.complete && img.naturalWidth > 0)"
    )
    page.screenshot(path=str(artifacts / 'diagrams-tab.png'), full_page=True)
    fabric.locator('.archiflow-open-highlighted').click()
    page.wait_for_url(f'**/viewer/?object=dcim.device%3A{linked_device.pk}')
    page.wait_for_function('window.archiflowViewer && window.archiflowViewer.loaded')
    assert errors == []
    assert page.context.external_requests == [], 'the tab must not reach outside the NetBox origin'
