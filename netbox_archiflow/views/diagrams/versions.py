"""Diagram versions: read-only list and detail."""

from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import drawio_webapp, filtersets, tables
from netbox_archiflow.models import DiagramVersion
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import ServiceError


@register_model_view(DiagramVersion, 'list', path='', detail=False)
class DiagramVersionListView(generic.ObjectListView):
    queryset = DiagramVersion.objects.select_related('diagram', 'author').defer_large(related=('diagram',))
    filterset = filtersets.DiagramVersionFilterSet
    table = tables.DiagramVersionTable
    actions = ()


@register_model_view(DiagramVersion)
class DiagramVersionView(generic.ObjectView):
    queryset = DiagramVersion.objects.select_related('diagram', 'author').defer_large(
        keep=('xml',), related=('diagram',)
    )
    actions = ()

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
            'can_restore': request.user.has_perm('netbox_archiflow.change_diagram', obj=instance.diagram),
        }
