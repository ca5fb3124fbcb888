"""Diagram templates: list, detail, edit and bulk views."""

from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import DiagramTemplate


@register_model_view(DiagramTemplate, 'list', path='', detail=False)
class DiagramTemplateListView(generic.ObjectListView):
    queryset = DiagramTemplate.objects.defer_large()
    filterset = filtersets.DiagramTemplateFilterSet
    filterset_form = forms.DiagramTemplateFilterForm
    table = tables.DiagramTemplateTable


@register_model_view(DiagramTemplate)
class DiagramTemplateView(generic.ObjectView):
    queryset = DiagramTemplate.objects.all()


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
