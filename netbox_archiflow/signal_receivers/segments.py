"""Keep segments consistent when users edit or delete the native Prefix directly.

- Deleting a segment's prefix deletes the segment (database cascade) and then its VLAN when nothing
  else references it.
- Editing a segment's prefix: a new VLAN is followed by the segment (the old VLAN is deleted when
  orphaned); clearing the VLAN, moving the prefix to another VRF or scope, or setting a status that
  contradicts the segment (active = free, reserved = allocated) is refused with a clear message.
- A VLAN used by a segment cannot be deleted: the PROTECT foreign key makes NetBox refuse it with its
  usual "dependent objects" error (409 in the API).
Writes made by the segment services themselves are not checked again.
"""

from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from ipam.models import Prefix
from utilities.exceptions import AbortRequest

from netbox_archiflow.contextvars import in_service_write
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service


@receiver(pre_save, sender=Prefix, dispatch_uid='archiflow_segment_prefix_pre_save')
def check_segment_prefix_edit(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or in_service_write():
        return
    segment = Segment.objects.filter(prefix_id=instance.pk).first()
    if segment is None:
        return
    instance._archiflow_segment = segment
    problem = None
    if instance.vrf_id != segment.vrf_id:
        problem = 'its VRF cannot change'
    elif (
        instance.scope_type_id != ContentType.objects.get_for_model(SiteGroup).pk
        or instance.scope_id != segment.site_group_id
    ):
        problem = f'its scope must stay site group {segment.site_group}'
    elif instance.vlan_id is None:
        problem = 'it needs a VLAN'
    elif instance.status != service.prefix_status_for(segment.status):
        problem = (
            f'its status follows the segment ({service.prefix_status_for(segment.status)} while '
            f'{segment.get_status_display().lower()}); allocate or release the segment instead'
        )
    if problem:
        raise AbortRequest(f'Prefix {instance.prefix} belongs to ArchiFlow segment {segment.pk}: {problem}.')


@receiver(post_save, sender=Prefix, dispatch_uid='archiflow_segment_prefix_post_save')
def follow_segment_prefix_vlan(sender, instance, raw=False, created=False, **kwargs):
    if raw or created or in_service_write():
        return
    segment = getattr(instance, '_archiflow_segment', None)
    if segment is None or segment.vlan_id == instance.vlan_id:
        return
    old_vlan = segment.vlan
    segment.snapshot()
    segment.vlan_id = instance.vlan_id
    segment.save()
    service.delete_vlan_if_orphaned(old_vlan)


@receiver(pre_delete, sender=Prefix, dispatch_uid='archiflow_segment_prefix_pre_delete')
def remember_segment_vlan(sender, instance, **kwargs):
    segment = Segment.objects.filter(prefix_id=instance.pk).only('vlan_id').first()
    if segment is not None:
        instance._archiflow_segment_vlan_id = segment.vlan_id


@receiver(post_delete, sender=Prefix, dispatch_uid='archiflow_segment_prefix_post_delete')
def delete_orphaned_segment_vlan(sender, instance, **kwargs):
    vlan_id = getattr(instance, '_archiflow_segment_vlan_id', None)
    if vlan_id is not None:
        from ipam.models import VLAN

        service.delete_vlan_if_orphaned(VLAN(pk=vlan_id))
