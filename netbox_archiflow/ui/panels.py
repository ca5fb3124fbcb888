"""Declarative detail-page panels."""

from django.utils.translation import gettext_lazy as _
from netbox.ui import attrs, panels


class IPPoolPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    prefix = attrs.RelatedObjectAttr('prefix', linkify=True)
    vrf = attrs.RelatedObjectAttr('prefix.vrf', linkify=True, label=_('VRF'))
    gateway = attrs.TextAttr('gateway', style='font-monospace')
    dns_servers = attrs.ArrayAttr('dns_servers', label=_('DNS servers'))
    vlan = attrs.RelatedObjectAttr('vlan', linkify=True, label=_('VLAN'))
    pool_type = attrs.ChoiceAttr('pool_type', label=_('Type'))
    is_active = attrs.BooleanAttr('is_active', label=_('Active'))
    alert_threshold = attrs.NumericAttr('alert_threshold', label=_('Alert threshold (%)'))
    description = attrs.TextAttr('description')


class IPAllocationPanel(panels.ObjectAttributesPanel):
    address = attrs.TextAttr('address', style='font-monospace')
    pool = attrs.RelatedObjectAttr('pool', linkify=True)
    ip_address = attrs.RelatedObjectAttr('ip_address', linkify=True, label=_('IP address'))
    asset_id = attrs.TextAttr('asset_id', label=_('Asset ID'))
    device = attrs.RelatedObjectAttr('device', linkify=True)
    interface = attrs.RelatedObjectAttr('interface', linkify=True)
    device_name = attrs.TextAttr('device_name')
    device_type = attrs.TextAttr('device_type')
    mac_address = attrs.TextAttr('mac_address', label=_('MAC address'), style='font-monospace')
    is_active = attrs.BooleanAttr('is_active', label=_('Active'))
    allocated_by = attrs.TextAttr('allocated_by')
    allocated_at = attrs.DateTimeAttr('allocated_at')
    released_by = attrs.TextAttr('released_by')
    released_at = attrs.DateTimeAttr('released_at')


class AlertPanel(panels.ObjectAttributesPanel):
    status = attrs.ChoiceAttr('status')
    severity = attrs.ChoiceAttr('severity')
    alert_type = attrs.ChoiceAttr('alert_type', label=_('Type'))
    object = attrs.GenericForeignKeyAttr('object', linkify=True)
    object_repr = attrs.TextAttr('object_repr', label=_('Object (as raised)'))
    message = attrs.TextAttr('message')
    created = attrs.DateTimeAttr('created', label=_('Raised'))
    acknowledged_by = attrs.TextAttr('acknowledged_by')
    acknowledged_at = attrs.DateTimeAttr('acknowledged_at')
    resolved_by = attrs.TextAttr('resolved_by')
    resolved_at = attrs.DateTimeAttr('resolved_at')
    resolution = attrs.TextAttr('details.resolution', label=_('Resolution'))


class SegmentPanel(panels.ObjectAttributesPanel):
    prefix = attrs.RelatedObjectAttr('prefix', linkify=True, label=_('Prefix'))
    vrf = attrs.RelatedObjectAttr('vrf', linkify=True, label=_('VRF'))
    site_group = attrs.RelatedObjectAttr('site_group', linkify=True, label=_('Site group'))
    vlan = attrs.RelatedObjectAttr('vlan', linkify=True, label=_('VLAN'))
    vid = attrs.NumericAttr('vlan.vid', label=_('VLAN ID'))
    vlan_group = attrs.RelatedObjectAttr('vlan.group', linkify=True, label=_('VLAN group'))
    dhcp = attrs.BooleanAttr('dhcp', label=_('DHCP'))
    description = attrs.TextAttr('description')


class SegmentStatePanel(panels.ObjectAttributesPanel):
    status = attrs.ChoiceAttr('status')
    cluster = attrs.TextAttr('cluster', style='font-monospace')
    netbox_cluster = attrs.RelatedObjectAttr('netbox_cluster', linkify=True, label=_('NetBox cluster'))
    allocated_at = attrs.DateTimeAttr('allocated_at', spec='minutes', label=_('Allocated at'))
    prefix_status = attrs.ChoiceAttr('prefix.status', label=_('Prefix status'))


class DiagramPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    site = attrs.RelatedObjectAttr('site', linkify=True)
    status = attrs.ChoiceAttr('status')
    version = attrs.NumericAttr('version')
    # Set by DiagramView: counted and fetched once per page.
    versions = attrs.TemplatedAttr('version_count', template_name='netbox_archiflow/attrs/version_count.html')
    latest_version = attrs.TemplatedAttr(
        'latest_version', label=_('Last change'), template_name='netbox_archiflow/attrs/latest_version.html'
    )
    description = attrs.TextAttr('description')
    created_by = attrs.TextAttr('created_by')
    updated_by = attrs.TextAttr('updated_by')


class DiagramTemplatePanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    category = attrs.TextAttr('category')
    description = attrs.TextAttr('description')
    is_active = attrs.BooleanAttr('is_active', label=_('Active'))


class DiagramVersionPanel(panels.ObjectAttributesPanel):
    diagram = attrs.RelatedObjectAttr('diagram', linkify=True)
    version = attrs.TemplatedAttr('version_number', template_name='netbox_archiflow/attrs/version_number.html')
    kind = attrs.ChoiceAttr('kind')
    summary = attrs.TextAttr('change_summary', label=_('Summary'))
    author = attrs.TextAttr('author')
    size = attrs.TemplatedAttr('xml', template_name='netbox_archiflow/attrs/size.html')
