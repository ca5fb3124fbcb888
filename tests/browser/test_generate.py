"""Generate a diagram from a Site page, see its preview, open it in the editor, edit and save."""

import re
import uuid

import pytest

from .test_editor import STATE, add_shape, open_editor, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def site(committed):
    from dcim.models import Cable, Device, DeviceRole, DeviceType, Interface, Manufacturer, Site

    slug = f'gen-{uuid.uuid4().hex[:8]}'
    site = Site.objects.create(name=slug.upper(), slug=slug)
    manufacturer = Manufacturer.objects.create(name=slug, slug=slug)
    device_type = DeviceType.objects.create(manufacturer=manufacturer, model=slug, slug=slug)
    roles = [DeviceRole.objects.create(name=f'{slug} {r}', slug=f'{slug}-{r}', color='2f6a31') for r in ('core', 'srv')]
    committed.extend([site, manufacturer, device_type, *roles])
    core = Device.objects.create(name=f'{slug}-core', site=site, device_type=device_type, role=roles[0])
    servers = [
        Device.objects.create(name=f'{slug}-srv-{n}', site=site, device_type=device_type, role=roles[1]) for n in (1, 2)
    ]
    committed.extend([core, *servers])
    for n, server in enumerate(servers, start=1):
        a = Interface.objects.create(device=core, name=f'Ethernet{n}', type='10gbase-x-sfpp')
        b = Interface.objects.create(device=server, name='eno1', type='10gbase-x-sfpp')
        cable = Cable(a_terminations=[a], b_terminations=[b], status='connected')
        cable.save()
        committed.append(cable)
    return site


def test_generate_from_site_page_then_edit_and_save(page, live_server, site, committed, artifacts):
    from netbox_archiflow.models import Diagram

    errors = []
    page.on('console', lambda message: errors.append(message.text) if message.type == 'error' else None)
    page.on('pageerror', lambda error: errors.append(str(error)))

    page.goto(f'{live_server.url}{site.get_absolute_url()}')
    page.click('#generate-diagram')
    page.wait_for_selector('#generate-form')
    assert page.input_value('input[name=name]') == site.name
    page.click('#generate-submit')
    page.wait_for_url(lambda url: '/plugins/archiflow/diagrams/' in url and url.rstrip('/').split('/')[-1].isdigit())
    diagram = Diagram.objects.get(name=site.name)
    committed.insert(0, diagram)
    assert diagram.version == 1 and diagram.metadata['generator']['scope_id'] == site.pk
    page.wait_for_function(
        "document.querySelector('#diagram-preview').complete && "
        "document.querySelector('#diagram-preview').naturalWidth > 200"
    )
    assert page.locator('#refresh-diagram').is_visible()
    page.screenshot(path=str(artifacts / 'generated-diagram.png'), full_page=True)

    editor = open_editor(page, live_server, diagram)
    editor.locator('.geDiagramContainer').wait_for()
    page.screenshot(path=str(artifacts / 'generated-diagram-editor.png'))
    add_shape(editor, 4)
    wait_for(page, 'dirty')
    editor.locator('button.geEmbedBtn', has_text=re.compile('^Save$')).click()
    wait_for(page, 'saves.length >= 1 && window.archiflowEditor.saves.slice(-1)[0].status === 200')
    state = page.evaluate(STATE)
    assert state['saves'][-1]['body']['version'] == 2
    diagram.refresh_from_db()
    assert diagram.version == 2
    assert f'nb:dcim.device:{site.devices.first().pk}' in diagram.xml  # the generated cells survived the edit
    assert errors == [], errors
    assert page.context.external_requests == []
