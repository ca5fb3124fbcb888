from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from netbox.graphql.filters import PrimaryModelFilter, register_filter
from strawberry.scalars import ID
from strawberry_django import BaseFilterLookup, DatetimeFilterLookup, FilterLookup, StrFilterLookup

from netbox_archiflow import models

if TYPE_CHECKING:
    from dcim.graphql.filters import SiteGroupFilter
    from ipam.graphql.filters import PrefixFilter, VLANFilter, VRFFilter
    from virtualization.graphql.filters import ClusterFilter

    from netbox_archiflow.graphql.enums import SegmentStatusEnum

__all__ = ('SegmentFilter',)


@register_filter(models.Segment, lookups=True)
class SegmentFilter(PrimaryModelFilter):
    prefix: Annotated['PrefixFilter', strawberry.lazy('ipam.graphql.filters')] | None = strawberry_django.filter_field()
    prefix_id: ID | None = strawberry_django.filter_field()
    vrf: Annotated['VRFFilter', strawberry.lazy('ipam.graphql.filters')] | None = strawberry_django.filter_field()
    vrf_id: ID | None = strawberry_django.filter_field()
    site_group: Annotated['SiteGroupFilter', strawberry.lazy('dcim.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    site_group_id: ID | None = strawberry_django.filter_field()
    vlan: Annotated['VLANFilter', strawberry.lazy('ipam.graphql.filters')] | None = strawberry_django.filter_field()
    vlan_id: ID | None = strawberry_django.filter_field()
    dhcp: FilterLookup[bool] | None = strawberry_django.filter_field()
    cluster: StrFilterLookup | None = strawberry_django.filter_field()
    netbox_cluster: Annotated['ClusterFilter', strawberry.lazy('virtualization.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    netbox_cluster_id: ID | None = strawberry_django.filter_field()
    status: (
        BaseFilterLookup[Annotated['SegmentStatusEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    allocated_at: DatetimeFilterLookup | None = strawberry_django.filter_field()
