import django_filters
import netaddr
from dcim.models import Device, Interface
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ipam.models import VLAN, VRF, IPAddress, Prefix
from netbox.filtersets import NetBoxModelFilterSet, PrimaryModelFilterSet
from users.models import User
from utilities.filters import MultiValueCharFilter
from utilities.filtersets import register_filterset

from netbox_archiflow.choices import PoolTypeChoices
from netbox_archiflow.models import IPAllocation, IPPool

__all__ = ('IPAllocationFilterSet', 'IPPoolFilterSet')


@register_filterset
class IPPoolFilterSet(PrimaryModelFilterSet):
    prefix_id = django_filters.ModelMultipleChoiceFilter(queryset=Prefix.objects.all(), label=_('Prefix (ID)'))
    vrf_id = django_filters.ModelMultipleChoiceFilter(
        field_name='prefix__vrf', queryset=VRF.objects.all(), label=_('VRF (ID)')
    )
    vrf = django_filters.ModelMultipleChoiceFilter(
        field_name='prefix__vrf__name', to_field_name='name', queryset=VRF.objects.all(), label=_('VRF (name)')
    )
    vlan_id = django_filters.ModelMultipleChoiceFilter(queryset=VLAN.objects.all(), label=_('VLAN (ID)'))
    pool_type = django_filters.MultipleChoiceFilter(choices=PoolTypeChoices)
    network = django_filters.CharFilter(method='filter_network', label=_('Network (CIDR) the pool covers'))
    contains = django_filters.CharFilter(method='filter_contains', label=_('Pools containing this address'))
    dns_servers = MultiValueCharFilter(method='filter_dns', label=_('DNS server'))
    gateway = MultiValueCharFilter(label=_('Gateway'))

    class Meta:
        model = IPPool
        fields = ('id', 'name', 'is_active', 'alert_threshold', 'description')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        query = Q(name__icontains=value) | Q(description__icontains=value)
        try:
            network = netaddr.IPNetwork(value.strip())
            query |= Q(prefix__prefix__net_contains_or_equals=str(network))
        except (netaddr.AddrFormatError, ValueError):
            pass
        return queryset.filter(query)

    def filter_network(self, queryset, name, value):
        try:
            return queryset.filter(prefix__prefix=str(netaddr.IPNetwork(value.strip()).cidr))
        except (netaddr.AddrFormatError, ValueError):
            return queryset.none()

    def filter_contains(self, queryset, name, value):
        try:
            return queryset.filter(prefix__prefix__net_contains_or_equals=str(netaddr.IPNetwork(value.strip())))
        except (netaddr.AddrFormatError, ValueError):
            return queryset.none()

    def filter_dns(self, queryset, name, value):
        return queryset.filter(dns_servers__overlap=value)


@register_filterset
class IPAllocationFilterSet(NetBoxModelFilterSet):
    pool_id = django_filters.ModelMultipleChoiceFilter(queryset=IPPool.objects.all(), label=_('Pool (ID)'))
    pool = django_filters.ModelMultipleChoiceFilter(
        field_name='pool__name', to_field_name='name', queryset=IPPool.objects.all(), label=_('Pool (name)')
    )
    ip_address_id = django_filters.ModelMultipleChoiceFilter(
        queryset=IPAddress.objects.all(), label=_('IP address (ID)')
    )
    asset_id = MultiValueCharFilter(label=_('Asset ID'))
    address = MultiValueCharFilter(method='filter_address', label=_('Address'))
    device_id = django_filters.ModelMultipleChoiceFilter(queryset=Device.objects.all(), label=_('Device (ID)'))
    device = django_filters.ModelMultipleChoiceFilter(
        field_name='device__name', to_field_name='name', queryset=Device.objects.all(), label=_('Device (name)')
    )
    interface_id = django_filters.ModelMultipleChoiceFilter(queryset=Interface.objects.all(), label=_('Interface (ID)'))
    device_name = MultiValueCharFilter(lookup_expr='iexact')
    device_type = MultiValueCharFilter(lookup_expr='iexact')
    mac_address = MultiValueCharFilter(lookup_expr='iexact')
    allocated_by_id = django_filters.ModelMultipleChoiceFilter(
        queryset=User.objects.all(), label=_('Allocated by (ID)')
    )
    released_by_id = django_filters.ModelMultipleChoiceFilter(queryset=User.objects.all(), label=_('Released by (ID)'))

    class Meta:
        model = IPAllocation
        fields = ('id', 'is_active', 'allocated_at', 'released_at', 'notes')

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(asset_id__icontains=value)
            | Q(device_name__icontains=value)
            | Q(address__startswith=value)
            | Q(mac_address__icontains=value)
            | Q(notes__icontains=value)
        )

    def filter_address(self, queryset, name, value):
        hosts = []
        for item in value:
            try:
                hosts.append(str(netaddr.IPAddress(item.split('/')[0])))
            except (netaddr.AddrFormatError, ValueError):
                continue
        return queryset.filter(address__in=hosts)
