"""Panels on core pages: segments on Site Group, VRF and Cluster pages, the segment on Prefix and VLAN pages,
pools on Prefix and VLAN pages, the allocation on IP address pages, allocations on Device pages."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from netbox.plugins import PluginTemplateExtension

from .choices import SegmentStatusChoices
from .models import IPAllocation, IPPool, Segment
from .services.usage import pools_usage

PANEL_ROWS = 25


class SegmentsPanel(PluginTemplateExtension):
    lookup = None
    title = _('ArchiFlow segments')

    def right_page(self):
        obj = self.context['object']
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_segment'):
            return ''
        queryset = Segment.objects.restrict(request.user, 'view').filter(**{self.lookup: obj})
        counts = queryset.aggregate(
            total=Count('pk'),
            free=Count('pk', filter=Q(status=SegmentStatusChoices.STATUS_FREE)),
            allocated=Count('pk', filter=Q(status=SegmentStatusChoices.STATUS_ALLOCATED)),
        )
        segments = queryset.select_related('prefix', 'vlan', 'netbox_cluster').order_by('prefix__prefix')[:PANEL_ROWS]
        return self.render(
            'netbox_archiflow/inc/segments_panel.html',
            extra_context={
                'title': self.title,
                'segments': segments,
                'filter': f'{self.lookup}_id={obj.pk}',
                **counts,
            },
        )


class SiteGroupSegments(SegmentsPanel):
    models = ['dcim.sitegroup']
    lookup = 'site_group'


class VRFSegments(SegmentsPanel):
    models = ['ipam.vrf']
    lookup = 'vrf'


class PrefixSegment(PluginTemplateExtension):
    """The segment built on this prefix: IPAM only says "Reserved", this says for which cluster."""

    models = ['ipam.prefix']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_segment'):
            return ''
        segment = (
            Segment.objects.restrict(request.user, 'view')
            .filter(prefix=self.context['object'])
            .select_related('site_group', 'vlan', 'netbox_cluster')
            .first()
        )
        if segment is None:
            return ''
        return self.render('netbox_archiflow/inc/prefix_segment_panel.html', extra_context={'segment': segment})


class VLANSegments(PluginTemplateExtension):
    models = ['ipam.vlan']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_segment'):
            return ''
        segments = list(
            Segment.objects.restrict(request.user, 'view')
            .filter(vlan=self.context['object'])
            .select_related('prefix', 'site_group', 'netbox_cluster')
            .order_by('prefix__prefix')[:PANEL_ROWS]
        )
        if not segments:
            return ''
        return self.render('netbox_archiflow/inc/vlan_segments_panel.html', extra_context={'segments': segments})


class IPAddressAllocation(PluginTemplateExtension):
    """The allocation that owns this address (the active one, else the latest released one)."""

    models = ['ipam.ipaddress']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ipallocation'):
            return ''
        allocation = (
            IPAllocation.objects.restrict(request.user, 'view')
            .filter(ip_address=self.context['object'])
            .select_related('pool', 'device', 'interface', 'allocated_by')
            .order_by('-is_active', '-allocated_at')
            .first()
        )
        if allocation is None:
            return ''
        return self.render(
            'netbox_archiflow/inc/ipaddress_allocation_panel.html', extra_context={'allocation': allocation}
        )


class ClusterSegments(SegmentsPanel):
    models = ['virtualization.cluster']
    lookup = 'netbox_cluster'
    title = _('Segments')


class PrefixPools(PluginTemplateExtension):
    models = ['ipam.prefix']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ippool'):
            return ''
        prefix = self.context['object']
        pools = list(IPPool.objects.restrict(request.user, 'view').filter(prefix=prefix).select_related('prefix'))
        return self.render('netbox_archiflow/inc/pools_panel.html', extra_context={'pools': _with_usage(pools)})


class VLANPools(PluginTemplateExtension):
    models = ['ipam.vlan']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ippool'):
            return ''
        vlan = self.context['object']
        pools = list(IPPool.objects.restrict(request.user, 'view').filter(vlan=vlan).select_related('prefix'))
        return self.render('netbox_archiflow/inc/pools_panel.html', extra_context={'pools': _with_usage(pools)})


class DeviceAllocations(PluginTemplateExtension):
    models = ['dcim.device']

    def full_width_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ipallocation'):
            return ''
        device = self.context['object']
        allocations = list(
            IPAllocation.objects.restrict(request.user, 'view')
            .filter(device=device)
            .select_related('pool', 'interface', 'ip_address')
            .order_by('-is_active', '-allocated_at')[:50]
        )
        return self.render('netbox_archiflow/inc/device_allocations.html', extra_context={'allocations': allocations})


class GenerateDiagramButton(PluginTemplateExtension):
    """A "Generate diagram" button on the objects a diagram can be generated for."""

    kind = 'physical'

    def buttons(self):
        if not self.context['request'].user.has_perm('netbox_archiflow.add_diagram'):
            return ''
        obj = self.context['object']
        return self.render(
            'netbox_archiflow/buttons/generate_here.html',
            extra_context={
                'kind': self.kind,
                'scope_type': f'{obj._meta.app_label}.{obj._meta.model_name}',
                'name': f'{obj}'[:100],
            },
        )


class GeneratePhysicalDiagram(GenerateDiagramButton):
    models = ['dcim.site', 'dcim.location', 'dcim.rack']


class GenerateL3Diagram(GenerateDiagramButton):
    models = ['ipam.vrf']
    kind = 'l3'


def _with_usage(pools):
    usage = pools_usage(pools)
    return [(pool, usage.get(pool.pk)) for pool in pools]


template_extensions = [
    SiteGroupSegments,
    VRFSegments,
    PrefixSegment,
    VLANSegments,
    ClusterSegments,
    PrefixPools,
    VLANPools,
    IPAddressAllocation,
    DeviceAllocations,
    GeneratePhysicalDiagram,
    GenerateL3Diagram,
]
