import django.db.models.deletion
from django.db import migrations, models


def index_existing_diagrams(apps, schema_editor):
    """Index the links of diagrams saved before the index existed; `netbox archiflow_reindex_diagrams`
    reports any diagram whose links are refused today."""
    from netbox_archiflow.services.diagram_links import reindex

    reindex(
        apps.get_model('netbox_archiflow', 'Diagram').objects.all(),
        link_model=apps.get_model('netbox_archiflow', 'DiagramLink'),
        content_type_model=apps.get_model('contenttypes', 'ContentType'),
    )


class Migration(migrations.Migration):
    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('netbox_archiflow', '0006_link_segment_clusters'),
    ]

    operations = [
        migrations.CreateModel(
            name='DiagramLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ('page_id', models.CharField(blank=True, max_length=255)),
                ('page_name', models.CharField(blank=True, max_length=255)),
                ('cell_id', models.CharField(max_length=255)),
                ('label', models.CharField(blank=True, max_length=255)),
                ('netbox_display', models.CharField(blank=True, max_length=255)),
                ('object_id', models.PositiveBigIntegerField()),
                (
                    'diagram',
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name='links', to='netbox_archiflow.diagram'
                    ),
                ),
                (
                    'object_type',
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype'
                    ),
                ),
            ],
            options={
                'verbose_name': 'diagram link',
                'verbose_name_plural': 'diagram links',
                'ordering': ('diagram', 'page_name', 'label', 'cell_id'),
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='netbox_archiflow_link_object')],
                'constraints': [
                    models.UniqueConstraint(
                        fields=('diagram', 'page_id', 'cell_id'), name='netbox_archiflow_diagramlink_unique_cell'
                    )
                ],
            },
        ),
        migrations.RunPython(index_existing_diagrams, migrations.RunPython.noop),
    ]
