"""Demo segments in every (site group, VRF) pool of the core demo, some free and some allocated, and Kubernetes
clusters holding their Production segments."""

from dcim.models import Site, SiteGroup
from ipam.models import VRF
from virtualization.models import Cluster, ClusterType

from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

from .core import SITE_GROUPS

# VRF -> (prefix length, segments per pool, segments allocated per pool, cluster name suffix)
POOLS = {'Production': (24, 4, 2, 'prod'), 'Management': (26, 3, 1, 'mgmt')}
# NetBox clusters of type kubernetes (develop/run has a cluster_segments rule for it in VRF Production):
# name -> scope. The first takes over the segments the demo allocated under its name; the others, scoped to a
# site, get theirs from the site's group.
CLUSTERS = {
    'k8s-eu-west-prod': ('dcim.sitegroup', 'eu-west'),
    'k8s-ams1': ('dcim.site', 'ams1'),
    'k8s-sin1': ('dcim.site', 'sin1'),
}


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
    return created + load_clusters()


def load_clusters():
    """Kubernetes clusters holding their Production segment. The cluster_segments rule allocates them when the
    cluster is saved; without the rule, the same service is called here (idempotent either way)."""
    created = 0
    cluster_type, type_created = ClusterType.objects.get_or_create(slug='kubernetes', defaults={'name': 'Kubernetes'})
    created += type_created
    production = VRF.objects.get(name='Production')
    for name, (scope_type, slug) in CLUSTERS.items():
        scope = SiteGroup.objects.get(slug=slug) if scope_type == 'dcim.sitegroup' else Site.objects.get(slug=slug)
        cluster = Cluster.objects.filter(name=name).first()
        if cluster is None:
            cluster = Cluster(name=name, type=cluster_type, scope=scope, status='active')
            cluster.full_clean()
            cluster.save()
            created += 1
        service.allocate_segments(cluster._site_group, production, cluster)
    return created
