"""The row-set trigger functions are generated from one template (``usage_triggers.ROWS_WRITTEN``): the same SQL,
laid out once; reinstalling makes a database migrated before hold the module's text exactly."""

from django.db import migrations

from netbox_archiflow.usage_triggers import InstallPoolUsageTriggers


class Migration(migrations.Migration):
    dependencies = [
        ('netbox_archiflow', '0007_diagram_links'),
    ]

    operations = [
        InstallPoolUsageTriggers(uninstall_on_reverse=False),
    ]
