from typing import TYPE_CHECKING, Annotated

import strawberry
from netbox.graphql.types import PrimaryObjectType, register_type

from netbox_archiflow import models

from ..filters import SegmentFilter

if TYPE_CHECKING:
    from dcim.graphql.types import SiteGroupType
    from ipam.graphql.types import PrefixType, VLANType, VRFType
    from virtualization.graphql.types import ClusterType

__all__ = ('SegmentType',)


@register_type(models.Segment, fields='__all__', filters=SegmentFilter, pagination=True)
class SegmentType(PrimaryObjectType):
    # Nullable: related objects the user may not view are filtered out by object permissions
    prefix: Annotated['PrefixType', strawberry.lazy('ipam.graphql.types')] | None
    vrf: Annotated['VRFType', strawberry.lazy('ipam.graphql.types')] | None
    site_group: Annotated['SiteGroupType', strawberry.lazy('dcim.graphql.types')] | None
    vlan: Annotated['VLANType', strawberry.lazy('ipam.graphql.types')] | None
    netbox_cluster: Annotated['ClusterType', strawberry.lazy('virtualization.graphql.types')] | None
