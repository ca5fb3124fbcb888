"""A segment may be held by a native NetBox cluster (the free-text holder name stays)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('netbox_archiflow', '0004_diagramversion_preview_svg'),
        ('virtualization', '0060_consolidate_unique_constraints'),  # the newest in NetBox 4.7.0 (min_version)
    ]

    operations = [
        migrations.AddField(
            model_name='segment',
            name='netbox_cluster',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='archiflow_segments', to='virtualization.cluster'),
        ),
        migrations.AddConstraint(
            model_name='segment',
            constraint=models.CheckConstraint(condition=models.Q(('netbox_cluster__isnull', True), ('status', 'allocated'), _connector='OR'), name='netbox_archiflow_segment_netbox_cluster_allocated', violation_error_message='Only an allocated segment is held by a NetBox cluster.'),
        ),
    ]
