"""GraphQL enums of the plugin's choice sets: a filter with a value outside the choices is a query error."""

import strawberry

from netbox_archiflow.choices import (
    AlertSeverityChoices,
    AlertTypeChoices,
    DiagramStatusChoices,
    DiagramVersionKindChoices,
    PoolTypeChoices,
    SegmentStatusChoices,
)

__all__ = (
    'AlertSeverityEnum',
    'AlertTypeEnum',
    'DiagramStatusEnum',
    'DiagramVersionKindEnum',
    'IPPoolTypeEnum',
    'SegmentStatusEnum',
)

AlertSeverityEnum = strawberry.enum(AlertSeverityChoices.as_enum(prefix='severity'))
AlertTypeEnum = strawberry.enum(AlertTypeChoices.as_enum(prefix='type'))
DiagramStatusEnum = strawberry.enum(DiagramStatusChoices.as_enum(prefix='status'))
DiagramVersionKindEnum = strawberry.enum(DiagramVersionKindChoices.as_enum(prefix='kind'))
IPPoolTypeEnum = strawberry.enum(PoolTypeChoices.as_enum(name='IPPoolTypeEnum', prefix='type'))
SegmentStatusEnum = strawberry.enum(SegmentStatusChoices.as_enum(prefix='status'))
