import strawberry
import strawberry_django

from .types import AlertType, IPAllocationType, IPPoolType, SegmentType


@strawberry.type(name='Query')
class SegmentQuery:
    netbox_archiflow_segment: SegmentType = strawberry_django.field()
    netbox_archiflow_segment_list: list[SegmentType] = strawberry_django.field()


@strawberry.type(name='Query')
class PoolsQuery:
    netbox_archiflow_ippool: IPPoolType = strawberry_django.field()
    netbox_archiflow_ippool_list: list[IPPoolType] = strawberry_django.field()
    netbox_archiflow_ipallocation: IPAllocationType = strawberry_django.field()
    netbox_archiflow_ipallocation_list: list[IPAllocationType] = strawberry_django.field()


@strawberry.type(name='Query')
class AlertsQuery:
    netbox_archiflow_alert: AlertType = strawberry_django.field()
    netbox_archiflow_alert_list: list[AlertType] = strawberry_django.field()


schema = [SegmentQuery, PoolsQuery, AlertsQuery]
