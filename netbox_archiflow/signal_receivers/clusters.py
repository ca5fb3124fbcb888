"""Thin receivers: NetBox cluster events allocate and release the cluster's segments (``services.clusters``).

They run in the transaction of the cluster's save or delete, so the allocation is change-logged under the
same request as the cluster, and never on fixture loading (``raw``). They save no cluster, so they cannot
recurse.
"""

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from virtualization.models import Cluster

from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.models import Segment
from netbox_archiflow.services import alerts, clusters
from netbox_archiflow.services import segments as segment_service


@receiver(pre_save, sender=Cluster, dispatch_uid='archiflow_cluster_pre_save')
def remember_cluster_state(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._archiflow_previous_state = clusters.stored_state(instance.pk)


@receiver(post_save, sender=Cluster, dispatch_uid='archiflow_cluster_post_save')
def sync_cluster_segments(sender, instance, raw=False, **kwargs):
    if raw:
        return
    clusters.sync_cluster(instance, previous=getattr(instance, '_archiflow_previous_state', None))


@receiver(pre_delete, sender=Cluster, dispatch_uid='archiflow_cluster_pre_delete')
def release_cluster_segments(sender, instance, **kwargs):
    clusters.cluster_deleted(instance)


@receiver(pre_save, sender=Segment, dispatch_uid='archiflow_segment_unlinked')
def release_unlinked_segment(sender, instance, raw=False, **kwargs):
    # NetBox clears the link of every related object before deleting a cluster (in a request)
    if raw or instance.pk is None or instance.netbox_cluster_id is not None:
        return
    if instance.status == SegmentStatusChoices.STATUS_ALLOCATED:
        segment_service.release_unlinked_segment(instance)


@receiver(post_save, sender=Segment, dispatch_uid='archiflow_segment_freed')
def retry_waiting_clusters(sender, instance, raw=False, **kwargs):
    if raw or instance.status != SegmentStatusChoices.STATUS_FREE:
        return
    alerts.after_commit(clusters.retry_waiting_clusters, instance.site_group_id)
