"""Segments of NetBox clusters: what the ``cluster_segments`` rules entitle a cluster to, kept in step with it.

A rule entitles every cluster of its type and/or group to ``count`` segments of the pool (the cluster's site
group, the rule's VRF); for one VRF the first matching rule counts. The site group is the cluster's scope, or
the site group of its site or location (NetBox caches it as ``Cluster._site_group``). Segments are taken and
given back through ``segments.allocate_segments`` / ``release_segment``: the API's pool locks and
idempotency, in the caller's transaction (the cluster's save), change-logged by the caller's request.

When a pool cannot serve a cluster (nothing free, no site group, no such VRF), the cluster is saved anyway
and a ``segment_unavailable`` alert about it says why. The alert is retried when its pool gets a free
segment, and resolved when the cluster gets its segments or no longer asks for any.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from virtualization.models import Cluster

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.models import Alert, Segment

from . import alerts
from . import segments as segment_service
from .errors import ServiceError

__all__ = (
    'ClusterState',
    'cluster_deleted',
    'cluster_state',
    'retry_waiting_clusters',
    'stored_state',
    'sync_cluster',
)

UNAVAILABLE = AlertTypeChoices.TYPE_SEGMENT_UNAVAILABLE


class ClusterState:
    """What a cluster asks for: its site group id and ``{vrf name: count}`` from the matching rules."""

    def __init__(self, site_group_id, wanted):
        self.site_group_id = site_group_id
        self.wanted = wanted

    def pools(self):
        return {(self.site_group_id, vrf) for vrf in self.wanted} if self.site_group_id else set()


def cluster_state(cluster):
    rules = plugin_settings.cluster_segment_rules()
    wanted = {}
    if rules:
        slugs = {
            'cluster_type': cluster.type.slug if cluster.type_id else None,
            'cluster_group': cluster.group.slug if cluster.group_id else None,
        }
        for rule in rules:
            if all(rule.get(key, slug) == slug for key, slug in slugs.items()):
                wanted.setdefault(rule['vrf'], rule['count'])
    return ClusterState(cluster._site_group_id, wanted)


def stored_state(cluster_pk):
    """The state of the cluster as saved in the database (before an edit), or None.

    In a transaction the cluster's row is locked until it commits, so concurrent edits of one cluster
    serialize and each sees the state the one before left (and releases what that one allocated).
    """
    if not plugin_settings.get('cluster_segments'):
        return None
    queryset = Cluster.objects.filter(pk=cluster_pk).select_related('type', 'group')
    if connection.in_atomic_block:
        queryset = queryset.select_for_update(of=('self',))
    stored = queryset.first()
    return cluster_state(stored) if stored is not None else None


def _release(cluster, site_group_id, vrf_names):
    for segment in Segment.objects.filter(
        netbox_cluster=cluster, site_group_id=site_group_id, vrf__name__in=vrf_names
    ).order_by('pk'):
        segment_service.release_segment(segment)


def _follow_rename(cluster):
    for segment in Segment.objects.filter(netbox_cluster=cluster).exclude(cluster=cluster.name).order_by('pk'):
        segment.snapshot()
        segment.cluster = cluster.name
        segment.save()


def sync_cluster(cluster, previous=None):
    """Give ``cluster`` the segments its rules entitle it to and release those of pools it left
    (``previous`` is its state before the edit). Raises or resolves its ``segment_unavailable`` alert."""
    state = cluster_state(cluster)
    with transaction.atomic():
        _follow_rename(cluster)
        if previous is not None:
            left = previous.pools() - state.pools()
            for site_group_id in {site_group_id for site_group_id, _ in left}:
                _release(cluster, site_group_id, [vrf for group_id, vrf in left if group_id == site_group_id])
        if not state.wanted:
            alerts.resolve_alerts(UNAVAILABLE, cluster, 'the cluster matches no cluster_segments rule')
            return
        if state.site_group_id is None:
            _unavailable(
                cluster,
                state,
                'it has no site group: scope it to a site group, or to a site or location in one',
            )
            return
        problems = []
        for vrf, count in state.wanted.items():
            try:
                segment_service.allocate_segments(state.site_group_id, vrf, cluster, count)
            except ServiceError as exc:
                problems.append(f'VRF {vrf}: {exc.detail}')
        if problems:
            _unavailable(cluster, state, '; '.join(problems))
        else:
            alerts.resolve_alerts(UNAVAILABLE, cluster, 'the cluster holds its segments')


def _unavailable(cluster, state, reason):
    """Raise the cluster's alert, or bring the open one up to date (its pool decides when it is retried)."""
    message = f'Cluster {cluster} has no segment: {reason}.'
    details = {'site_group': state.site_group_id, 'vrfs': sorted(state.wanted), 'reason': reason}
    alert, created = alerts.raise_alert(
        UNAVAILABLE, cluster, severity=AlertSeverityChoices.SEVERITY_WARNING, message=message, details=details
    )
    if not created and (alert.message, alert.details) != (message, details):
        alert.snapshot()
        alert.message, alert.details = message, details
        alert.save()


def cluster_deleted(cluster):
    """Before a cluster is deleted: its segments return to their pools; its alert is resolved."""
    with transaction.atomic():
        for segment in Segment.objects.filter(netbox_cluster=cluster).order_by('pk'):
            segment_service.release_segment(segment)
        alerts.resolve_alerts(UNAVAILABLE, cluster, 'cluster deleted')


def retry_waiting_clusters(site_group_id):
    """A segment of the site group became free: retry the clusters waiting for one there."""
    waiting = Alert.objects.filter(
        alert_type=UNAVAILABLE,
        object_type=ContentType.objects.get_for_model(Cluster),
        resolved_at__isnull=True,
        details__site_group=site_group_id,
    ).values_list('object_id', flat=True)
    for cluster in Cluster.objects.filter(pk__in=list(waiting)).select_related('type', 'group').order_by('pk'):
        sync_cluster(cluster)
