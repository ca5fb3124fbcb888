from typing import TYPE_CHECKING, Annotated

import strawberry
from netbox.graphql.types import BaseObjectType, OrganizationalObjectType, PrimaryObjectType, register_type

from netbox_archiflow import models

from ..filters import DiagramFilter, DiagramTemplateFilter, DiagramVersionFilter

if TYPE_CHECKING:
    from dcim.graphql.types import SiteType
    from users.graphql.types import UserType

__all__ = ('DiagramTemplateType', 'DiagramType', 'DiagramVersionType')

# XML is only read when a query selects it; the SVG preview is served over HTTP, not GraphQL.


@register_type(
    models.Diagram,
    fields=(
        'id',
        'name',
        'site',
        'status',
        'version',
        'xml',
        'description',
        'metadata',
        'created_by',
        'updated_by',
        'comments',
        'created',
        'last_updated',
    ),  # fmt: skip
    filters=DiagramFilter,
    pagination=True,
)
class DiagramType(PrimaryObjectType):
    site: Annotated['SiteType', strawberry.lazy('dcim.graphql.types')] | None
    created_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    updated_by: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None
    versions: list[Annotated['DiagramVersionType', strawberry.lazy('netbox_archiflow.graphql.types')]]


@register_type(
    models.DiagramVersion,
    fields=('id', 'diagram', 'version_number', 'kind', 'change_summary', 'author', 'xml', 'created', 'last_updated'),
    filters=DiagramVersionFilter,
    pagination=True,
)
class DiagramVersionType(BaseObjectType):
    diagram: Annotated['DiagramType', strawberry.lazy('netbox_archiflow.graphql.types')] | None
    author: Annotated['UserType', strawberry.lazy('users.graphql.types')] | None


@register_type(models.DiagramTemplate, fields='__all__', filters=DiagramTemplateFilter, pagination=True)
class DiagramTemplateType(OrganizationalObjectType):
    pass
