"""Shared test data for segments: a (site group, VRF) pool with a container prefix."""

from django.contrib.contenttypes.models import ContentType

from dcim.models import SiteGroup
from ipam.models import VRF, Prefix, Role
from netbox_archiflow.services import segments as service
from tenancy.models import Tenant


def ensure_settings_objects():
    """The tenant and roles named in the dev/test PLUGINS_CONFIG (the plugin never creates them).

    Returns the objects this call created, for tests that commit and must delete them again.
    """
    tenant, tenant_created = Tenant.objects.get_or_create(slug='redbull', defaults={'name': 'RedBull'})
    role, role_created = Role.objects.get_or_create(slug='data', defaults={'name': 'Data'})
    return [obj for obj, created in ((tenant, tenant_created), (role, role_created)) if created]


def make_pool(name, container='10.99.0.0/16'):
    ensure_settings_objects()
    site_group = SiteGroup.objects.create(name=f'SG {name}', slug=f'sg-{name}')
    vrf = VRF.objects.create(name=f'VRF {name}', enforce_unique=True)
    Prefix.objects.create(
        prefix=container,
        vrf=vrf,
        status='container',
        scope_type=ContentType.objects.get_for_model(SiteGroup),
        scope_id=site_group.pk,
    )
    return site_group, vrf


def make_segments(site_group, vrf, count, length=24, **kwargs):
    return [
        service.create_segment(site_group=site_group, vrf=vrf, prefix_length=length, **kwargs) for _ in range(count)
    ]
