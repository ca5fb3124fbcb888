from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from netbox.graphql.types import BaseObjectType, OrganizationalObjectType, PrimaryObjectType, register_type

from netbox_archiflow import models
from netbox_archiflow.services import diagram_links

from ..filters import DiagramFilter, DiagramLinkFilter, DiagramTemplateFilter, DiagramVersionFilter

if TYPE_CHECKING:
    from dcim.graphql.types import SiteType
    from netbox.graphql.types import ContentTypeType
    from users.graphql.types import UserType

__all__ = ('DiagramLinkType', 'DiagramTemplateType', 'DiagramType', 'DiagramVersionType')

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
    links: list[Annotated['DiagramLinkType', strawberry.lazy('netbox_archiflow.graphql.types')]]


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


@register_type(
    models.DiagramLink,
    fields=('id', 'diagram', 'page_id', 'page_name', 'cell_id', 'label', 'netbox_display', 'object_type', 'object_id'),
    filters=DiagramLinkFilter,
    pagination=True,
)
class DiagramLinkType(BaseObjectType):
    """A linked cell; the object itself is read from its own type (``object_type`` + ``object_id``)."""

    diagram: Annotated['DiagramType', strawberry.lazy('netbox_archiflow.graphql.types')]
    object_type: Annotated['ContentTypeType', strawberry.lazy('netbox.graphql.types')]

    @strawberry_django.field(annotate={'link_broken': lambda info: diagram_links.broken_annotation()})
    def broken(self) -> bool:
        """The object does not exist (any more), as REST's ``broken``."""
        if hasattr(self, 'link_broken'):
            return self.link_broken
        model = self.object_type.model_class()  # resolved outside the optimizer: one lookup
        return model is None or not model.objects.filter(pk=self.object_id).exists()

    @classmethod
    def get_queryset(cls, queryset, info, **kwargs):
        user = info.context.request.user
        return (
            super()
            .get_queryset(queryset, info, **kwargs)
            .filter(diagram__in=models.Diagram.objects.restrict(user, 'view'))
        )
