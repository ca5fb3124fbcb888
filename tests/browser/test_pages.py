"""The plugin's buttons outside the editor, clicked in Chromium: release, acknowledge, resolve, add widget."""

import uuid

import pytest

from netbox_archiflow.tests.segment_fixtures import committed_pools

pytestmark = pytest.mark.browser


@pytest.fixture
def allocated_segments(committed):
    from netbox_archiflow.services import segments as service

    with committed_pools(2) as [(site_group, vrf)]:
        segments, _created = service.allocate_segments(site_group, vrf, f'browser-{uuid.uuid4().hex[:8]}', 2)
        yield segments


def test_release_from_the_segment_page_and_the_list_row(page, live_server, allocated_segments, artifacts):
    from netbox_archiflow.models import Segment

    first, second = allocated_segments
    page.goto(f'{live_server.url}{first.get_absolute_url()}')
    page.get_by_role('button', name='Release').click()
    page.wait_for_load_state()
    assert 'Released segment' in page.locator('.toast, .alert').all_inner_texts()[0]
    assert Segment.objects.get(pk=first.pk).status == 'free'

    page.goto(f'{live_server.url}/plugins/archiflow/segments/?cluster={second.cluster}')
    page.screenshot(path=str(artifacts / 'segment-list-release.png'), full_page=True)
    row = page.locator('tr', has_text=str(second))
    row.get_by_role('button', name='Release').click()
    page.wait_for_url(lambda url: f'cluster={second.cluster}' in url)
    assert Segment.objects.get(pk=second.pk).status == 'free'
