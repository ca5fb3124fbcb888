"""The Diagrams tab on every linkable object and the Links tab of a diagram."""

from itertools import groupby

from django.apps import apps
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.context import current_request
from netbox.views import generic
from utilities.paginator import EnhancedPaginator, get_paginate_count
from utilities.views import ViewTab, get_default_template, register_model_view

from netbox_archiflow import drawio_webapp, plugin_settings
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagram_links

__all__ = ('DiagramLinksView', 'DiagramViewerView', 'ObjectDiagramsView')


def _diagram_count(obj):
    """The tab's badge: how many diagrams the current user may see link this object."""
    request = current_request.get()
    if request is None:
        return None
    return diagram_links.links_to(obj, request.user).values('diagram').distinct().count() or None


class ObjectDiagramsView(generic.ObjectView):
    """One card per diagram linking the object: its preview, the linked cells and "open highlighted"."""

    template_name = 'netbox_archiflow/object_diagrams.html'
    tab = ViewTab(
        label=_('Diagrams'),
        badge=_diagram_count,
        permission='netbox_archiflow.view_diagram',
        weight=3000,
        hide_if_empty=True,
    )

    def get_extra_context(self, request, instance):
        links = diagram_links.links_to(instance, request.user)
        cards = [
            {'diagram': diagram, 'links': list(cells)}
            for diagram, cells in groupby(links, key=lambda link: link.diagram)
        ]
        return {
            'base_template': get_default_template(type(instance)),
            'cards': cards,
            'highlight': diagram_links.object_key(instance),
        }


def register_diagrams_tabs():
    """A Diagrams tab on each linkable model's page (types added by a setting included)."""
    for object_type in sorted(plugin_settings.linkable_types()):
        model = apps.get_model(object_type)
        view = type(f'{model.__name__}DiagramsView', (ObjectDiagramsView,), {'queryset': model.objects.all()})
        register_model_view(model, 'archiflow_diagrams', path='archiflow-diagrams')(view)


register_diagrams_tabs()


@register_model_view(Diagram, 'links', path='links')
class DiagramLinksView(generic.ObjectView):
    """The diagram's linked cells: object (when visible), broken or not; ``?highlight=`` marks some."""

    queryset = Diagram.objects.defer_large()
    template_name = 'netbox_archiflow/diagram_links.html'
    tab = ViewTab(
        label=_('Links'),
        badge=lambda diagram: diagram.links.count() or None,
        permission='netbox_archiflow.view_diagramlink',
        weight=520,
    )

    def get_extra_context(self, request, instance):
        links = diagram_links.visible_links(request.user).filter(diagram=instance).select_related('object_type')
        paginator = EnhancedPaginator(links, get_paginate_count(request))
        page = paginator.get_page(request.GET.get('page'))
        diagram_links.resolve_objects(page.object_list, request.user)
        highlight = request.GET.get('highlight') or ''
        for link in page.object_list:
            link.highlighted = highlight in (link.object_key, link.cell_id)
        return {'page': page, 'paginator': paginator, 'highlight': highlight}


@register_model_view(Diagram, 'viewer', path='viewer')
class DiagramViewerView(generic.ObjectView):
    """Draw.io's read-only viewer (self-hosted, sandboxed) with ``?object=``/``?cell=`` highlighting and the
    live status overlay. The page, not the frame, knows the links: a click in the frame only names a cell."""

    queryset = Diagram.objects.defer_large(keep=('xml',))
    template_name = 'netbox_archiflow/diagram_viewer.html'
    tab = ViewTab(label=_('Viewer'), permission='netbox_archiflow.view_diagram', weight=505)

    def get(self, request, **kwargs):
        response = super().get(request, **kwargs)
        if drawio_webapp.is_installed():
            response['Content-Security-Policy'] = f'frame-src {drawio_webapp.frame_src(request)}'
        return response

    @staticmethod
    def _wanted(request):
        """Which links ``?object=app_label.model:id`` or ``?cell=<id>`` asks to highlight (a filter), or None."""
        if request.GET.get('object'):
            object_type, _sep, object_id = request.GET['object'].partition(':')
            app_label, _dot, model = object_type.partition('.')
            if not (app_label and model and object_id.isdigit()):
                raise BadRequest('object: expected <app_label.model>:<id>, e.g. dcim.device:1')
            return {'object_type__app_label': app_label, 'object_type__model': model, 'object_id': int(object_id)}
        if request.GET.get('cell'):
            return {'cell_id': request.GET['cell']}
        return None

    def get_extra_context(self, request, instance):
        links = list(diagram_links.visible_links(request.user).filter(diagram=instance).select_related('object_type'))
        diagram_links.resolve_objects(links, request.user)
        wanted = self._wanted(request)
        highlighted = set()
        if wanted is not None:
            highlighted = set(
                diagram_links.visible_links(request.user)
                .filter(diagram=instance, **wanted)
                .values_list('pk', flat=True)
            )
        highlight = [{'page': link.page_id, 'cell': link.cell_id} for link in links if link.pk in highlighted]
        if wanted is not None and 'cell_id' in wanted and not highlight:
            highlight = [{'page': None, 'cell': wanted['cell_id']}]  # an unlinked cell may be highlighted too
        return {
            'viewer_url': drawio_webapp.viewer_url(),
            'viewer_sandbox': drawio_webapp.SANDBOX,
            'viewer_config': {
                'highlight': highlight,
                # Where a click on a linked cell goes: only objects the user may view, only NetBox paths.
                'links': [
                    {'page': link.page_id, 'cell': link.cell_id, 'url': link.linked_object.get_absolute_url()}
                    for link in links
                    if link.linked_object is not None and hasattr(link.linked_object, 'get_absolute_url')
                ],
                'statusUrl': reverse('plugins-api:netbox_archiflow-api:diagram-status', args=[instance.pk]),
                'interval': plugin_settings.get('diagram_status_interval'),
            },
        }
