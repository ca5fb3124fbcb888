from netbox.search import SearchIndex

from .models import Alert, Diagram, DiagramTemplate, IPAllocation, IPPool, Segment


class SegmentIndex(SearchIndex):
    model = Segment
    fields = (
        ('network', 100),
        ('cluster', 100),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('vrf', 'site_group', 'vlan', 'status', 'cluster', 'netbox_cluster', 'description')


class IPPoolIndex(SearchIndex):
    model = IPPool
    fields = (('name', 100), ('gateway', 300), ('description', 500), ('comments', 5000))
    display_attrs = ('prefix', 'pool_type', 'is_active', 'description')


class IPAllocationIndex(SearchIndex):
    model = IPAllocation
    fields = (('address', 100), ('asset_id', 100), ('device_name', 150), ('mac_address', 300), ('notes', 5000))
    display_attrs = ('pool', 'asset_id', 'device_name', 'is_active')


class AlertIndex(SearchIndex):
    model = Alert
    fields = (('object_repr', 200), ('message', 500))
    display_attrs = ('alert_type', 'severity', 'created', 'resolved_at')


class DiagramIndex(SearchIndex):
    model = Diagram
    fields = (
        ('name', 100),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('site', 'status', 'version', 'description')


class DiagramTemplateIndex(SearchIndex):
    model = DiagramTemplate
    fields = (
        ('name', 100),
        ('slug', 110),
        ('category', 300),
        ('description', 500),
    )
    display_attrs = ('category', 'description')


indexes = [SegmentIndex, IPPoolIndex, IPAllocationIndex, AlertIndex, DiagramIndex, DiagramTemplateIndex]
