from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from netbox.graphql.scalars import BigInt
from netbox.graphql.types import ContentTypeType, NetBoxObjectType, PrimaryObjectType, register_type

from netbox_archiflow import models
from netbox_archiflow.services.usage import pool_usage

from ..filters import AlertFilter, IPAllocationFilter, IPPoolFilter

if TYPE_CHECKING:
    from dcim.graphql.types import DeviceType, InterfaceType
    from ipam.graphql.types import IPAddressType, PrefixType, VLANType
    from users.graphql.types import UserType

__all__ = ('AlertType', 'IPAllocationType', 'IPPoolType', 'IPPoolUsageType')


@strawberry.type
class IPPoolUsageType:
    """Addresses of a pool, from its usage counters. BigInt: an IPv6 /64 does not fit GraphQL's 32-bit Int."""

    total: BigInt
    allocated: BigInt
    reserved: BigInt
    available: BigInt
    utilization: float = strawberry.field(description='Percent of the usable addresses not available')


@register_type(models.IPPool, fields='__all__', filters=IPPoolFilter, pagination=True)
class IPPoolType(PrimaryObjectType):
    prefix: Annotated['PrefixType', strawberry.lazy('ipam.graphql.types')]
    vlan: Annotated['VLANType', strawberry.lazy('ipam.graphql.types')] | None
    gateway: str | None
    dns_servers: list[str]
    allocations: list[Annotated['IPAllocationType', strawberry.lazy('netbox_archiflow.graphql.types')]]

    @strawberry_django.field(select_related=['usage_counts'])
    def usage(self) -> IPPoolUsageType:
        return IPPoolUsageType(**pool_usage(self))


@register_type(models.IPAllocation, fields='__all__', filters=IPAllocationFilter, pagination=True)
class IPAllocationType(NetBoxObjectType):
    pool: IPPoolType
    address: str
    ip_address: Annotated['IPAddressType', strawberry.lazy('ipam.graphql.types')] | None
    device: Annotated['DeviceType', strawberry.lazy('dcim.graphql.types')] | None
    interface: Annotated['InterfaceType', strawberry.lazy('dcim.graphql.types')] | None
    allocated_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    released_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None


@register_type(models.Alert, exclude=['object_type'], filters=AlertFilter, pagination=True)
class AlertType(NetBoxObjectType):
    is_open: bool = strawberry_django.field(only=['resolved_at'], description='Not resolved yet')
    acknowledged_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    resolved_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None

    @strawberry_django.field
    def object_type(self) -> ContentTypeType:
        return self.object_type
