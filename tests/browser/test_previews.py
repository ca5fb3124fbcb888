"""Diagrams made without the editor show their server-drawn picture in the list and on the detail page."""

import uuid

import pytest

from netbox_archiflow import diagram_samples as samples

PLACEHOLDER_WIDTH = 160  # the "no preview" picture


@pytest.fixture
def diagrams(committed, user):
    from netbox_archiflow.models import DiagramTemplate
    from netbox_archiflow.services import diagrams as service

    tag = uuid.uuid4().hex[:8]
    template = DiagramTemplate.objects.create(
        name=f'browser-{tag}', slug=f'browser-{tag}', xml=samples.TEMPLATE_XML, variables=samples.TEMPLATE_VARIABLES
    )
    made = [
        service.create_diagram(f'browser-{tag}-network', samples.network('AMS1'), user),
        service.instantiate_template(template, f'browser-{tag}-template', {'site': 'fra2'}, user),
    ]
    committed.extend([template, *made])
    return tag, made


def natural_width(page, selector):
    page.wait_for_function(
        f'Array.from(document.querySelectorAll("{selector}")).every(i => i.complete && i.naturalWidth > 0)'
    )
    return page.eval_on_selector_all(selector, 'images => images.map(i => i.naturalWidth)')


def test_list_and_detail_show_server_drawn_previews(page, live_server, diagrams, artifacts):
    tag, made = diagrams
    errors = []
    page.on('console', lambda message: errors.append(message.text) if message.type == 'error' else None)
    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/?q=browser-{tag}')
    widths = natural_width(page, 'img.archiflow-thumbnail')
    page.screenshot(path=str(artifacts / 'diagram-list-previews.png'), full_page=True)
    assert len(widths) == 2 and PLACEHOLDER_WIDTH not in widths, widths

    for diagram in made:
        page.goto(f'{live_server.url}{diagram.get_absolute_url()}')
        assert natural_width(page, '#diagram-preview')[0] > PLACEHOLDER_WIDTH
        page.screenshot(path=str(artifacts / f'diagram-detail-{diagram.name.rsplit("-", 1)[1]}.png'), full_page=True)
    assert errors == [] and page.context.external_requests == []


def test_version_diff_names_edges_and_restore_brings_the_picture_back(page, live_server, diagrams, artifacts):
    from netbox_archiflow.models import Diagram
    from netbox_archiflow.services import diagrams as service

    _tag, (diagram, _template) = diagrams
    first_picture = service.preview_svg(Diagram.objects.get(pk=diagram.pk))
    changed = samples.mxfile(
        samples.cell('core', 'ams1-core-01', 300, 40),
        samples.cell('fw', 'ams1-fw-01', 520, 40, style='rhombus;'),
        samples.edge('e9', 'core', 'fw', label='10G'),
    )
    service.save_diagram(diagram, changed, None)
    page.goto(f'{live_server.url}/plugins/archiflow/diagrams/{diagram.pk}/versions/?from=1&to=2')
    added = page.locator('.diff-added li').all_inner_texts()
    removed = page.locator('.diff-removed li').all_inner_texts()
    assert added == ['10G (ams1-core-01 → ams1-fw-01)', 'ams1-fw-01'], added
    assert 'ams1-leaf-01 → ams1-core-01' in removed and not any('#e' in name for name in removed), removed
    page.screenshot(path=str(artifacts / 'diagram-versions-diff.png'), full_page=True)

    page.locator('form[action$="/versions/1/restore/"] button').click()
    page.wait_for_url(f'**/diagrams/{diagram.pk}/versions/')
    restored = Diagram.objects.get(pk=diagram.pk)
    assert restored.version == 3 and service.preview_svg(restored) == first_picture
    page.goto(f'{live_server.url}{diagram.get_absolute_url()}')
    assert natural_width(page, '#diagram-preview')[0] > PLACEHOLDER_WIDTH
    page.screenshot(path=str(artifacts / 'diagram-detail-restored.png'), full_page=True)
    assert page.context.external_requests == []
