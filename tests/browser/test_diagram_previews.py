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
