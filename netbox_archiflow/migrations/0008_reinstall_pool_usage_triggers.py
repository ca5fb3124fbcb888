"""The row-set trigger functions and triggers come from templates (``usage_triggers.ROWS_WRITTEN`` and
``ROW_SET_TRIGGERS``): the same SQL, laid out once. Reinstalling makes a database migrated before hold the
module's text exactly."""

from django.db import migrations

from netbox_archiflow.usage_triggers import InstallPoolUsageTriggers


class Migration(migrations.Migration):
    dependencies = [
        ('netbox_archiflow', '0007_diagram_links'),
    ]

    operations = [
        InstallPoolUsageTriggers(uninstall_on_reverse=False),
    ]
