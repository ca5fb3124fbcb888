"""Pool usage counters kept by PostgreSQL triggers.

``IPPoolUsage`` and ``IPPoolOccupiedAddress`` are written only by the triggers that
``netbox_archiflow.usage_triggers.InstallPoolUsageTriggers`` installs (its docstring tells how they work).
"""

import django.db.models.deletion
from django.db import migrations, models

from netbox_archiflow.usage_triggers import InstallPoolUsageTriggers

# The counter rows go with their pool: the models declare DO_NOTHING without a database constraint.
FOREIGN_KEYS = """
ALTER TABLE netbox_archiflow_ippoolusage ADD CONSTRAINT netbox_archiflow_ippoolusage_pool
    FOREIGN KEY (pool_id) REFERENCES netbox_archiflow_ippool (id) ON DELETE CASCADE;
ALTER TABLE netbox_archiflow_ippooloccupiedaddress ADD CONSTRAINT netbox_archiflow_ippooloccupied_pool
    FOREIGN KEY (pool_id) REFERENCES netbox_archiflow_ippool (id) ON DELETE CASCADE;
"""

class Migration(migrations.Migration):

    dependencies = [
        ('netbox_archiflow', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='IPPoolUsage',
            fields=[
                ('pool', models.OneToOneField(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='usage_counts', serialize=False, to='netbox_archiflow.ippool')),
                ('vrf_id', models.BigIntegerField(editable=False, null=True)),
                ('first', models.GenericIPAddressField(editable=False)),
                ('last', models.GenericIPAddressField(editable=False)),
                ('gateway', models.GenericIPAddressField(editable=False, null=True)),
                ('total', models.DecimalField(decimal_places=0, editable=False, max_digits=39)),
                ('populated', models.DecimalField(decimal_places=0, editable=False, max_digits=39)),
                ('occupied', models.BigIntegerField(editable=False)),
                ('allocated', models.BigIntegerField(editable=False)),
            ],
            options={
                'verbose_name': 'IP pool usage',
            },
        ),
        migrations.CreateModel(
            name='IPPoolOccupiedAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ('address', models.GenericIPAddressField(editable=False)),
                ('pool', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='netbox_archiflow.ippool')),
            ],
            options={
                'verbose_name': 'IP pool occupied address',
                'constraints': [models.UniqueConstraint(fields=('pool', 'address'), name='netbox_archiflow_ippooloccupied_address')],
            },
        ),
        migrations.RunSQL(FOREIGN_KEYS, migrations.RunSQL.noop),
        InstallPoolUsageTriggers(),
    ]
