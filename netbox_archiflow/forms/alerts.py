from django import forms
from django.utils.translation import gettext_lazy as _

from netbox.forms import NetBoxModelBulkEditForm, NetBoxModelFilterSetForm, NetBoxModelForm
from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.models import Alert
from utilities.forms.fields import TagFilterField
from utilities.forms.rendering import FieldSet

__all__ = ('AlertBulkEditForm', 'AlertFilterForm', 'AlertForm')


class AlertForm(NetBoxModelForm):
    """Only tags and custom fields are edited by hand; the rest is the alert service's."""

    fieldsets = (FieldSet('tags', name=_('Alert')),)

    class Meta:
        model = Alert
        fields = ['tags']


class AlertBulkEditForm(NetBoxModelBulkEditForm):
    model = Alert
    fieldsets = ()
    nullable_fields = ()


class AlertFilterForm(NetBoxModelFilterSetForm):
    model = Alert
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('status', 'alert_type', 'severity', 'acknowledged', name=_('Alert')),
    )
    status = forms.ChoiceField(
        choices=(('', '---------'), ('open', _('Open')), ('resolved', _('Resolved'))), required=False
    )
    alert_type = forms.MultipleChoiceField(choices=AlertTypeChoices, required=False, label=_('Type'))
    severity = forms.MultipleChoiceField(choices=AlertSeverityChoices, required=False, label=_('Severity'))
    acknowledged = forms.NullBooleanField(
        required=False,
        label=_('Acknowledged'),
        widget=forms.Select(choices=(('', '---------'), ('true', _('Yes')), ('false', _('No')))),
    )
    tag = TagFilterField(model)
