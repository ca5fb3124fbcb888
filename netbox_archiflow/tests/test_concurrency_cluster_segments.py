"""Real parallel cluster saves: committed data, one database connection per thread, started together.

Each thread saves a cluster the way a request does: in one transaction, change-logged as a user. The signal
receivers allocate through the segment service inside that transaction, so the pool lock is what keeps
segments distinct.
"""

import uuid
from contextlib import contextmanager

from core.models import ObjectChange
from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings, tag
from ipam.models import VLAN, Prefix, VLANGroup
from users.models import User
from virtualization.models import Cluster, ClusterType

from netbox_archiflow.management.changelog import change_logged
from netbox_archiflow.models import Alert, Segment
from netbox_archiflow.services import segments as service

from .base import CommittedTestCase
from .segment_fixtures import make_segments
from .test_concurrency_segments import THREADS, committed_pools, run_together
from .test_services_segments import TEST_SETTINGS


@contextmanager
def committed_clusters(vrf, site_groups):
    """A cluster type with a rule for it in ``vrf``, a user, and a second pool in the same VRF; removed afterwards."""
    unique = uuid.uuid4().hex[:8]
    cluster_type = ClusterType.objects.create(name=f'cct-{unique}', slug=f'cct-{unique}')
    user = User.objects.create(username=f'cc-user-{unique}')
    rules = [{'cluster_type': cluster_type.slug, 'vrf': vrf.name, 'count': 1}]
    try:
        with override_settings(PLUGINS_CONFIG={'netbox_archiflow': {**TEST_SETTINGS, 'cluster_segments': rules}}):
            yield cluster_type, user
    finally:
        cluster_ids = list(Cluster.objects.filter(type=cluster_type).values_list('pk', flat=True))
        for cluster in Cluster.objects.filter(pk__in=cluster_ids):
            cluster.delete()
        Alert.objects.filter(object_type=ContentType.objects.get_for_model(Cluster), object_id__in=cluster_ids).delete()
        ObjectChange.objects.filter(user=user).delete()
        cluster_type.delete()
        user.delete()
        for site_group in site_groups:
            for segment in Segment.objects.filter(site_group=site_group):
                segment.delete()
            Prefix.objects.filter(vrf=vrf, _site_group=site_group).delete()
            groups = VLANGroup.objects.filter(
                scope_type=ContentType.objects.get_for_model(SiteGroup), scope_id=site_group.pk
            )
            VLAN.objects.filter(group__in=groups).delete()
            groups.delete()


def saved_as(user, save):
    """Run ``save`` as a request would: one transaction, change-logged as ``user``."""

    def call():
        with change_logged(user), transaction.atomic():
            return save()

    return call


@tag('concurrency')
class ParallelClusterSaveTest(CommittedTestCase):
    """Cluster saves that allocate segments, from real parallel clients."""

    @classmethod
    def tearDownClass(cls):
        """What every test created is gone again."""
        try:
            assert not ClusterType.objects.filter(slug__startswith='cct-').exists()
            assert not Cluster.objects.filter(name__startswith='cc-').exists()
            assert not User.objects.filter(username__startswith='cc-user-').exists()
        finally:
            super().tearDownClass()

    def test_parallel_cluster_creates_get_distinct_segments(self):
        capacity = THREADS - 2
        with (
            committed_pools(capacity) as [(site_group, vrf)],
            committed_clusters(vrf, [site_group]) as (cluster_type, user),
        ):
            calls = [
                saved_as(user, lambda n=n: Cluster.objects.create(name=f'cc-{n}', type=cluster_type, scope=site_group))
                for n in range(THREADS)
            ]
            results = run_together(calls)
            assert all(r[0] == 'ok' for r in results), results  # every cluster is saved, exhausted or not
            clusters = Cluster.objects.filter(type=cluster_type)
            assert clusters.count() == THREADS
            held = Segment.objects.filter(netbox_cluster__in=clusters)
            assert held.count() == capacity
            assert len(set(held.values_list('netbox_cluster', flat=True))) == capacity
            assert not Segment.objects.filter(site_group=site_group, status='free').exists()
            waiting = Alert.objects.filter(
                alert_type='segment_unavailable',
                object_type=ContentType.objects.get_for_model(Cluster),
                object_id__in=clusters.values('pk'),
                resolved_at__isnull=True,
            )
            assert set(waiting.values_list('object_id', flat=True)) == set(
                clusters.exclude(archiflow_segments__isnull=False).values_list('pk', flat=True)
            )
            assert waiting.count() == THREADS - capacity
            # Every allocation is change-logged as the saving user, in the request of the cluster's creation
            for segment in held:
                change = ObjectChange.objects.filter(
                    changed_object_type=ContentType.objects.get_for_model(Segment), changed_object_id=segment.pk
                ).latest('time')
                created = ObjectChange.objects.get(
                    changed_object_type=ContentType.objects.get_for_model(Cluster),
                    changed_object_id=segment.netbox_cluster_id,
                )
                assert (change.user_id, change.request_id) == (user.pk, created.request_id)

    def test_parallel_edits_of_one_cluster_leave_it_one_segment_in_its_last_pool(self):
        with committed_pools(3) as [(group_a, vrf)]:
            group_b = SiteGroup.objects.create(name=f'{group_a.name} b', slug=f'{group_a.slug}-b')
            try:
                Prefix.objects.create(
                    prefix='10.210.0.0/16',
                    vrf=vrf,
                    status='container',
                    scope_type=ContentType.objects.get_for_model(SiteGroup),
                    scope_id=group_b.pk,
                )
                make_segments(group_b, vrf, 3)
                with committed_clusters(vrf, [group_b]) as (cluster_type, user):
                    cluster = Cluster.objects.create(name='cc-moving', type=cluster_type, scope=group_a)

                    def move(site_group):
                        def save():
                            moving = Cluster.objects.get(pk=cluster.pk)
                            moving.scope = site_group
                            moving.save()

                        return save

                    calls = [saved_as(user, move(group_b if n % 2 else group_a)) for n in range(THREADS)]
                    results = run_together(calls)
                    assert all(r[0] == 'ok' for r in results), results
                    cluster.refresh_from_db()
                    [segment] = Segment.objects.filter(netbox_cluster=cluster)
                    assert segment.site_group_id == cluster._site_group_id
                    assert Segment.objects.filter(status='allocated', vrf=vrf).count() == 1
                    # A concurrent API allocation by the cluster's name is the same holder: still one segment
                    segments, created = service.allocate_segments(segment.site_group, vrf, cluster.name)
                    assert ([s.pk for s in segments], created) == ([segment.pk], False)
            finally:
                group_b.delete()
