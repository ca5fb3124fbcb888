import strawberry
import strawberry_django

from .types import AlertType, IPAllocationType, IPPoolType


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


schema = [PoolsQuery, AlertsQuery]
