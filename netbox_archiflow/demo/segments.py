"""Demo segments in every (site group, VRF) pool of the core demo, some free and some allocated."""

from dcim.models import SiteGroup
from ipam.models import VRF
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

from .core import SITE_GROUPS

# VRF -> (prefix length, segments per pool, segments allocated per pool, cluster name suffix)
POOLS = {'Production': (24, 4, 2, 'prod'), 'Management': (26, 3, 1, 'mgmt')}


def load():
    created = 0
    for vrf_name, (length, size, allocated, suffix) in POOLS.items():
        vrf = VRF.objects.get(name=vrf_name)
        for slug in SITE_GROUPS:
            site_group = SiteGroup.objects.get(slug=slug)
            existing = Segment.objects.filter(site_group=site_group, vrf=vrf).count()
            for index in range(existing, size):
                service.create_segment(
                    site_group=site_group,
                    vrf=vrf,
                    prefix_length=length,
                    dhcp=index % 2 == 0,
                    description=f'Demo {vrf_name.lower()} segment {index + 1}',
                )
                created += 1
            if allocated:  # idempotent: the cluster gets the same segments again
                service.allocate_segments(site_group, vrf, f'k8s-{slug}-{suffix}', allocated)
    return created
