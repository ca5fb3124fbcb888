"""A preview SVG on every diagram version, and a server-drawn preview for content that had none."""

from django.db import migrations, models

from netbox_archiflow.drawio.errors import DrawioError
from netbox_archiflow.drawio.pages import parse_diagram
from netbox_archiflow.drawio.preview import render_preview

# Stored content was accepted under the size limit of its day; do not refuse it now.
NO_LIMIT = 2**62


def _render(xml):
    try:
        return render_preview(parse_diagram(xml, NO_LIMIT))
    except DrawioError:
        return ''


def draw_missing_previews(apps, schema_editor):
    Diagram = apps.get_model('netbox_archiflow', 'Diagram')
    DiagramVersion = apps.get_model('netbox_archiflow', 'DiagramVersion')
    current = {}
    for diagram in Diagram.objects.exclude(xml='').only('pk', 'version', 'xml', 'preview_svg').iterator(chunk_size=100):
        if not diagram.preview_svg:
            diagram.preview_svg = _render(diagram.xml)
            Diagram.objects.filter(pk=diagram.pk).update(preview_svg=diagram.preview_svg)
        current[(diagram.pk, diagram.version)] = diagram.preview_svg
    for version in DiagramVersion.objects.exclude(xml='').only('pk', 'diagram_id', 'version_number', 'xml').iterator(
        chunk_size=100
    ):
        # The current version keeps the editor's exact export when the diagram has one.
        preview = current.get((version.diagram_id, version.version_number)) or _render(version.xml)
        DiagramVersion.objects.filter(pk=version.pk).update(preview_svg=preview)


class Migration(migrations.Migration):
    dependencies = [
        ('netbox_archiflow', '0003_segment_prefix_no_reverse_accessor'),
    ]

    operations = [
        migrations.AddField(
            model_name='diagramversion',
            name='preview_svg',
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="This version's picture, so a restore brings it back",
                verbose_name='preview SVG',
            ),
        ),
        migrations.RunPython(draw_missing_previews, migrations.RunPython.noop),
    ]
