import contextlib

import django_filters
import netaddr
from dcim.models import SiteGroup
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ipam.models import VLAN, VRF, Prefix
from netbox.filtersets import PrimaryModelFilterSet
from utilities.filters import TreeNodeMultipleChoiceFilter
from utilities.filtersets import register_filterset
from virtualization.models import Cluster

from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.inputs import parse_id
from netbox_archiflow.models import Segment

__all__ = ('SegmentFilterSet',)


@register_filterset
class SegmentFilterSet(PrimaryModelFilterSet):
    # As NetBox's own site group filters: a group stands for itself and the groups below it.
    site_group_id = TreeNodeMultipleChoiceFilter(
        queryset=SiteGroup.objects.all(),
        field_name='site_group',
        lookup_expr='in',
        label=_('Site group (ID)'),
    )
    site_group = TreeNodeMultipleChoiceFilter(
        queryset=SiteGroup.objects.all(),
        field_name='site_group',
        lookup_expr='in',
        to_field_name='slug',
        label=_('Site group (slug)'),
    )
    vrf_id = django_filters.ModelMultipleChoiceFilter(
        queryset=VRF.objects.all(),
        label=_('VRF (ID)'),
    )
    vrf = django_filters.ModelMultipleChoiceFilter(
        field_name='vrf__name',
        queryset=VRF.objects.all(),
        to_field_name='name',
        label=_('VRF (name)'),
    )
    vlan_id = django_filters.ModelMultipleChoiceFilter(
        queryset=VLAN.objects.all(),
        label=_('VLAN (ID)'),
    )
    vid = django_filters.NumberFilter(
        field_name='vlan__vid',
        label=_('VLAN number (1-4094)'),
    )
    netbox_cluster_id = django_filters.ModelMultipleChoiceFilter(
        queryset=Cluster.objects.all(),
        label=_('NetBox cluster (ID)'),
    )
    netbox_cluster = django_filters.ModelMultipleChoiceFilter(
        field_name='netbox_cluster__name',
        queryset=Cluster.objects.all(),
        to_field_name='name',
        label=_('NetBox cluster (name)'),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=SegmentStatusChoices,
    )
    prefix_id = django_filters.ModelMultipleChoiceFilter(
        queryset=Prefix.objects.all(),
        label=_('Prefix (ID)'),
    )
    prefix = django_filters.CharFilter(
        method='filter_prefix',
        label=_('Prefix (CIDR)'),
    )

    class Meta:
        model = Segment
        fields = ('id', 'dhcp', 'cluster', 'allocated_at', 'description')

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = (
            Q(cluster__icontains=value)
            | Q(description__icontains=value)
            | Q(vlan__name__icontains=value)
            | Q(prefix__description__icontains=value)
        )
        with contextlib.suppress(netaddr.AddrFormatError, ValueError):
            query |= Q(prefix__prefix__net_contains_or_equals=str(netaddr.IPNetwork(value).cidr))
        if (vid := parse_id(value)) is not None and vid <= 4094:
            query |= Q(vlan__vid=vid)
        return queryset.filter(query)

    def filter_prefix(self, queryset, name, value):
        try:
            return queryset.filter(prefix__prefix=str(netaddr.IPNetwork(value.strip()).cidr))
        except (netaddr.AddrFormatError, ValueError):
            return queryset.none()
