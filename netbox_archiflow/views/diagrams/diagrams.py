"""Diagram list, detail, edit, import, versions tab, previews, download, restore and new-from-template views."""

import logging

from core.signals import clear_events
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import View
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.object_actions import (
    AddObject,
    BulkDelete,
    BulkEdit,
    BulkExport,
    BulkImport,
    CloneObject,
    DeleteObject,
    EditObject,
)
from netbox.ui import layout
from netbox.ui.panels import CommentsPanel, JSONPanel, PluginContentPanel, TemplatePanel
from netbox.views import generic
from netbox.views.generic.base import BaseMultiObjectView
from utilities.exceptions import AbortRequest, PermissionsViolation
from utilities.forms import restrict_form_fields
from utilities.views import ConditionalLoginRequiredMixin, GetReturnURLMixin, ViewTab, register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion
from netbox_archiflow.object_actions import (
    DownloadDiagram,
    DownloadPreview,
    GenerateDiagram,
    ImportDiagramFiles,
    NewDiagramFromTemplate,
    OpenEditor,
    RefreshDiagram,
)
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.ui import panels

from ..actions import ActionPermissionsMixin, ObjectActionView
from .common import (
    PLACEHOLDER_SVG,
    DiagramObjectMixin,
    restricted,
    svg_response,
)


@register_model_view(Diagram, 'list', path='', detail=False)
class DiagramListView(generic.ObjectListView):
    queryset = Diagram.objects.select_related('site', 'updated_by', 'created_by').defer_large()
    filterset = filtersets.DiagramFilterSet
    filterset_form = forms.DiagramFilterForm
    table = tables.DiagramTable
    template_name = 'netbox_archiflow/diagram_list.html'
    actions = (
        AddObject,
        GenerateDiagram,
        NewDiagramFromTemplate,
        BulkImport,
        ImportDiagramFiles,
        BulkExport,
        BulkEdit,
        BulkDelete,
    )


@register_model_view(Diagram)
class DiagramView(ActionPermissionsMixin, generic.ObjectView):
    queryset = Diagram.objects.select_related('site', 'updated_by', 'created_by').defer_large()
    template_name = 'netbox_archiflow/object.html'
    actions = (DownloadDiagram, DownloadPreview, OpenEditor, RefreshDiagram, CloneObject, EditObject, DeleteObject)
    layout = layout.Layout(
        layout.Row(
            layout.Column(
                panels.DiagramPanel(title=_('Diagram')),
                CustomFieldsPanel(),
                TagsPanel(),
                JSONPanel('metadata', title=_('Metadata')),
                CommentsPanel(),
                PluginContentPanel('left_page'),
                width=5,
            ),
            layout.Column(
                TemplatePanel('netbox_archiflow/panels/diagram_preview.html', title=_('Preview')),
                PluginContentPanel('right_page'),
                width=7,
            ),
        ),
        layout.Row(layout.Column(PluginContentPanel('full_width_page'))),
    )

    def get_extra_context(self, request, instance):
        # What DiagramPanel shows of the versions.
        instance.latest_version = instance.versions.defer_large().select_related('author').first()
        instance.version_count = instance.versions.count()
        return {}


@register_model_view(Diagram, 'add', detail=False)
@register_model_view(Diagram, 'edit')
class DiagramEditView(generic.ObjectEditView):
    queryset = Diagram.objects.defer_large()
    form = forms.DiagramForm


@register_model_view(Diagram, 'delete')
class DiagramDeleteView(generic.ObjectDeleteView):
    queryset = Diagram.objects.defer_large()


@register_model_view(Diagram, 'bulk_import', path='import', detail=False)
class DiagramBulkImportView(generic.BulkImportView):
    queryset = Diagram.objects.all()
    model_form = forms.DiagramImportForm


@register_model_view(Diagram, 'import_files', path='import-files', detail=False)
class DiagramFileImportView(GetReturnURLMixin, BaseMultiObjectView):
    """Upload several .drawio / .xml files at once: one new diagram (version 1) per file, all or nothing."""

    queryset = Diagram.objects.defer_large()
    form = forms.DiagramFileImportForm
    template_name = 'netbox_archiflow/diagram_import_files.html'

    def get_required_permission(self):
        return 'netbox_archiflow.add_diagram'

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {'model': Diagram, 'form': form, 'return_url': self.get_return_url(request)},
        )

    def get(self, request):
        form = self.form(initial={key: request.GET[key] for key in ('site', 'status') if request.GET.get(key)})
        restrict_form_fields(form, request.user)
        return self._render(request, form)

    def post(self, request):
        logger = logging.getLogger('netbox_archiflow.views.DiagramFileImportView')
        form = self.form(data=request.POST, files=request.FILES)
        restrict_form_fields(form, request.user)
        if not form.is_valid():
            return self._render(request, form)

        fields = {'status': form.cleaned_data['status']}
        if form.cleaned_data.get('site'):
            fields['site'] = form.cleaned_data['site']
        summary = form.cleaned_data.get('change_summary')
        try:
            with transaction.atomic(using=router.db_for_write(Diagram)):
                created = []
                for document in form.cleaned_data['files']:
                    try:
                        diagram = service.create_diagram(
                            document['name'],
                            document['xml'],
                            request.user,
                            summary=summary or f'Imported from {document["filename"]}',
                            **fields,
                        )
                    except ServiceError as exc:
                        raise AbortRequest(f'{document["filename"]}: {exc.detail}') from exc
                    except ValidationError as exc:  # Diagram.full_clean()
                        raise AbortRequest(f'{document["filename"]}: {"; ".join(exc.messages)}') from exc
                    created.append(diagram.pk)
                # Object-level permissions (constraints on site, status, ...): all or nothing.
                if self.queryset.filter(pk__in=created).count() != len(created):
                    raise PermissionsViolation()
        except (AbortRequest, PermissionsViolation) as exc:
            logger.debug(exc.message)
            form.add_error(None, exc.message)
            clear_events.send(sender=self)
            return self._render(request, form)

        msg = ngettext('Imported {count} diagram', 'Imported {count} diagrams', len(created)).format(count=len(created))
        logger.info(msg)
        messages.success(request, msg)
        return redirect(f'{reverse("plugins:netbox_archiflow:diagram_list")}?modified_by_request={request.id}')


@register_model_view(Diagram, 'bulk_edit', path='edit', detail=False)
class DiagramBulkEditView(generic.BulkEditView):
    queryset = Diagram.objects.defer_large()
    filterset = filtersets.DiagramFilterSet
    table = tables.DiagramTable
    form = forms.DiagramBulkEditForm


@register_model_view(Diagram, 'bulk_delete', path='delete', detail=False)
class DiagramBulkDeleteView(generic.BulkDeleteView):
    queryset = Diagram.objects.defer_large()
    filterset = filtersets.DiagramFilterSet
    table = tables.DiagramTable


@register_model_view(Diagram, 'versions', path='versions')
class DiagramVersionsView(generic.ObjectView):
    """Version history: the list, a diff summary between two versions and restore buttons."""

    queryset = Diagram.objects.defer_large()
    template_name = 'netbox_archiflow/diagram_versions.html'
    tab = ViewTab(
        label=_('Versions'),
        badge=lambda obj: obj.version or None,
        permission='netbox_archiflow.view_diagramversion',
        weight=510,
    )

    def get_extra_context(self, request, instance):
        can_restore = request.user.has_perm('netbox_archiflow.change_diagram', obj=instance)
        versions = (
            DiagramVersion.objects.restrict(request.user, 'view')
            .filter(diagram=instance)
            .defer_large(related=('diagram',))
            .select_related('author', 'diagram')
        )
        table = tables.DiagramVersionTable(versions, exclude=('diagram',))
        table.configure(request)
        if not can_restore:
            table.columns.hide('restore')
        numbers = list(versions.values_list('version_number', flat=True))
        diff = diff_error = None
        try:
            newest = numbers[0] if numbers else None
            to_number = int(request.GET.get('to') or newest or 0)
            from_number = int(request.GET.get('from') or (to_number - 1 if to_number > 1 else 0))
        except ValueError:
            from_number = to_number = 0
            diff_error = _('Versions must be numbers.')
        if from_number and to_number and not diff_error:
            try:
                diff = service.diff_versions(instance, from_number, to_number)
            except ServiceError as exc:
                diff_error = exc.detail
        return {
            'table': table,
            'numbers': numbers,
            'from_number': from_number,
            'to_number': to_number,
            'diff': diff,
            'diff_error': diff_error,
            'can_restore': can_restore,
        }


@register_model_view(Diagram, 'preview', path='preview')
class DiagramPreviewView(DiagramObjectMixin, View):
    """The SVG preview (drawn on its first request), inert (CSP sandbox + nosniff), with an ETag. ?download=1 for
    a file."""

    def get(self, request, pk):
        diagram = self.get_diagram(request, pk, 'preview_svg')
        name = diagram.name if request.GET.get('download') else None
        return svg_response(service.preview_svg(diagram) or PLACEHOLDER_SVG, request, download_name=name)


@register_model_view(DiagramVersion, 'preview', path='preview')
class DiagramVersionPreviewView(ConditionalLoginRequiredMixin, View):
    """The picture kept with one version, as inert as the diagram's preview."""

    def get(self, request, pk):
        qs = restricted(DiagramVersion, request, 'view').only('pk', 'diagram_id', 'version_number', 'preview_svg')
        return svg_response(service.preview_svg(get_object_or_404(qs, pk=pk)) or PLACEHOLDER_SVG, request)


@register_model_view(Diagram, 'download', path='download')
class DiagramDownloadView(DiagramObjectMixin, View):
    def get(self, request, pk):
        return service.export_response(self.get_diagram(request, pk, 'xml'))


@register_model_view(Diagram, 'restore', path='versions/<int:number>/restore')
class DiagramRestoreView(ObjectActionView):
    """Back on the versions page. Without change permission the diagram is not found."""

    queryset = Diagram.objects.all()
    permission = 'netbox_archiflow.change_diagram'
    forbid = False

    def perform(self, request, diagram, number):
        result = service.restore_version(diagram, number, request.user)
        if result.modified:
            messages.success(
                request, _('Restored version {n} as version {v}.').format(n=number, v=result.version.version_number)
            )
        else:
            messages.info(request, _('Version {n} has the current content: nothing to restore.').format(n=number))

    def get_success_url(self, request, diagram, **kwargs):
        return reverse('plugins:netbox_archiflow:diagram_versions', kwargs={'pk': diagram.pk})


class DiagramFromTemplateView(ConditionalLoginRequiredMixin, View):
    """New diagram from template: pick a template, fill its variables, create (version 1)."""

    template_name = 'netbox_archiflow/diagram_from_template.html'

    def _template(self, request, raw):
        if not raw:
            return None
        try:
            return restricted(DiagramTemplate, request, 'view').filter(is_active=True).get(pk=int(raw))
        except (ValueError, DiagramTemplate.DoesNotExist):
            return None

    def _check(self, request):
        if not request.user.has_perm('netbox_archiflow.add_diagram'):
            raise Http404

    def get(self, request):
        self._check(request)
        template = self._template(request, request.GET.get('template'))
        form = forms.DiagramFromTemplateForm(
            user=request.user, template=template, initial={'template': template.pk if template else None}
        )
        return render(request, self.template_name, {'form': form, 'template': template})

    def post(self, request):
        self._check(request)
        template = self._template(request, request.POST.get('template'))
        form = forms.DiagramFromTemplateForm(request.POST, user=request.user, template=template)
        if form.is_valid():
            fields = {'description': form.cleaned_data.get('description') or ''}
            if form.cleaned_data.get('site'):
                fields['site'] = form.cleaned_data['site']
            try:
                diagram = service.instantiate_template(
                    form.cleaned_data['template'], form.cleaned_data['name'], form.variables(), request.user, **fields
                )
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _('Created diagram {name} from a template.').format(name=diagram.name))
                return redirect(diagram.get_absolute_url())
        return render(request, self.template_name, {'form': form, 'template': template})
