"""The embedded Draw.io editor: its page and the self-hosted web app. The page saves through the REST API."""

from django.apps import apps
from django.http import Http404
from django.middleware.csrf import get_token
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.static import serve
from netbox.views import generic
from utilities.permissions import get_permission_for_model
from utilities.views import ViewTab, get_viewname, register_model_view

from netbox_archiflow import drawio_webapp, plugin_settings
from netbox_archiflow.errors import ServiceError
from netbox_archiflow.models import Diagram
from netbox_archiflow.services.diagram_library import library


@register_model_view(Diagram, 'editor', path='editor')
class DiagramEditorView(generic.ObjectView):
    """Draw.io in an iframe, bridged by static/netbox_archiflow/js/editor.js. Needs change permission."""

    queryset = Diagram.objects.defer_large(keep=('xml',))
    template_name = 'netbox_archiflow/diagram_editor.html'
    tab = ViewTab(label=_('Editor'), permission='netbox_archiflow.change_diagram', weight=505)

    def get_required_permission(self):
        return 'netbox_archiflow.change_diagram'

    def get(self, request, **kwargs):
        response = super().get(request, **kwargs)
        # The iframe may only ever show the editor: it cannot be navigated to another site, or to another NetBox
        # page, that would then receive the diagram through postMessage.
        response['Content-Security-Policy'] = f'frame-src {drawio_webapp.frame_src(request)}'
        return response

    def get_extra_context(self, request, instance):
        config = {
            'editorUrl': drawio_webapp.editor_url(request),
            'editorOrigin': drawio_webapp.editor_origin(request),
            'selfHosted': drawio_webapp.is_installed(),
            'sandbox': drawio_webapp.SANDBOX if drawio_webapp.is_installed() else None,
            # The REST API with the session and the CSRF token, as NetBox's own pages call it. A save answers
            # only what the editor reads, not the XML it has just sent.
            'saveUrl': reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[instance.pk])
            + '?fields=id,version,last_updated',
            'previewUrl': reverse('plugins-api:netbox_archiflow-api:diagram-preview', args=[instance.pk]),
            'exitUrl': instance.get_absolute_url(),
            'version': instance.version,
            'autosave': plugin_settings.get('diagram_autosave'),
            'maxBytes': plugin_settings.get('diagram_max_bytes'),
            'title': instance.name,
            'csrfToken': get_token(request),
            'linkTools': _link_tools(request, instance) if drawio_webapp.is_installed() else None,
        }
        return {'editor_config': config, 'diagram_xml': instance.xml}


def _link_tools(request, diagram):
    """What the page needs for the editor's link picker and NetBox library (static/…/js/editor-links.js): the
    linkable types the user may view, each with its REST list URL, the diagram's library endpoint (for another
    site) and the library of the diagram's site, which editor.js hands to Draw.io in its `configure` answer."""
    types = []
    for object_type in sorted(plugin_settings.linkable_types()):
        model = apps.get_model(object_type)
        if not request.user.has_perm(get_permission_for_model(model, 'view')):
            continue
        try:
            url = reverse(get_viewname(model, 'list', rest_api=True))
        except NoReverseMatch:
            continue
        types.append({'type': object_type, 'label': str(model._meta.verbose_name).capitalize(), 'url': url})
    types.sort(key=lambda item: (item['type'] != 'dcim.device', item['label']))
    return {
        'types': types,
        'libraryUrl': reverse('plugins-api:netbox_archiflow-api:diagram-library', args=[diagram.pk]),
        'library': _initial_library(request, diagram),
    }


def _initial_library(request, diagram):
    """The palette's first content, ``{title, items, message}``, as editor-links.js words a library it fetches."""
    try:
        shapes = library(diagram, request.user)
    except ServiceError as error:
        return {'title': 'NetBox', 'items': [], 'message': f'The library could not be loaded: {error.detail}'}
    if shapes['site'] is None:
        return {'title': 'NetBox', 'items': [], 'message': 'This diagram has no site.'}
    items = shapes['items']
    return {
        'title': f'NetBox: {shapes["site"]["name"]}',
        'items': items,
        'message': 'Drag a shape in: it is linked to its object.' if items else 'Nothing to show at this site.',
    }


def drawio_static(request, path):
    """The self-hosted Draw.io web app, on the NetBox origin (404 until `netbox archiflow_drawio install`)."""
    if not drawio_webapp.is_installed():
        raise Http404('Draw.io is not installed: run `netbox archiflow_drawio install`.')
    response = serve(request, path or 'index.html', document_root=str(drawio_webapp.install_dir()))
    response['Cache-Control'] = 'public, max-age=3600'
    response['Content-Security-Policy'] = drawio_webapp.content_security_policy(request)
    response['X-Content-Type-Options'] = 'nosniff'
    # The sandboxed (opaque-origin) editor reads its own resources, fonts and stencils with CORS requests.
    # They are public files of a public package; no credentials are ever allowed.
    response['Access-Control-Allow-Origin'] = '*'
    return response
