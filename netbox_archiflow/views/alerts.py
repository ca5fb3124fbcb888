from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.object_actions import BulkDelete, BulkEdit, BulkExport, BulkImport, DeleteObject, EditObject
from netbox.ui import layout
from netbox.ui.panels import JSONPanel
from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import Alert
from netbox_archiflow.object_actions import AcknowledgeAlert, ResolveAlert
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.ui import panels

from .actions import ObjectActionView

__all__ = (
    'AlertAcknowledgeView',
    'AlertBulkDeleteView',
    'AlertBulkEditView',
    'AlertBulkImportView',
    'AlertDeleteView',
    'AlertEditView',
    'AlertListView',
    'AlertResolveView',
    'AlertView',
)


@register_model_view(Alert, 'list', path='', detail=False)
class AlertListView(generic.ObjectListView):
    queryset = Alert.objects.select_related('object_type', 'acknowledged_by', 'resolved_by').prefetch_related('object')
    table = tables.AlertTable
    filterset = filtersets.AlertFilterSet
    filterset_form = forms.AlertFilterForm
    # Alerts are raised by ArchiFlow: no add form, but an import (e.g. from the predecessor system).
    actions = (BulkImport, BulkExport, BulkEdit, BulkDelete)


@register_model_view(Alert)
class AlertView(generic.ObjectView):
    queryset = Alert.objects.select_related('object_type', 'acknowledged_by', 'resolved_by')
    template_name = 'netbox_archiflow/alert.html'
    actions = (AcknowledgeAlert, ResolveAlert, EditObject, DeleteObject)
    layout = layout.SimpleLayout(
        left_panels=[panels.AlertPanel(), TagsPanel()],
        right_panels=[JSONPanel('details', title=_('Details')), CustomFieldsPanel()],
    )


@register_model_view(Alert, 'edit')
class AlertEditView(generic.ObjectEditView):
    queryset = Alert.objects.all()
    form = forms.AlertForm


@register_model_view(Alert, 'delete')
class AlertDeleteView(generic.ObjectDeleteView):
    queryset = Alert.objects.all()


@register_model_view(Alert, 'bulk_import', path='import', detail=False)
class AlertBulkImportView(generic.BulkImportView):
    queryset = Alert.objects.all()
    model_form = forms.AlertImportForm

    def _save_object(self, model_form, request, parent_idx):
        """An alert raised concurrently since the row was validated: a row error (the import rolls back), not a 500."""
        try:
            return super()._save_object(model_form, request, parent_idx)
        except IntegrityError as exc:
            errors = {'__all__': [_('An open alert of this type was raised for this object meanwhile.')]}
            raise ValidationError(self._compile_form_errors(errors, index=parent_idx)) from exc


@register_model_view(Alert, 'bulk_edit', path='edit', detail=False)
class AlertBulkEditView(generic.BulkEditView):
    queryset = Alert.objects.all()
    filterset = filtersets.AlertFilterSet
    table = tables.AlertTable
    form = forms.AlertBulkEditForm


@register_model_view(Alert, 'bulk_delete', path='delete', detail=False)
class AlertBulkDeleteView(generic.BulkDeleteView):
    queryset = Alert.objects.all()
    filterset = filtersets.AlertFilterSet
    table = tables.AlertTable


@register_model_view(Alert, 'acknowledge', path='acknowledge')
class AlertAcknowledgeView(ObjectActionView):
    """POST only. Without change permission the alert is not found."""

    queryset = Alert.objects.all()
    permission = 'netbox_archiflow.change_alert'
    forbid = False
    refusal_level = messages.WARNING

    def perform(self, request, alert):
        alert_service.acknowledge(alert, user=request.user)
        messages.success(request, _('Acknowledged {alert}.').format(alert=alert))


@register_model_view(Alert, 'resolve', path='resolve')
class AlertResolveView(AlertAcknowledgeView):
    """GET asks for confirmation (resolving cannot be undone); POST resolves."""

    def get(self, request, pk):
        alert = self.get_object(pk)
        if not alert.is_open:
            return redirect(alert.get_absolute_url())
        return render(
            request,
            'netbox_archiflow/alert_resolve.html',
            {'object': alert, 'return_url': self.get_return_url(request, alert)},
        )

    def perform(self, request, alert):
        alert_service.resolve(alert, user=request.user)
        messages.success(request, _('Resolved {alert}.').format(alert=alert))
