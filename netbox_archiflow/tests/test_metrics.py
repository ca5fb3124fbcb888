from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from ipam.models import VRF, Prefix
from prometheus_client.parser import text_string_to_metric_families
from utilities.testing import TestCase

from netbox_archiflow.models import IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services import segments as segment_service

from .segment_fixtures import make_pool, make_segments


@override_settings(LOGIN_REQUIRED=False)
class MetricsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.vrf = VRF.objects.create(name='metrics')
        cls.pool = IPPool.objects.create(
            name='metrics /29', prefix=Prefix.objects.create(prefix='10.70.0.0/29', vrf=cls.vrf), gateway='10.70.0.1'
        )
        for asset in ('a', 'b'):
            pool_service.allocate_ip(cls.pool, asset)
        site_group, vrf = make_pool('metrics')
        make_segments(site_group, vrf, 3)
        segment_service.allocate_segments(site_group, vrf, 'k8s', 1)

    def scrape(self):
        response = self.client.get('/metrics')
        self.assertEqual(response.status_code, 200)
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                if sample.name.startswith('archiflow_'):
                    samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
        return samples

    def test_gauges(self):
        alert_service.raise_alert('pool_exhausted', self.pool, severity='critical', message='full')
        samples = self.scrape()
        pool = (('pool', 'metrics /29'), ('prefix', '10.70.0.0/29'), ('vrf', 'metrics'))
        self.assertEqual(samples['archiflow_pool_allocated_addresses', pool], 2)
        self.assertEqual(samples['archiflow_pool_available_addresses', pool], 3)
        self.assertEqual(samples['archiflow_pool_utilization_percent', pool], 50.0)
        segments = {key[1]: value for key, value in samples.items() if key[0] == 'archiflow_segments'}
        self.assertEqual(
            segments,
            {
                (('site_group', 'sg-metrics'), ('status', 'allocated'), ('vrf', 'VRF metrics')): 1,
                (('site_group', 'sg-metrics'), ('status', 'free'), ('vrf', 'VRF metrics')): 2,
            },
        )
        alerts = {key[1]: value for key, value in samples.items() if key[0] == 'archiflow_open_alerts'}
        self.assertEqual(alerts[('severity', 'critical'), ('type', 'pool_exhausted')], 1)
        self.assertEqual(alerts[('severity', 'warning'), ('type', 'device_down')], 0)
        self.assertEqual(sum(alerts.values()), 1)

    def test_queries_per_scrape_do_not_grow_with_pools(self):
        self.scrape()  # warms per-process caches

        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.scrape()
            return [query['sql'] for query in captured.captured_queries]

        before = queries()
        for n in range(1, 6):
            IPPool.objects.create(
                name=f'more {n}', prefix=Prefix.objects.create(prefix=f'10.70.{n}.0/24', vrf=self.vrf)
            )
        after = queries()
        self.assertEqual(len(after), len(before))
        self.assertEqual(len([sql for sql in after if 'netbox_archiflow' in sql]), 3)
