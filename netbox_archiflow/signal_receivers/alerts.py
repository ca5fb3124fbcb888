"""Thin receivers: native IP address and device changes schedule alert evaluation after commit."""

import netaddr
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dcim.models import Device
from ipam.models import IPAddress
from netbox_archiflow.services import alerts


@receiver(post_save, sender=IPAddress, dispatch_uid='netbox_archiflow_ipaddress_saved')
def ip_address_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    alerts.after_commit(alerts.evaluate_ip_address, instance.pk)


@receiver(post_delete, sender=IPAddress, dispatch_uid='netbox_archiflow_ipaddress_deleted')
def ip_address_deleted(sender, instance, **kwargs):
    host = str(netaddr.IPNetwork(str(instance.address)).ip)
    alerts.after_commit(alerts.ip_address_deleted, instance.pk, instance.vrf_id, host)


@receiver(post_save, sender=Device, dispatch_uid='netbox_archiflow_device_saved')
def device_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    alerts.after_commit(alerts.evaluate_device, instance.pk)
