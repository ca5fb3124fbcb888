import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from netbox.tables import NetBoxTable, OrganizationalModelTable, PrimaryModelTable, columns

from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion

__all__ = ('DiagramTable', 'DiagramTemplateTable', 'DiagramVersionTable')

THUMBNAIL = (
    '<a href="{{ record.get_absolute_url }}"><img '
    'src="{% url \'plugins:netbox_archiflow:diagram_preview\' pk=record.pk %}?v={{ record.version }}" '
    'alt="" loading="lazy" class="archiflow-thumbnail" width="96" height="54"></a>'
)

RESTORE = (
    '{% if record.version_number != record.diagram.version %}'
    '<form method="post" class="d-inline" action="'
    "{% url 'plugins:netbox_archiflow:diagram_restore' pk=record.diagram_id number=record.version_number %}\">"
    '{% csrf_token %}<button type="submit" class="btn btn-sm btn-warning" title="Restore">'
    '<i class="mdi mdi-restore"></i> Restore</button></form>'
    '{% else %}<span class="badge text-bg-success">current</span>{% endif %}'
)


class DiagramTable(PrimaryModelTable):
    thumbnail = columns.TemplateColumn(template_code=THUMBNAIL, verbose_name=_('Preview'), orderable=False)
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    site = tables.Column(verbose_name=_('Site'), linkify=True)
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    version = tables.Column(verbose_name=_('Version'))
    created_by = tables.Column(verbose_name=_('Created by'))
    updated_by = tables.Column(verbose_name=_('Updated by'))
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:diagram_list')

    class Meta(PrimaryModelTable.Meta):
        model = Diagram
        fields = (
            'pk', 'id', 'thumbnail', 'name', 'site', 'status', 'version', 'description', 'created_by', 'updated_by',
            'owner', 'comments', 'tags', 'created', 'last_updated',
        )  # fmt: skip
        default_columns = ('pk', 'thumbnail', 'name', 'site', 'status', 'version', 'updated_by', 'last_updated')


class DiagramVersionTable(NetBoxTable):
    actions = columns.ActionsColumn(actions=())
    version_number = tables.Column(verbose_name=_('Version'), linkify=True)
    diagram = tables.Column(verbose_name=_('Diagram'), linkify=True)
    kind = columns.ChoiceFieldColumn(verbose_name=_('Kind'))
    change_summary = tables.Column(verbose_name=_('Change summary'))
    author = tables.Column(verbose_name=_('Author'))
    restore = columns.TemplateColumn(template_code=RESTORE, verbose_name='', orderable=False)

    class Meta(NetBoxTable.Meta):
        model = DiagramVersion
        fields = ('pk', 'id', 'diagram', 'version_number', 'kind', 'change_summary', 'author', 'created', 'restore')
        default_columns = ('version_number', 'diagram', 'kind', 'change_summary', 'author', 'created', 'restore')


class DiagramTemplateTable(OrganizationalModelTable):
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    category = tables.Column(verbose_name=_('Category'))
    is_active = columns.BooleanColumn(verbose_name=_('Active'))
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:diagramtemplate_list')

    class Meta(OrganizationalModelTable.Meta):
        model = DiagramTemplate
        fields = (
            'pk', 'id', 'name', 'slug', 'category', 'is_active', 'description', 'owner', 'comments', 'tags', 'created',
            'last_updated',
        )  # fmt: skip
        default_columns = ('pk', 'name', 'category', 'is_active', 'description')
