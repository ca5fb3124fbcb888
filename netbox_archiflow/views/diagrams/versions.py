"""Diagram versions: read-only list and detail."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.ui import layout
from netbox.ui.breadcrumbs import Breadcrumb
from netbox.ui.panels import TemplatePanel
from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import drawio_webapp, filtersets, tables
from netbox_archiflow.models import DiagramVersion
from netbox_archiflow.object_actions import RestoreVersion
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.ui import panels

from ..actions import ActionPermissionsMixin


@register_model_view(DiagramVersion, 'list', path='', detail=False)
class DiagramVersionListView(generic.ObjectListView):
    queryset = DiagramVersion.objects.select_related('diagram', 'author').defer_large(related=('diagram',))
    filterset = filtersets.DiagramVersionFilterSet
    table = tables.DiagramVersionTable
    actions = ()


@register_model_view(DiagramVersion)
class DiagramVersionView(ActionPermissionsMixin, generic.ObjectView):
    queryset = DiagramVersion.objects.select_related('diagram', 'author').defer_large(
        keep=('xml',), related=('diagram',)
    )
    template_name = 'netbox_archiflow/object.html'
    actions = (RestoreVersion,)
    layout = layout.Layout(
        layout.Row(
            layout.Column(
                panels.DiagramVersionPanel(title=_('Version')),
                TemplatePanel('netbox_archiflow/panels/version_changes.html'),
                width=4,
            ),
            layout.Column(TemplatePanel('netbox_archiflow/panels/version_preview.html', title=_('Preview')), width=8),
        ),
        breadcrumbs=[
            Breadcrumb(label=_('Diagrams'), url=lambda version: reverse('plugins:netbox_archiflow:diagram_list')),
            Breadcrumb('diagram'),
            Breadcrumb(
                label=_('Versions'),
                url=lambda version: reverse('plugins:netbox_archiflow:diagram_versions', args=[version.diagram_id]),
            ),
        ],
        root_breadcrumb=False,
    )

    def get(self, request, **kwargs):
        response = super().get(request, **kwargs)
        if drawio_webapp.is_installed():
            response['Content-Security-Policy'] = f'frame-src {drawio_webapp.frame_src(request)}'
        return response

    def get_extra_context(self, request, instance):
        diff = None
        if instance.version_number > 1:
            try:
                diff = service.diff_versions(instance.diagram, instance.version_number - 1, instance.version_number)
            except ServiceError:
                diff = None
        return {
            'diff': diff,
            'viewer_url': drawio_webapp.viewer_url(),
            'viewer_sandbox': drawio_webapp.SANDBOX,
        }
