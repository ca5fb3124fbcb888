from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from django.db.models import Q
from netbox.graphql.filters import (
    BaseModelFilter,
    ChangeLoggedModelFilter,
    OrganizationalModelFilter,
    PrimaryModelFilter,
    register_filter,
)
from strawberry_django import BaseFilterLookup, FilterLookup, StrFilterLookup

from netbox_archiflow import models
from netbox_archiflow.services import diagram_links

if TYPE_CHECKING:
    from core.graphql.filters import ContentTypeFilter
    from dcim.graphql.filters import SiteFilter

    from netbox_archiflow.graphql.enums import DiagramStatusEnum, DiagramVersionKindEnum

__all__ = ('DiagramFilter', 'DiagramLinkFilter', 'DiagramTemplateFilter', 'DiagramVersionFilter')


@register_filter(models.Diagram, lookups=True)
class DiagramFilter(PrimaryModelFilter):
    name: StrFilterLookup[str] | None = strawberry_django.filter_field()
    status: (
        BaseFilterLookup[Annotated['DiagramStatusEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    version: FilterLookup[int] | None = strawberry_django.filter_field()
    site: Annotated['SiteFilter', strawberry.lazy('dcim.graphql.filters')] | None = strawberry_django.filter_field()
    site_id: strawberry.ID | None = strawberry_django.filter_field()


@register_filter(models.DiagramVersion, lookups=True)
class DiagramVersionFilter(ChangeLoggedModelFilter):
    diagram: Annotated['DiagramFilter', strawberry.lazy('netbox_archiflow.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    diagram_id: strawberry.ID | None = strawberry_django.filter_field()
    version_number: FilterLookup[int] | None = strawberry_django.filter_field()
    kind: (
        BaseFilterLookup[Annotated['DiagramVersionKindEnum', strawberry.lazy('netbox_archiflow.graphql.enums')]] | None
    ) = strawberry_django.filter_field()
    change_summary: StrFilterLookup[str] | None = strawberry_django.filter_field()


@register_filter(models.DiagramTemplate, lookups=True)
class DiagramTemplateFilter(OrganizationalModelFilter):
    category: StrFilterLookup[str] | None = strawberry_django.filter_field()
    is_active: FilterLookup[bool] | None = strawberry_django.filter_field()


@register_filter(models.DiagramLink, lookups=True)
class DiagramLinkFilter(BaseModelFilter):
    diagram: Annotated['DiagramFilter', strawberry.lazy('netbox_archiflow.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    diagram_id: strawberry.ID | None = strawberry_django.filter_field()
    page_id: StrFilterLookup[str] | None = strawberry_django.filter_field()
    cell_id: StrFilterLookup[str] | None = strawberry_django.filter_field()
    label: StrFilterLookup[str] | None = strawberry_django.filter_field()
    object_type: Annotated['ContentTypeFilter', strawberry.lazy('core.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    object_type_id: strawberry.ID | None = strawberry_django.filter_field()
    object_id: FilterLookup[int] | None = strawberry_django.filter_field()

    @strawberry_django.filter_field()
    def broken(self, value: bool, prefix: str) -> Q:
        """The object does not exist (any more)."""
        condition = diagram_links.broken_condition(prefix=prefix)
        return condition if value else ~condition
