"""Every button of the plugin's pages, as NetBox ``ObjectAction`` classes listed in the views' ``actions``.

NetBox checks ``permissions_required`` on the viewed model; a button acting on another model (the pool's Allocate
creates an IP allocation) names it in ``permission_model``, and one whose target may be constrained object by
object (the editor, a restore) gives that object from ``permission_object()``. The views apply both through
``views.actions.ActionPermissionsMixin``. ``is_shown()`` hides a button where it cannot apply (a released
allocation, a resolved alert).
"""

from django.apps import apps
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.object_actions import ObjectAction
from utilities.permissions import get_permission_for_model

__all__ = (
    'AcknowledgeAlert',
    'AllocateIP',
    'AllocateSegments',
    'CreateDiagramFromTemplate',
    'DownloadDiagram',
    'DownloadPreview',
    'GenerateDiagram',
    'ImportDiagramFiles',
    'NewDiagramFromTemplate',
    'OpenEditor',
    'PluginAction',
    'PostAction',
    'RefreshDiagram',
    'ReleaseAllocation',
    'ReleaseSegment',
    'ResolveAlert',
    'RestoreVersion',
    'is_permitted',
)


def is_permitted(action, user, obj):
    """Whether ``user`` may see ``action`` for ``obj`` (a model on list pages): NetBox's rule, extended as above."""
    model = obj
    target = None
    if issubclass(action, PluginAction):
        model = apps.get_model(action.permission_model) if action.permission_model else obj
        target = action.permission_object(obj)
    required = [get_permission_for_model(model, perm) for perm in action.permissions_required]
    return not required or user.has_perms(required, target)


class PluginAction(ObjectAction):
    permission_model = None

    @classmethod
    def permission_object(cls, obj):
        """The instance whose object permissions decide (None: model permissions only, as NetBox's buttons)."""
        return None

    @classmethod
    def is_shown(cls, obj):
        return True

    @classmethod
    def get_context(cls, context, obj):
        return {'object': obj}

    @classmethod
    def render(cls, context, obj, **kwargs):
        return super().render(context, obj, **kwargs) if cls.is_shown(obj) else ''


class PostAction(PluginAction):
    """A button that posts a form of its own."""

    template_name = 'netbox_archiflow/buttons/post.html'
    url_kwargs = ['pk']
    css_class = 'btn-primary'
    icon = ''
    title = ''
    element_id = ''

    @classmethod
    def get_context(cls, context, obj):
        # NetBox renders buttons with render_to_string() and no request: the form needs the token passed in.
        return {
            'object': obj,
            'csrf_token': get_token(context['request']),
            'css_class': cls.css_class,
            'icon': cls.icon,
            'title': cls.title,
            'element_id': cls.element_id,
        }


class LinkAction(PluginAction):
    """A button that opens a page (a form, a confirmation, a download)."""

    template_name = 'netbox_archiflow/buttons/link.html'
    url_kwargs = ['pk']
    css_class = 'btn-primary'
    icon = ''
    element_id = ''
    query = ''

    @classmethod
    def get_query(cls, obj):
        return cls.query

    @classmethod
    def get_context(cls, context, obj):
        return {
            'object': obj,
            'query': cls.get_query(obj),
            'css_class': cls.css_class,
            'icon': cls.icon,
            'element_id': cls.element_id,
        }


#
# Segments
#


class AllocateSegments(LinkAction):
    """Open the allocate form (needs netbox_archiflow.allocate_segment)."""

    name = 'allocate'
    label = _('Allocate')
    permissions_required = {'allocate'}
    url_kwargs = []
    css_class = 'btn-success'
    icon = 'mdi-lan-connect'


class ReleaseSegment(PostAction):
    """Release an allocated segment (needs netbox_archiflow.release_segment)."""

    name = 'release'
    label = _('Release')
    permissions_required = {'release'}
    css_class = 'btn-warning'
    icon = 'mdi-lan-disconnect'
    title = _('Return this segment to its pool')

    @classmethod
    def is_shown(cls, obj):
        return obj.is_allocated


#
# IP pools and allocations
#


class AllocateIP(LinkAction):
    """Allocate an address from the pool: adds an IP allocation."""

    name = 'allocate'
    label = _('Allocate')
    permission_model = 'netbox_archiflow.ipallocation'
    permissions_required = {'add'}
    icon = 'mdi-plus-network'

    @classmethod
    def is_shown(cls, obj):
        return obj.is_active


class ReleaseAllocation(LinkAction):
    """Open the release confirmation, coming back to the allocation."""

    name = 'release'
    label = _('Release')
    permissions_required = {'change'}
    css_class = 'btn-warning'
    icon = 'mdi-lan-disconnect'

    @classmethod
    def get_query(cls, obj):
        return f'return_url={obj.get_absolute_url()}'

    @classmethod
    def is_shown(cls, obj):
        return obj.is_active


#
# Alerts
#


class AcknowledgeAlert(PostAction):
    name = 'acknowledge'
    label = _('Acknowledge')
    permissions_required = {'change'}
    css_class = 'btn-warning'
    icon = 'mdi-check'

    @classmethod
    def is_shown(cls, obj):
        return obj.resolved_at is None and obj.acknowledged_at is None


class ResolveAlert(LinkAction):
    """Open the resolve confirmation (resolving cannot be undone)."""

    name = 'resolve'
    label = _('Resolve')
    permissions_required = {'change'}
    css_class = 'btn-success'
    icon = 'mdi-check-all'

    @classmethod
    def is_shown(cls, obj):
        return obj.resolved_at is None


#
# Diagrams
#


class ImportDiagramFiles(LinkAction):
    """Upload several .drawio / .xml files at once, one new diagram each (needs add permission)."""

    name = 'import_files'
    label = _('Import files')
    permissions_required = {'add'}
    url_kwargs = []
    css_class = 'btn-cyan'
    icon = 'mdi-file-upload-outline'


class GenerateDiagram(LinkAction):
    name = 'generate'
    label = _('Generate from NetBox')
    permissions_required = {'add'}
    url_kwargs = []
    css_class = 'btn-outline-primary'
    icon = 'mdi-sitemap-outline'
    element_id = 'generate-from-netbox'


class NewDiagramFromTemplate(LinkAction):
    name = 'from_template'
    label = _('New from template')
    permissions_required = {'add'}
    url_kwargs = []
    css_class = 'btn-outline-primary'
    icon = 'mdi-file-document-multiple-outline'


class CreateDiagramFromTemplate(LinkAction):
    """On a template's page: a new diagram from this template."""

    name = 'from_template'
    label = _('Create diagram')
    permission_model = 'netbox_archiflow.diagram'
    permissions_required = {'add'}
    icon = 'mdi-plus-thick'

    @classmethod
    def get_url(cls, obj):
        return reverse('plugins:netbox_archiflow:diagram_from_template')

    @classmethod
    def get_query(cls, obj):
        return f'template={obj.pk}'

    @classmethod
    def is_shown(cls, obj):
        return obj.is_active


class DownloadDiagram(LinkAction):
    name = 'download'
    label = _('.drawio')
    permissions_required = {'view'}
    css_class = 'btn-outline-secondary'
    icon = 'mdi-download'
    element_id = 'download-drawio'


class DownloadPreview(LinkAction):
    name = 'preview'
    label = _('SVG')
    permissions_required = {'view'}
    css_class = 'btn-outline-secondary'
    icon = 'mdi-download'
    query = 'download=1'


class OpenEditor(LinkAction):
    name = 'editor'
    label = _('Open editor')
    permissions_required = {'change'}
    icon = 'mdi-draw'
    element_id = 'open-editor'

    @classmethod
    def permission_object(cls, obj):
        return obj


class RefreshDiagram(PostAction):
    """Regenerate a generated diagram from NetBox, keeping its layout (needs change permission)."""

    name = 'refresh'
    label = _('Refresh from NetBox')
    permissions_required = {'change'}
    css_class = 'btn-teal'
    icon = 'mdi-refresh'
    title = _('Regenerate from NetBox, keeping the layout')
    element_id = 'refresh-diagram'

    @classmethod
    def is_shown(cls, obj):
        return isinstance(obj.metadata, dict) and bool(obj.metadata.get('generator'))


class RestoreVersion(PostAction):
    """On a version's page: make it the diagram's content again (needs change permission on the diagram)."""

    name = 'restore'
    label = _('Restore this version')
    permission_model = 'netbox_archiflow.diagram'
    permissions_required = {'change'}
    css_class = 'btn-warning'
    icon = 'mdi-restore'

    @classmethod
    def get_url(cls, obj):
        return reverse('plugins:netbox_archiflow:diagram_restore', args=[obj.diagram_id, obj.version_number])

    @classmethod
    def permission_object(cls, obj):
        return obj.diagram

    @classmethod
    def is_shown(cls, obj):
        return obj.version_number != obj.diagram.version
