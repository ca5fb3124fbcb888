"""Diagram templates: list, detail, edit and bulk views."""

from django.utils.translation import gettext_lazy as _
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.object_actions import CloneObject, DeleteObject, EditObject
from netbox.ui import layout
from netbox.ui.panels import CommentsPanel, TemplatePanel, TextCodePanel
from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import DiagramTemplate
from netbox_archiflow.object_actions import CreateDiagramFromTemplate
from netbox_archiflow.ui import panels

from ..actions import ActionPermissionsMixin


@register_model_view(DiagramTemplate, 'list', path='', detail=False)
class DiagramTemplateListView(generic.ObjectListView):
    queryset = DiagramTemplate.objects.defer_large()
    filterset = filtersets.DiagramTemplateFilterSet
    filterset_form = forms.DiagramTemplateFilterForm
    table = tables.DiagramTemplateTable


@register_model_view(DiagramTemplate)
class DiagramTemplateView(ActionPermissionsMixin, generic.ObjectView):
    queryset = DiagramTemplate.objects.all()
    template_name = 'generic/object.html'
    actions = (CreateDiagramFromTemplate, CloneObject, EditObject, DeleteObject)
    layout = layout.SimpleLayout(
        left_panels=[
            panels.DiagramTemplatePanel(title=_('Diagram template')),
            TagsPanel(),
            CustomFieldsPanel(),
            CommentsPanel(),
        ],
        right_panels=[
            TemplatePanel('netbox_archiflow/panels/template_variables.html', title=_('Variables')),
            TextCodePanel('xml', title=_('XML')),
        ],
    )


@register_model_view(DiagramTemplate, 'add', detail=False)
@register_model_view(DiagramTemplate, 'edit')
class DiagramTemplateEditView(generic.ObjectEditView):
    queryset = DiagramTemplate.objects.all()
    form = forms.DiagramTemplateForm


@register_model_view(DiagramTemplate, 'delete')
class DiagramTemplateDeleteView(generic.ObjectDeleteView):
    queryset = DiagramTemplate.objects.all()


@register_model_view(DiagramTemplate, 'bulk_import', path='import', detail=False)
class DiagramTemplateBulkImportView(generic.BulkImportView):
    queryset = DiagramTemplate.objects.all()
    model_form = forms.DiagramTemplateImportForm


@register_model_view(DiagramTemplate, 'bulk_edit', path='edit', detail=False)
class DiagramTemplateBulkEditView(generic.BulkEditView):
    queryset = DiagramTemplate.objects.defer_large()
    filterset = filtersets.DiagramTemplateFilterSet
    table = tables.DiagramTemplateTable
    form = forms.DiagramTemplateBulkEditForm


@register_model_view(DiagramTemplate, 'bulk_delete', path='delete', detail=False)
class DiagramTemplateBulkDeleteView(generic.BulkDeleteView):
    queryset = DiagramTemplate.objects.defer_large()
    filterset = filtersets.DiagramTemplateFilterSet
    table = tables.DiagramTemplateTable
