"""The plugin's create-style buttons, clicked in Chromium: allocate segments, allocate an IP, import .drawio files."""

import uuid

import pytest

from netbox_archiflow.tests.segment_fixtures import committed_pools

pytestmark = pytest.mark.browser


def test_allocate_segments_from_the_allocate_page(page, live_server, committed, artifacts):
    from netbox_archiflow.models import Segment

    cluster = f'browser-{uuid.uuid4().hex[:8]}'
    with committed_pools(2) as [(site_group, vrf)]:
        page.goto(f'{live_server.url}/plugins/archiflow/segments/allocate/?site_group={site_group.pk}&vrf={vrf.pk}')
        page.fill('input[name=cluster]', cluster)
        page.screenshot(path=str(artifacts / 'segment-allocate.png'), full_page=True)
        page.get_by_role('button', name='Allocate').click()
        page.wait_for_url(lambda url: '/allocate/' not in url)
        segment = Segment.objects.get(cluster=cluster)
        assert segment.status == 'allocated'
        assert segment.get_absolute_url() in page.url


@pytest.fixture
def pool(committed):
    from ipam.models import IPAddress, Prefix

    from netbox_archiflow.models import IPAllocation, IPPool

    tag = uuid.uuid4().hex[:8]
    prefix = Prefix.objects.create(prefix='10.251.0.0/29', description=f'browser-{tag}')
    pool = IPPool.objects.create(name=f'browser-{tag}', prefix=prefix)
    yield pool
    IPAllocation.objects.filter(pool=pool).delete()
    IPAddress.objects.filter(address__net_host_contained='10.251.0.0/29').delete()
    pool.delete()
    prefix.delete()


def test_allocate_an_ip_from_the_pool_page(page, live_server, pool, artifacts):
    from netbox_archiflow.models import IPAllocation

    page.goto(f'{live_server.url}{pool.get_absolute_url()}allocate/')
    page.fill('input[name=asset_id]', 'browser-asset')
    page.get_by_role('button', name='Allocate').click()
    page.wait_for_url(lambda url: '/allocate/' not in url)
    allocation = IPAllocation.objects.get(pool=pool, asset_id='browser-asset')
    assert allocation.is_active
    assert allocation.get_absolute_url() in page.url
    page.screenshot(path=str(artifacts / 'ip-allocated.png'), full_page=True)


def test_import_drawio_files_from_the_diagram_list(page, live_server, committed, tmp_path):
    from netbox_archiflow import diagram_samples as samples
    from netbox_archiflow.models import Diagram

    names = [f'browser-{uuid.uuid4().hex[:8]}' for _ in range(2)]
    files = []
    for name in names:
        path = tmp_path / f'{name}.drawio'
        path.write_text(samples.mxfile(samples.cell('a', name)))
        files.append(str(path))
    try:
        page.goto(f'{live_server.url}/plugins/archiflow/diagrams/')
        page.get_by_role('button', name='Import files').first.click()
        page.set_input_files('input[name=files]', files)
        page.get_by_role('button', name='Import', exact=True).click()
        page.wait_for_url(lambda url: '/import-files/' not in url)
        imported = Diagram.objects.filter(name__in=names)
        assert sorted(imported.values_list('name', flat=True)) == sorted(names)
        # The list draws each thumbnail on first request: the imported ones must arrive before the diagrams go.
        for diagram in imported:
            thumbnail = page.locator(f'a[href="{diagram.get_absolute_url()}"] img.archiflow-thumbnail')
            thumbnail.scroll_into_view_if_needed()
            page.wait_for_function('img => img.complete && img.naturalWidth > 0', arg=thumbnail.element_handle())
    finally:
        for diagram in Diagram.objects.filter(name__in=names):
            diagram.delete()
