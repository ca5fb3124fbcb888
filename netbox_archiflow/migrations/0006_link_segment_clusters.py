"""Link the allocated segments whose holder name is the name of exactly one NetBox cluster to that cluster."""

from django.db import migrations
from django.db.models import Count


def link_segments(apps, schema_editor):
    Segment = apps.get_model('netbox_archiflow', 'Segment')
    Cluster = apps.get_model('virtualization', 'Cluster')
    names = (
        Segment.objects.filter(status='allocated', netbox_cluster__isnull=True)
        .values_list('cluster', flat=True)
        .distinct()
    )
    unique = (
        Cluster.objects.filter(name__in=list(names))
        .values('name')
        .annotate(clusters=Count('pk'))
        .filter(clusters=1)
        .values_list('name', flat=True)
    )
    for cluster in Cluster.objects.filter(name__in=list(unique)):
        Segment.objects.filter(status='allocated', netbox_cluster__isnull=True, cluster=cluster.name).update(
            netbox_cluster=cluster
        )


class Migration(migrations.Migration):
    dependencies = [
        ('netbox_archiflow', '0005_segment_netbox_cluster'),
    ]

    operations = [
        migrations.RunPython(link_segments, migrations.RunPython.noop),
    ]
