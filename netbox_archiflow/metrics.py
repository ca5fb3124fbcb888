"""Prometheus gauges of the plugin, added to NetBox's ``/metrics`` when ``METRICS_ENABLED = True``.

Computed at scrape time from the pool usage counters and two grouped counts: three queries per scrape, whatever the
number of pools, segments or alerts. No address is enumerated.
"""

import logging

from django.db import DatabaseError
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger('netbox_archiflow.metrics')

POOL_LABELS = ('pool', 'vrf', 'prefix')


def _families():
    return {
        'utilization': GaugeMetricFamily(
            'archiflow_pool_utilization_percent',
            'Percent of the usable addresses of an IP pool not available',
            labels=POOL_LABELS,
        ),
        'allocated': GaugeMetricFamily(
            'archiflow_pool_allocated_addresses',
            'Addresses held by active allocations of an IP pool',
            labels=POOL_LABELS,
        ),
        'available': GaugeMetricFamily(
            'archiflow_pool_available_addresses',
            'Addresses of an IP pool that can still be allocated',
            labels=POOL_LABELS,
        ),
        'segments': GaugeMetricFamily(
            'archiflow_segments', 'Segments per site group, VRF and status', labels=('site_group', 'vrf', 'status')
        ),
        'alerts': GaugeMetricFamily(
            'archiflow_open_alerts', 'Open (unresolved) alerts per type and severity', labels=('type', 'severity')
        ),
    }


class ArchiFlowCollector:
    def describe(self):
        # The registry calls describe() when the collector is registered, so registering queries nothing.
        return list(_families().values())

    def collect(self):
        families = _families()
        try:
            self._pools(families)
            self._segments(families['segments'])
            self._alerts(families['alerts'])
        except DatabaseError:  # e.g. before the plugin's migrations: NetBox's own metrics must still be served
            logger.exception('ArchiFlow metrics could not be read')
            return []
        return list(families.values())

    @staticmethod
    def _pools(families):
        from netbox_archiflow.models import IPPool
        from netbox_archiflow.services.pools import pool_usage

        for pool in IPPool.objects.select_related('prefix__vrf', 'usage_counts').order_by('pk'):
            usage = pool_usage(pool)
            labels = [pool.name, pool.prefix.vrf.name if pool.prefix.vrf_id else '', str(pool.prefix.prefix)]
            families['utilization'].add_metric(labels, usage['utilization'])
            families['allocated'].add_metric(labels, usage['allocated'])
            families['available'].add_metric(labels, usage['available'])

    @staticmethod
    def _segments(family):
        from netbox_archiflow.models import Segment

        counts = (
            Segment.objects.values_list('site_group__slug', 'vrf__name', 'status')
            .annotate(count=Count('pk'))
            .order_by('site_group__slug', 'vrf__name', 'status')
        )
        for site_group, vrf, status, count in counts:
            family.add_metric([site_group, vrf, status], count)

    @staticmethod
    def _alerts(family):
        from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
        from netbox_archiflow.models import Alert

        counts = dict.fromkeys(
            (
                (alert_type, severity)
                for alert_type in AlertTypeChoices.values()
                for severity in AlertSeverityChoices.values()
            ),
            0,
        )
        open_alerts = Alert.objects.filter(resolved_at__isnull=True).values_list('alert_type', 'severity')
        for alert_type, severity, count in open_alerts.annotate(count=Count('pk')).order_by():
            counts[alert_type, severity] = count
        # Every (type, severity) is exported, zeros included, so that alert rules see 0 rather than no data.
        for (alert_type, severity), count in counts.items():
            family.add_metric([alert_type, severity], count)


_registered = False


def register():
    """Add the collector to prometheus_client's default registry, which NetBox's /metrics view exports."""
    global _registered
    if not _registered:
        from prometheus_client import REGISTRY

        REGISTRY.register(ArchiFlowCollector())
        _registered = True
