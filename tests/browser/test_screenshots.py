"""Screenshots of the real pages for the docs: segments, a pool with its utilization bar, alerts, the diagram list
with thumbnails, versions with their diff, and the editor.

They are written to test-artifacts/; ``ARCHIFLOW_UPDATE_SCREENSHOTS=1 develop/test tests/browser/test_screenshots.py``
writes them to docs/img/ (used by README.md and the docs) as well. Refresh them when the pages change.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest

from netbox_archiflow import diagram_samples as samples
from tests.created_rows import deleting_created_rows

DOCS_IMG = Path(__file__).resolve().parents[2] / 'docs' / 'img'


@pytest.fixture
def showcase(committed, user):
    """Segments, two pools (one over its alert threshold, which raises an alert) and diagrams, one with two versions."""
    from ipam.models import VRF, Prefix

    from netbox_archiflow.models import IPPool
    from netbox_archiflow.services import diagrams as diagram_service
    from netbox_archiflow.services import pools as pool_service
    from netbox_archiflow.services import segments as segment_service
    from netbox_archiflow.tests.segment_fixtures import make_pool, make_segments

    tag = uuid.uuid4().hex[:6]
    with deleting_created_rows():
        site_group, segment_vrf = make_pool(f'eu-west-{tag}', container='10.120.0.0/16')
        make_segments(site_group, segment_vrf, 5)
        segment_service.allocate_segments(site_group, segment_vrf, 'k8s-prod', 2, user=user)
        vrf = VRF.objects.create(name=f'Production-{tag}')
        servers = IPPool.objects.create(
            name=f'servers-{tag}',
            prefix=Prefix.objects.create(prefix='10.130.0.0/26', vrf=vrf),
            gateway='10.130.0.1',
            dns_servers=['10.0.0.53'],
        )
        for n in range(38):
            pool_service.allocate_ip(servers, f'srv-{n:03}', device_name=f'srv-{n:03}', user=user)
        lab = IPPool.objects.create(
            name=f'lab-{tag}', prefix=Prefix.objects.create(prefix='10.130.1.0/29', vrf=vrf), alert_threshold=60
        )
        for n in range(6):
            pool_service.allocate_ip(lab, f'lab-{n}', user=user)
        diagram = diagram_service.create_diagram(f'AMS1 network {tag}', samples.network('AMS1'), user)
        diagram_service.save_diagram(
            diagram, samples.network('AMS1').replace('ams1-srv-02', 'ams1-db-01'), user, summary='srv-02 is a DB now'
        )
        diagram_service.create_diagram(f'FRA2 network {tag}', samples.network('FRA2'), user)
        diagram.refresh_from_db()
        yield tag, segment_vrf, servers, diagram


def shoot(page, artifacts, name):
    path = artifacts / f'{name}.png'
    page.screenshot(path=str(path))
    if os.environ.get('ARCHIFLOW_UPDATE_SCREENSHOTS') == '1':
        DOCS_IMG.mkdir(exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / path.name)


def test_screenshots_of_the_real_pages(page, live_server, showcase, artifacts):
    tag, segment_vrf, pool, diagram = showcase
    errors = []
    page.on('console', lambda message: errors.append(message.text) if message.type == 'error' else None)
    base = f'{live_server.url}/plugins/archiflow'

    page.goto(f'{base}/segments/?vrf_id={segment_vrf.pk}')
    assert page.locator('table tbody tr').count() == 5
    shoot(page, artifacts, 'segments')

    page.goto(f'{base}/ip-pools/{pool.pk}/')
    assert page.locator('.progress-bar').count() >= 1
    shoot(page, artifacts, 'pool')

    page.goto(f'{base}/alerts/?q={tag}')
    assert page.locator('table tbody tr').count() == 1
    shoot(page, artifacts, 'alerts')

    page.goto(f'{base}/diagrams/?q={tag}')
    page.wait_for_function(
        'Array.from(document.querySelectorAll("img.archiflow-thumbnail")).every(i => i.complete && i.naturalWidth > 0)'
    )
    assert page.locator('img.archiflow-thumbnail').count() == 2
    shoot(page, artifacts, 'diagrams')

    page.goto(f'{base}/diagrams/{diagram.pk}/versions/?from=1&to=2')
    assert page.locator('#diff-summary').is_visible()
    shoot(page, artifacts, 'versions')

    page.goto(f'{base}/diagrams/{diagram.pk}/editor/')
    page.wait_for_function('window.archiflowEditor && window.archiflowEditor.loaded', timeout=60_000)
    page.frame_locator('#drawio-frame').locator('.geDiagramContainer').wait_for()
    shoot(page, artifacts, 'editor')

    assert errors == [] and page.context.external_requests == []
