import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from netbox.filtersets import NetBoxModelFilterSet
from users.models import User
from utilities.filters import ContentTypeFilter
from utilities.filtersets import register_filterset

from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.models import Alert

__all__ = ('AlertFilterSet',)


@register_filterset
class AlertFilterSet(NetBoxModelFilterSet):
    alert_type = django_filters.MultipleChoiceFilter(choices=AlertTypeChoices)
    severity = django_filters.MultipleChoiceFilter(choices=AlertSeverityChoices)
    object_type = ContentTypeFilter()
    object_type_id = django_filters.NumberFilter()
    acknowledged = django_filters.BooleanFilter(
        field_name='acknowledged_at', lookup_expr='isnull', exclude=True, label=_('Acknowledged')
    )
    resolved = django_filters.BooleanFilter(
        field_name='resolved_at', lookup_expr='isnull', exclude=True, label=_('Resolved')
    )
    status = django_filters.ChoiceFilter(
        choices=(('open', _('Open')), ('resolved', _('Resolved'))), method='filter_status', label=_('Status')
    )
    acknowledged_by_id = django_filters.ModelMultipleChoiceFilter(
        queryset=User.objects.all(), label=_('Acknowledged by (ID)')
    )
    resolved_by_id = django_filters.ModelMultipleChoiceFilter(queryset=User.objects.all(), label=_('Resolved by (ID)'))

    class Meta:
        model = Alert
        fields = ('id', 'object_id', 'object_repr', 'message', 'acknowledged_at', 'resolved_at')

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(message__icontains=value) | Q(object_repr__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == 'open':
            return queryset.filter(resolved_at__isnull=True)
        if value == 'resolved':
            return queryset.filter(resolved_at__isnull=False)
        return queryset
