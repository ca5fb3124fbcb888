"""Keep native IP addresses consistent with the allocations that own them."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from netbox_archiflow.models import IPAllocation
from netbox_archiflow.services import pools


@receiver(post_delete, sender=IPAllocation, dispatch_uid='netbox_archiflow_ipallocation_deleted')
def ip_allocation_deleted(sender, instance, **kwargs):
    pools.allocation_deleted(instance)
