"""pynetbox 7.9 against the live test server: the documented example (docs/examples/pynetbox_archiflow.py) runs
every plugin endpoint and custom action, and records print without fetching each object again."""

import importlib.util
import uuid
from pathlib import Path

import pytest

pynetbox = pytest.importorskip('pynetbox')

EXAMPLE = Path(__file__).resolve().parents[2] / 'docs' / 'examples' / 'pynetbox_archiflow.py'


def load_example():
    spec = importlib.util.spec_from_file_location('pynetbox_archiflow', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def segment_pool(api_user, django_db_blocker):
    """A site group and VRF with a container prefix scoped to it, and the tenant and role the settings name."""
    from dcim.models import SiteGroup
    from django.contrib.contenttypes.models import ContentType
    from ipam.models import VRF, Prefix

    from netbox_archiflow.tests.segment_fixtures import ensure_settings_objects

    name = f'pynetbox-{uuid.uuid4().hex[:6]}'
    with django_db_blocker.unblock():
        ensure_settings_objects()
        site_group = SiteGroup.objects.create(name=name, slug=name)
        vrf = VRF.objects.create(name=name, enforce_unique=True)
        Prefix.objects.create(
            prefix='10.200.0.0/16',
            vrf=vrf,
            status='container',
            scope_type=ContentType.objects.get_for_model(SiteGroup),
            scope_id=site_group.pk,
        )
    return site_group, vrf


def test_documented_example_runs_every_endpoint(api_user, segment_pool):
    from netbox_archiflow.models import Diagram, DiagramTemplate, IPPool, Segment

    site_group, vrf = segment_pool
    lines = []
    result = load_example().run(api_user.url, api_user.token, site_group.slug, vrf.name, log=lambda *a: lines.append(a))
    assert result['segment'].description == 'edited by pynetbox'
    assert [s.cluster for s in result['allocated']] == ['k8s-pynetbox']
    assert result['usage']['allocated'] == 1 and result['pool'].usage['allocated'] == 0
    [alert] = result['alerts']
    assert alert.alert_type.value == 'pool_threshold' and alert.details['threshold'] == 5
    assert result['allocation'].is_active is False and result['allocation'].notes == 'racked'
    assert result['diagram'].metadata == {'owner': 'netops', 'reviewed': True}
    assert [v.version_number for v in result['versions']] == [2, 1]
    assert result['restored'].version == 3 and result['restored'].restored is True
    assert result['export'].startswith('<mxfile') and 'router-1' in result['export']
    assert result['template'].variables[0]['name'] == 'hostname'
    assert result['template'].description == 'edited by pynetbox'
    assert result['instance'].version == 1
    # Printing goes through the plugin's display text, e.g. "10.200.0.0/24 (VLAN 2)".
    assert all(str(line[1]) for line in lines)
    # The example cleans up after itself.
    assert not Segment.objects.filter(pk=result['segment'].id).exists()
    assert not IPPool.objects.filter(pk=result['pool'].id).exists()
    assert not Diagram.objects.filter(pk__in=(result['diagram'].id, result['instance'].id)).exists()
    assert not DiagramTemplate.objects.filter(pk=result['template'].id).exists()


@pytest.fixture(scope='module')
def printable(api_user, segment_pool, django_db_blocker):
    """One object of each listed kind, committed (the tests themselves run in a transaction the server cannot see)."""
    from ipam.models import Prefix

    from netbox_archiflow.models import IPPool
    from netbox_archiflow.services import diagrams as diagram_service
    from netbox_archiflow.services import pools as pool_service
    from netbox_archiflow.services import segments as segment_service

    site_group, vrf = segment_pool
    with django_db_blocker.unblock():
        segment_service.create_segment(site_group=site_group, vrf=vrf, prefix_length=26)
        prefix = Prefix.objects.create(prefix='10.210.0.0/29', vrf=vrf)
        pool = IPPool.objects.create(name='print pool', prefix=prefix, alert_threshold=10)
        for asset in ('a', 'b'):
            pool_service.allocate_ip(pool, asset, user=api_user.user)
        diagram = diagram_service.create_diagram('print diagram', load_example().DIAGRAM_XML, api_user.user)
    return vrf, pool, diagram


def test_every_representation_has_display(api_user, printable):
    """Plain pynetbox: the full and the brief representation of every plugin object carry ``display``."""
    nb = pynetbox.api(api_user.url, token=api_user.token)
    for endpoint in ('segments', 'ip_pools', 'ip_allocations', 'alerts', 'diagrams', 'diagram_versions'):
        endpoint = getattr(nb.plugins.archiflow, endpoint)
        for brief in (False, True):
            records = list(endpoint.filter(brief=brief, limit=5))
            assert records and all(record.__dict__.get('display') for record in records), (endpoint.name, brief)


def test_records_print_without_fetching_each_object(api_user, printable):
    """With the documented extension, ``str(record)`` is the display text, without a GET per record."""
    vrf, pool, diagram = printable
    nb = pynetbox.api(api_user.url, token=api_user.token, extensions=[load_example().ArchiFlow])
    requests = []
    nb.http_session.hooks['response'].append(lambda response, *args, **kwargs: requests.append(response.url))
    archiflow = nb.plugins.archiflow
    listings = {
        'segments': archiflow.segments.filter(vrf_id=vrf.pk),
        'ip_pools': archiflow.ip_pools.filter(id=pool.pk),
        'ip_allocations': archiflow.ip_allocations.filter(pool_id=pool.pk),
        'alerts': archiflow.alerts.filter(object_id=pool.pk),
        'diagrams': archiflow.diagrams.filter(id=diagram.pk),
        'diagram_versions': archiflow.diagram_versions.filter(diagram_id=diagram.pk),
    }
    for name, records in listings.items():
        records = list(records)
        assert records, name
        requests.clear()
        texts = [str(record) for record in records]
        texts += [
            str(getattr(record, field)) for record in records for field in ('pool', 'diagram') if field in dict(record)
        ]
        assert requests == [], f'{name}: str() fetched {requests}'
        assert all(texts), (name, texts)
