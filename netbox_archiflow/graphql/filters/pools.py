from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from django.db.models import Q
from netbox.graphql.filters import NetBoxModelFilter, PrimaryModelFilter, register_filter
from strawberry.scalars import ID
from strawberry_django import BaseFilterLookup, ComparisonFilterLookup, DateFilterLookup, FilterLookup, StrFilterLookup

from netbox_archiflow import models

if TYPE_CHECKING:
    from core.graphql.filters import ContentTypeFilter
    from dcim.graphql.filters import DeviceFilter
    from ipam.graphql.filters import PrefixFilter, VLANFilter

    from netbox_archiflow.graphql.enums import AlertSeverityEnum, AlertTypeEnum, IPPoolTypeEnum

__all__ = ('AlertFilter', 'IPAllocationFilter', 'IPPoolFilter')


@register_filter(models.IPPool, lookups=True)
class IPPoolFilter(PrimaryModelFilter):
    name: StrFilterLookup | None = strawberry_django.filter_field()
    prefix: Annotated['PrefixFilter', strawberry.lazy('ipam.graphql.filters')] | None = strawberry_django.filter_field()
    prefix_id: ID | None = strawberry_django.filter_field()
    vlan: Annotated['VLANFilter', strawberry.lazy('ipam.graphql.filters')] | None = strawberry_django.filter_field()
    vlan_id: ID | None = strawberry_django.filter_field()
    gateway: StrFilterLookup | None = strawberry_django.filter_field()
    pool_type: (
        BaseFilterLookup[Annotated['IPPoolTypeEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    is_active: FilterLookup[bool] | None = strawberry_django.filter_field()
    alert_threshold: ComparisonFilterLookup[int] | None = strawberry_django.filter_field()


@register_filter(models.IPAllocation, lookups=True)
class IPAllocationFilter(NetBoxModelFilter):
    pool: Annotated['IPPoolFilter', strawberry.lazy('netbox_archiflow.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    pool_id: ID | None = strawberry_django.filter_field()
    address: StrFilterLookup | None = strawberry_django.filter_field()
    asset_id: StrFilterLookup | None = strawberry_django.filter_field()
    ip_address_id: ID | None = strawberry_django.filter_field()
    device: Annotated['DeviceFilter', strawberry.lazy('dcim.graphql.filters')] | None = strawberry_django.filter_field()
    device_id: ID | None = strawberry_django.filter_field()
    interface_id: ID | None = strawberry_django.filter_field()
    device_name: StrFilterLookup | None = strawberry_django.filter_field()
    device_type: StrFilterLookup | None = strawberry_django.filter_field()
    mac_address: StrFilterLookup | None = strawberry_django.filter_field()
    is_active: FilterLookup[bool] | None = strawberry_django.filter_field()
    allocated_at: DateFilterLookup | None = strawberry_django.filter_field()
    released_at: DateFilterLookup | None = strawberry_django.filter_field()


@register_filter(models.Alert, lookups=True)
class AlertFilter(NetBoxModelFilter):
    alert_type: (
        BaseFilterLookup[Annotated['AlertTypeEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    severity: (
        BaseFilterLookup[Annotated['AlertSeverityEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    object_type: Annotated['ContentTypeFilter', strawberry.lazy('core.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    object_type_id: ID | None = strawberry_django.filter_field()
    object_id: ID | None = strawberry_django.filter_field()
    message: StrFilterLookup | None = strawberry_django.filter_field()
    acknowledged_at: DateFilterLookup | None = strawberry_django.filter_field()
    resolved_at: DateFilterLookup | None = strawberry_django.filter_field()

    @strawberry_django.filter_field
    def is_open(self, value: bool, prefix: str) -> Q:
        """Open alerts (not resolved), as the REST API's ``is_open``."""
        return Q(**{f'{prefix}resolved_at__isnull': value})
