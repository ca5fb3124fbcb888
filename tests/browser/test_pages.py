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


@pytest.fixture
def open_alerts(committed):
    """Two committed open alerts about a committed pool; the pool and its alerts are deleted afterwards."""
    from ipam.models import Prefix

    from netbox_archiflow.models import Alert, IPPool
    from netbox_archiflow.services import alerts as alert_service

    tag = uuid.uuid4().hex[:8]
    prefix = Prefix.objects.create(prefix='10.250.0.0/29', description=f'browser-{tag}')
    pool = IPPool.objects.create(name=f'browser-{tag}', prefix=prefix)
    alerts = [
        alert_service.raise_alert(alert_type, pool, severity='warning', message=f'{alert_type} {tag}')[0]
        for alert_type in ('pool_threshold', 'pool_exhausted')
    ]
    yield alerts
    Alert.objects.filter(pk__in=[alert.pk for alert in alerts]).delete()
    pool.delete()
    prefix.delete()


def test_acknowledge_and_resolve_from_the_alert_list(page, live_server, open_alerts, artifacts):
    from netbox_archiflow.models import Alert

    threshold, exhausted = open_alerts
    page.goto(f'{live_server.url}/plugins/archiflow/alerts/?status=open')
    page.screenshot(path=str(artifacts / 'alert-list.png'), full_page=True)
    row = page.locator('tr', has_text=threshold.message)
    row.get_by_role('button', name='Acknowledge').click()
    page.wait_for_load_state()
    assert Alert.objects.get(pk=threshold.pk).acknowledged_at is not None

    page.locator('tr', has_text=exhausted.message).get_by_role('button', name='Resolve').click()
    page.wait_for_url(lambda url: '/resolve/' in url)
    page.screenshot(path=str(artifacts / 'alert-resolve-confirm.png'))
    assert Alert.objects.get(pk=exhausted.pk).resolved_at is None  # only after confirming
    page.get_by_role('button', name='Resolve').click()
    page.wait_for_url(lambda url: '/resolve/' not in url)
    assert Alert.objects.get(pk=exhausted.pk).resolved_at is not None

    page.goto(f'{live_server.url}{exhausted.get_absolute_url()}')
    assert page.locator('#alert-status').inner_text() == 'Resolved'
    page.screenshot(path=str(artifacts / 'alert-resolved.png'), full_page=True)


def test_add_the_open_alerts_widget_to_the_dashboard(page, live_server, open_alerts, artifacts):
    page.goto(f'{live_server.url}/')
    page.get_by_role('button', name='Unlock Dashboard').click()
    page.get_by_role('link', name='Add Widget').click()
    page.locator('#id_widget_class').select_option('netbox_archiflow.OpenAlertsWidget')
    page.wait_for_selector('text=ArchiFlow alerts that are not resolved yet')
    page.locator('#widget_add_form').get_by_role('button', name='Save').click()
    page.wait_for_selector(f'text={open_alerts[0].get_alert_type_display()}: {open_alerts[0].object_repr}')
    page.screenshot(path=str(artifacts / 'dashboard-open-alerts.png'), full_page=True)


def test_core_pages_show_the_segment_and_the_allocation(page, live_server, allocated_segments, committed, artifacts):
    from ipam.models import Prefix

    from netbox_archiflow.models import IPPool
    from netbox_archiflow.services import pools as pool_service

    segment = allocated_segments[0]
    page.goto(f'{live_server.url}{segment.prefix.get_absolute_url()}')
    assert segment.cluster in page.locator('#archiflow-segment').inner_text()
    page.screenshot(path=str(artifacts / 'prefix-segment-panel.png'), full_page=True)
    page.goto(f'{live_server.url}{segment.vlan.get_absolute_url()}')
    assert segment.cluster in page.locator('#archiflow-segments').inner_text()
    page.screenshot(path=str(artifacts / 'vlan-segment-panel.png'), full_page=True)

    prefix = Prefix.objects.create(prefix='10.251.0.0/29')
    pool = IPPool.objects.create(name=f'browser-{uuid.uuid4().hex[:8]}', prefix=prefix)
    committed.extend([prefix, pool])
    allocation, _created = pool_service.allocate_ip(pool, 'browser-asset')
    committed.extend([allocation.ip_address, allocation])
    page.goto(f'{live_server.url}{allocation.ip_address.get_absolute_url()}')
    assert 'browser-asset' in page.locator('#archiflow-allocation').inner_text()
    page.screenshot(path=str(artifacts / 'ipaddress-allocation-panel.png'), full_page=True)
