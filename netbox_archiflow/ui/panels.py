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
