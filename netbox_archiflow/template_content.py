"""Segments panels on the Site Group and VRF pages."""

from django.db.models import Count, Q

from netbox.plugins import PluginTemplateExtension
from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.models import Segment

PANEL_ROWS = 25


class SegmentsPanel(PluginTemplateExtension):
    lookup = None

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
        segments = queryset.select_related('prefix', 'vlan').order_by('prefix__prefix')[:PANEL_ROWS]
        return self.render(
            'netbox_archiflow/inc/segments_panel.html',
            extra_context={'segments': segments, 'filter': f'{self.lookup}_id={obj.pk}', **counts},
        )


class SiteGroupSegments(SegmentsPanel):
    models = ['dcim.sitegroup']
    lookup = 'site_group'


class VRFSegments(SegmentsPanel):
    models = ['ipam.vrf']
    lookup = 'vrf'


template_extensions = [SiteGroupSegments, VRFSegments]
