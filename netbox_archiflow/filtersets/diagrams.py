import django_filters
from dcim.models import Site
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from netbox.filtersets import (
    BaseFilterSet,
    ChangeLoggedModelFilterSet,
    OrganizationalModelFilterSet,
    PrimaryModelFilterSet,
)
from users.models import User
from utilities.filters import MultiValueBigNumberFilter, MultiValueContentTypeFilter
from utilities.filtersets import register_filterset

from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.models import Diagram, DiagramLink, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagram_links

__all__ = ('DiagramFilterSet', 'DiagramLinkFilterSet', 'DiagramTemplateFilterSet', 'DiagramVersionFilterSet')


@register_filterset
class DiagramFilterSet(PrimaryModelFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DiagramStatusChoices)
    site_id = django_filters.ModelMultipleChoiceFilter(queryset=Site.objects.all(), label=_('Site (ID)'))
    site = django_filters.ModelMultipleChoiceFilter(
        field_name='site__slug', queryset=Site.objects.all(), to_field_name='slug', label=_('Site (slug)')
    )
    created_by_id = django_filters.ModelMultipleChoiceFilter(queryset=User.objects.all(), label=_('Created by (ID)'))
    updated_by_id = django_filters.ModelMultipleChoiceFilter(queryset=User.objects.all(), label=_('Updated by (ID)'))

    class Meta:
        model = Diagram
        fields = ('id', 'name', 'description', 'version')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


@register_filterset
class DiagramVersionFilterSet(ChangeLoggedModelFilterSet):
    q = django_filters.CharFilter(method='search', label=_('Search'))
    diagram_id = django_filters.ModelMultipleChoiceFilter(queryset=Diagram.objects.all(), label=_('Diagram (ID)'))
    kind = django_filters.MultipleChoiceFilter(choices=DiagramVersionKindChoices)
    author_id = django_filters.ModelMultipleChoiceFilter(queryset=User.objects.all(), label=_('Author (ID)'))

    class Meta:
        model = DiagramVersion
        fields = ('id', 'version_number', 'change_summary')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(change_summary__icontains=value) | Q(diagram__name__icontains=value))


@register_filterset
class DiagramTemplateFilterSet(OrganizationalModelFilterSet):
    class Meta:
        model = DiagramTemplate
        fields = ('id', 'name', 'slug', 'description', 'category', 'is_active')


@register_filterset
class DiagramLinkFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method='search', label=_('Search'))
    diagram_id = django_filters.ModelMultipleChoiceFilter(queryset=Diagram.objects.all(), label=_('Diagram (ID)'))
    object_type = MultiValueContentTypeFilter(label=_('Object type (app_label.model)'))
    object_type_id = django_filters.ModelMultipleChoiceFilter(
        queryset=ContentType.objects.all(), label=_('Object type (ID)')
    )
    object_id = MultiValueBigNumberFilter(label=_('Object ID'))
    broken = django_filters.BooleanFilter(method='filter_broken', label=_('Broken (the object does not exist)'))

    class Meta:
        model = DiagramLink
        fields = ('id', 'page_id', 'page_name', 'cell_id', 'label', 'netbox_display')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(label__icontains=value)
            | Q(netbox_display__icontains=value)
            | Q(cell_id=value)
            | Q(diagram__name__icontains=value)
        )

    def filter_broken(self, queryset, name, value):
        condition = diagram_links.broken_condition(queryset)
        return queryset.filter(condition) if value else queryset.exclude(condition)
