from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from netbox.context import current_request
from netbox.forms import NetBoxModelBulkEditForm, NetBoxModelFilterSetForm, NetBoxModelForm, NetBoxModelImportForm
from utilities.forms.fields import CSVChoiceField, CSVContentTypeField, TagFilterField
from utilities.forms.rendering import FieldSet

from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.forms.mixins import CreateOnlyImportMixin
from netbox_archiflow.models import Alert
from netbox_archiflow.models.alerts import ALERT_OBJECT_MODELS

__all__ = ('AlertBulkEditForm', 'AlertFilterForm', 'AlertForm', 'AlertImportForm')


class AlertForm(NetBoxModelForm):
    """Only tags and custom fields are edited by hand; the rest is the alert service's."""

    fieldsets = (FieldSet('tags', name=_('Alert')),)

    class Meta:
        model = Alert
        fields = ['tags']


class AlertImportForm(CreateOnlyImportMixin, NetBoxModelImportForm):
    """Open alerts from elsewhere (e.g. the predecessor system); the one-open-alert-per-object rule still holds."""

    alert_type = CSVChoiceField(label=_('Type'), choices=AlertTypeChoices)
    severity = CSVChoiceField(label=_('Severity'), choices=AlertSeverityChoices)
    object_type = CSVContentTypeField(
        label=_('Object type'), queryset=ContentType.objects.all(), help_text=_('app_label.model, e.g. dcim.device')
    )
    details = forms.JSONField(label=_('Details'), required=False, help_text=_('A JSON object'))

    class Meta:
        model = Alert
        fields = ('alert_type', 'severity', 'object_type', 'object_id', 'message', 'details', 'tags')

    def clean_details(self):
        details = self.cleaned_data.get('details')
        if details is None:
            return {}
        if not isinstance(details, dict):
            raise forms.ValidationError(_('Details must be a JSON object.'))
        return details

    def clean(self):
        super().clean()
        object_type = self.cleaned_data.get('object_type')
        object_id = self.cleaned_data.get('object_id')
        if object_type is None or object_id is None:
            return self.cleaned_data
        alert_type = self.cleaned_data.get('alert_type')
        expected = ALERT_OBJECT_MODELS.get(alert_type)
        if expected and f'{object_type.app_label}.{object_type.model}' != expected:
            message = _('A {alert_type} alert is about a {model}.').format(alert_type=alert_type, model=expected)
            self.add_error('object_type', message)
            return self.cleaned_data
        model = object_type.model_class()
        obj = self._visible_objects(model).filter(pk=object_id).first() if model is not None else None
        if obj is None:
            self.add_error(
                'object_id',
                _('{app_label}.{model} {id} does not exist or is not visible to you.').format(
                    app_label=object_type.app_label, model=object_type.model, id=object_id
                ),
            )
        else:
            self.instance.object_repr = str(obj)[:200]
        return self.cleaned_data

    @staticmethod
    def _visible_objects(model):
        """The objects of ``model`` the importing user may view: an alert must not reveal what they cannot see."""
        queryset = model._default_manager.all()
        request = current_request.get()
        if request is not None and hasattr(queryset, 'restrict'):
            queryset = queryset.restrict(request.user, 'view')
        return queryset

    def validate_constraints(self):
        """All constraints: Django would skip one open alert per object (``resolved_at`` is not a form field)."""
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self.add_error(None, exc)


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
