from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from netbox.object_actions import ObjectAction

__all__ = ('AllocateSegments', 'ImportDiagramFiles', 'RefreshDiagram', 'ReleaseSegment')


class AllocateSegments(ObjectAction):
    """Open the allocate form (needs netbox_archiflow.allocate_segment)."""

    name = 'allocate'
    label = _('Allocate')
    permissions_required = {'allocate'}
    template_name = 'netbox_archiflow/buttons/allocate.html'


class ReleaseSegment(ObjectAction):
    """Release an allocated segment (needs netbox_archiflow.release_segment)."""

    name = 'release'
    label = _('Release')
    permissions_required = {'release'}
    url_kwargs = ['pk']
    template_name = 'netbox_archiflow/buttons/release.html'

    @classmethod
    def get_context(cls, context, obj):
        # NetBox renders action buttons with render_to_string() and no request: the form needs the token passed in.
        return {'object': obj, 'csrf_token': get_token(context['request'])}


class ImportDiagramFiles(ObjectAction):
    """Upload several .drawio / .xml files at once, one new diagram each (needs add permission)."""

    name = 'import_files'
    label = _('Import files')
    permissions_required = {'add'}
    template_name = 'netbox_archiflow/buttons/import_files.html'


class RefreshDiagram(ObjectAction):
    """Regenerate a generated diagram from NetBox, keeping its layout (needs change permission)."""

    name = 'refresh'
    label = _('Refresh from NetBox')
    permissions_required = {'change'}
    url_kwargs = ['pk']
    template_name = 'netbox_archiflow/buttons/refresh.html'

    @classmethod
    def get_context(cls, context, obj):
        return {'object': obj}
