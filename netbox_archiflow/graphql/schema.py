import strawberry
import strawberry_django

from .types import (
    AlertType,
    DiagramLinkType,
    DiagramTemplateType,
    DiagramType,
    DiagramVersionType,
    IPAllocationType,
    IPPoolType,
    SegmentType,
)


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


@strawberry.type(name='Query')
class DiagramsQuery:
    netbox_archiflow_diagram: DiagramType = strawberry_django.field()
    netbox_archiflow_diagram_list: list[DiagramType] = strawberry_django.field()
    netbox_archiflow_diagram_version: DiagramVersionType = strawberry_django.field()
    netbox_archiflow_diagram_version_list: list[DiagramVersionType] = strawberry_django.field()
    netbox_archiflow_diagram_template: DiagramTemplateType = strawberry_django.field()
    netbox_archiflow_diagram_template_list: list[DiagramTemplateType] = strawberry_django.field()
    netbox_archiflow_diagram_link: DiagramLinkType = strawberry_django.field()
    netbox_archiflow_diagram_link_list: list[DiagramLinkType] = strawberry_django.field()


schema = [SegmentQuery, PoolsQuery, AlertsQuery, DiagramsQuery]
