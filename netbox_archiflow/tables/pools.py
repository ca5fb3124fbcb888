import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from netbox.tables import NetBoxTable, PrimaryModelTable, columns

from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services.pools import pool_usage

__all__ = ('IPAllocationTable', 'IPPoolTable')


class PoolUsageColumn(tables.Column):
    """One figure of the pool's usage, read from its trigger-kept counters (list views select_related them)."""

    def __init__(self, key, *args, **kwargs):
        kwargs.setdefault('orderable', 'order_by' in kwargs)
        kwargs.setdefault('empty_values', ())
        super().__init__(*args, accessor='pk', **kwargs)
        self.key = key

    def render(self, record, table, **kwargs):
        value = pool_usage(record)[self.key]
        if self.key == 'utilization':
            return render_to_string(
                'helpers/utilization_graph.html',
                {'utilization': value, 'bar_class': 'bg-danger' if value >= record.alert_threshold else 'bg-success'},
            )
        return f'{value:,}'

    def value(self, record, table, **kwargs):
        return pool_usage(record)[self.key]


class IPPoolTable(PrimaryModelTable):
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    prefix = tables.Column(verbose_name=_('Prefix'), linkify=True)
    vrf = tables.Column(verbose_name=_('VRF'), accessor='prefix__vrf', linkify=True, default=_('Global'))
    gateway = tables.Column(verbose_name=_('Gateway'))
    dns_servers = columns.ArrayColumn(verbose_name=_('DNS servers'))
    vlan = tables.Column(verbose_name=_('VLAN'), linkify=True)
    pool_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    is_active = columns.BooleanColumn(verbose_name=_('Active'))
    total = PoolUsageColumn('total', verbose_name=_('Total'))
    # Sortable where the list annotates them (IPPool.objects.with_usage()).
    allocated = PoolUsageColumn('allocated', verbose_name=_('Allocated'), order_by=('usage_allocated',))
    available = PoolUsageColumn('available', verbose_name=_('Available'), order_by=('usage_available',))
    utilization = PoolUsageColumn('utilization', verbose_name=_('Utilization'), order_by=('usage_utilization',))
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:ippool_list')

    class Meta(PrimaryModelTable.Meta):
        model = IPPool
        fields = (
            'pk',
            'id',
            'name',
            'prefix',
            'vrf',
            'gateway',
            'dns_servers',
            'vlan',
            'pool_type',
            'is_active',
            'alert_threshold',
            'total',
            'allocated',
            'available',
            'utilization',
            'description',
            'comments',
            'tags',
            'created',
            'last_updated',
        )
        default_columns = ('pk', 'name', 'prefix', 'vrf', 'pool_type', 'allocated', 'available', 'utilization')


class IPAllocationTable(NetBoxTable):
    address = tables.Column(verbose_name=_('Address'), linkify=True)
    pool = tables.Column(verbose_name=_('Pool'), linkify=True)
    ip_address = tables.Column(verbose_name=_('IP address'), linkify=True)
    asset_id = tables.Column(verbose_name=_('Asset ID'))
    device = tables.Column(verbose_name=_('Device'), linkify=True)
    interface = tables.Column(verbose_name=_('Interface'), linkify=True)
    is_active = columns.BooleanColumn(verbose_name=_('Active'))
    allocated_by = tables.Column(verbose_name=_('Allocated by'))
    allocated_at = columns.DateTimeColumn(verbose_name=_('Allocated at'))
    released_by = tables.Column(verbose_name=_('Released by'))
    released_at = columns.DateTimeColumn(verbose_name=_('Released at'))
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:ipallocation_list')

    class Meta(NetBoxTable.Meta):
        model = IPAllocation
        fields = (
            'pk',
            'id',
            'address',
            'pool',
            'ip_address',
            'asset_id',
            'device',
            'interface',
            'device_name',
            'device_type',
            'mac_address',
            'is_active',
            'allocated_by',
            'allocated_at',
            'released_by',
            'released_at',
            'notes',
            'tags',
            'created',
            'last_updated',
        )
        default_columns = (
            'pk',
            'address',
            'pool',
            'asset_id',
            'device_name',
            'is_active',
            'allocated_at',
            'released_at',
        )
