"""Delete the rows that tests committed through a live server (which no test transaction can roll back)."""

from contextlib import contextmanager

# Rows the plugin's pages and APIs may create, in an order that deletes dependants first.
MODELS = (
    'core.ObjectChange',
    'netbox_archiflow.Alert',
    'netbox_archiflow.IPAllocation',
    'netbox_archiflow.IPPool',
    'netbox_archiflow.Segment',
    'netbox_archiflow.DiagramVersion',
    'netbox_archiflow.Diagram',
    'netbox_archiflow.DiagramTemplate',
    'ipam.IPAddress',
    'ipam.Prefix',
    'ipam.VLAN',
    'ipam.VLANGroup',
    'ipam.VRF',
    'dcim.SiteGroup',
    'ipam.Role',
    'tenancy.Tenant',
    'users.Token',
    'users.User',
)


@contextmanager
def deleting_created_rows():
    """Every row of MODELS created inside the block is deleted when it ends (primary keys only grow)."""
    from django.apps import apps
    from django.db.models import Max

    models = [apps.get_model(label) for label in MODELS]
    last = {model: model.objects.aggregate(last=Max('pk'))['last'] or 0 for model in models}
    try:
        yield
    finally:
        for model in models:
            model.objects.filter(pk__gt=last[model]).delete()
