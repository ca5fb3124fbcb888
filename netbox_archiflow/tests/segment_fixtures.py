"""Shared test data for segments: a (site group, VRF) pool with a container prefix."""

import uuid
from contextlib import contextmanager

from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from ipam.models import VLAN, VRF, Prefix, Role, VLANGroup
from tenancy.models import Tenant

from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service


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


@contextmanager
def committed_pools(*sizes):
    """Committed (site group, VRF) pools with ``size`` free /24 segments each; removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    pools = []
    settings_objects = ensure_settings_objects()
    try:
        for index, size in enumerate(sizes):
            site_group, vrf = make_pool(f'cc-{tag}-{index}', f'10.{200 + index}.0.0/16')
            make_segments(site_group, vrf, size)
            pools.append((site_group, vrf))
        yield pools
    finally:
        for site_group, vrf in pools:
            for segment in Segment.objects.filter(site_group=site_group):
                segment.delete()
            Prefix.objects.filter(vrf=vrf).delete()
            VLAN.objects.filter(group__scope_id=site_group.pk, group__name__contains=vrf.name).delete()
            VLANGroup.objects.filter(scope_id=site_group.pk, name__contains=vrf.name).delete()
            vrf.delete()
            site_group.delete()
        for obj in settings_objects:
            obj.delete()
