"""The Diagrams tab on every linkable object and the Links tab of a diagram."""

from itertools import groupby

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from netbox.context import current_request
from netbox.views import generic
from netbox_archiflow import plugin_settings
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import diagram_links
from utilities.paginator import EnhancedPaginator, get_paginate_count
from utilities.views import ViewTab, get_default_template, register_model_view

__all__ = ('DiagramLinksView', 'ObjectDiagramsView')


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

    queryset = Diagram.objects.defer('xml', 'preview_svg')
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
