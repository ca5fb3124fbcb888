import django_filters
from dcim.models import Site
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from netbox.filtersets import ChangeLoggedModelFilterSet, OrganizationalModelFilterSet, PrimaryModelFilterSet
from users.models import User
from utilities.filtersets import register_filterset

from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion

__all__ = ('DiagramFilterSet', 'DiagramTemplateFilterSet', 'DiagramVersionFilterSet')


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
