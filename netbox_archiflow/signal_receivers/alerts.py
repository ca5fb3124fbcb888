"""Thin receivers: changes of native IP addresses, devices and pools schedule alert evaluation after commit.

Deleting an object that alerts are about (``ALERT_OBJECT_MODELS``) resolves its open alerts.
"""

import netaddr
from dcim.models import Device
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from ipam.models import IPAddress

from netbox_archiflow.models import IPPool
from netbox_archiflow.services import alerts


@receiver(post_save, sender=IPAddress, dispatch_uid='netbox_archiflow_ipaddress_saved')
def ip_address_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    pool_id = instance.__dict__.pop('archiflow_allocated_in', None)  # this save only
    if pool_id is not None:
        # A new address the allocation service took as free under its pool's lock: no allocation collides
        # with it, only that pool's usage changed (one query instead of three).
        alerts.after_commit_batched(alerts.evaluate_pools, pool_id)
        return
    alerts.after_commit_batched(alerts.evaluate_ip_addresses, instance.pk)


@receiver(post_delete, sender=IPAddress, dispatch_uid='netbox_archiflow_ipaddress_deleted')
def ip_address_deleted(sender, instance, **kwargs):
    host = str(netaddr.IPNetwork(str(instance.address)).ip)
    alerts.after_commit(alerts.ip_address_deleted, instance.pk, instance.vrf_id, host, str(instance))


@receiver(post_save, sender=Device, dispatch_uid='netbox_archiflow_device_saved')
def device_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    alerts.after_commit(alerts.evaluate_device, instance.pk)


@receiver(post_delete, sender=Device, dispatch_uid='netbox_archiflow_device_deleted')
@receiver(post_delete, sender=IPPool, dispatch_uid='netbox_archiflow_ippool_deleted')
def alert_object_deleted(sender, instance, **kwargs):
    object_type = ContentType.objects.get_for_model(sender)
    alerts.after_commit(alerts.object_deleted, object_type.pk, instance.pk, str(instance))
