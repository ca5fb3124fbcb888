from django.utils.translation import gettext_lazy as _
from netbox.plugins import PluginMenu, PluginMenuButton, PluginMenuItem


def _item(model, label, add=True, bulk_import=True, extra_buttons=()):
    """A menu entry for one plugin model, with the usual add and import buttons."""
    buttons = ()
    if add:
        buttons += (
            PluginMenuButton(
                link=f'plugins:netbox_archiflow:{model}_add',
                title=_('Add'),
                icon_class='mdi mdi-plus-thick',
                permissions=[f'netbox_archiflow.add_{model}'],
            ),
        )
    if bulk_import:
        buttons += (
            PluginMenuButton(
                link=f'plugins:netbox_archiflow:{model}_bulk_import',
                title=_('Import'),
                icon_class='mdi mdi-upload',
                permissions=[f'netbox_archiflow.add_{model}'],
            ),
        )
    buttons += tuple(extra_buttons)
    return PluginMenuItem(
        link=f'plugins:netbox_archiflow:{model}_list',
        link_text=label,
        permissions=[f'netbox_archiflow.view_{model}'],
        buttons=buttons,
    )


SEGMENTS_GROUP = (
    'Segments',
    (
        _item('segment', 'Segments'),
        PluginMenuItem(
            link='plugins:netbox_archiflow:segment_allocate',
            link_text='Allocate',
            permissions=['netbox_archiflow.allocate_segment'],
        ),
    ),
)
IP_POOLS_GROUP = (
    'IP Pools',
    (
        _item('ippool', 'IP Pools'),
        _item('ipallocation', 'IP Allocations'),
    ),
)
ALERTS_GROUP = ('Alerts', (_item('alert', 'Alerts', add=False),))
DIAGRAMS_GROUP = (
    _('Diagrams'),
    (
        _item(
            'diagram',
            _('Diagrams'),
            extra_buttons=(
                PluginMenuButton(
                    link='plugins:netbox_archiflow:diagram_import_files',
                    title=_('Import .drawio files'),
                    icon_class='mdi mdi-file-upload-outline',
                    permissions=['netbox_archiflow.add_diagram'],
                ),
            ),
        ),
        PluginMenuItem(
            link='plugins:netbox_archiflow:diagram_from_template',
            link_text=_('New diagram from template'),
            permissions=['netbox_archiflow.add_diagram'],
        ),
        _item('diagramtemplate', _('Diagram templates')),
        _item('diagramversion', _('Diagram versions'), add=False, bulk_import=False),
    ),
)

menu = PluginMenu(
    label='ArchiFlow',
    icon_class='mdi mdi-sitemap-outline',
    groups=(SEGMENTS_GROUP, IP_POOLS_GROUP, ALERTS_GROUP, DIAGRAMS_GROUP),
)
