"""Choice sets of the plugin's models."""

from django.utils.translation import gettext_lazy as _
from utilities.choices import Choice, ChoiceSet


class SegmentStatusChoices(ChoiceSet):
    STATUS_FREE = 'free'
    STATUS_ALLOCATED = 'allocated'

    CHOICES = [
        (STATUS_FREE, _('Free'), 'green'),
        (STATUS_ALLOCATED, _('Allocated'), 'blue'),
    ]


class PoolTypeChoices(ChoiceSet):
    key = 'IPPool.pool_type'

    TYPE_STATIC = 'static'
    TYPE_DHCP = 'dhcp'
    TYPE_RESERVED = 'reserved'

    CHOICES = [
        Choice(TYPE_STATIC, _('Static'), color='blue', description=_('Addresses handed out by allocation')),
        Choice(TYPE_DHCP, _('DHCP'), color='cyan', description=_('Addresses handed out by allocation for DHCP')),
        Choice(TYPE_RESERVED, _('Reserved'), color='gray', description=_('Never hands out addresses automatically')),
    ]


class AlertTypeChoices(ChoiceSet):
    key = 'Alert.alert_type'

    TYPE_POOL_EXHAUSTED = 'pool_exhausted'
    TYPE_POOL_THRESHOLD = 'pool_threshold'
    TYPE_IP_CONFLICT = 'ip_conflict'
    TYPE_DEVICE_DOWN = 'device_down'
    TYPE_SEGMENT_UNAVAILABLE = 'segment_unavailable'

    CHOICES = [
        Choice(TYPE_POOL_EXHAUSTED, _('Pool exhausted'), color='red'),
        Choice(TYPE_POOL_THRESHOLD, _('Pool threshold'), color='orange'),
        Choice(TYPE_IP_CONFLICT, _('IP conflict'), color='red'),
        Choice(TYPE_DEVICE_DOWN, _('Device down'), color='red'),
        Choice(TYPE_SEGMENT_UNAVAILABLE, _('Segment unavailable'), color='orange'),
    ]


class AlertStatusChoices(ChoiceSet):
    """Where an alert is in its life: derived from its acknowledged/resolved times, not stored."""

    STATUS_OPEN = 'open'
    STATUS_ACKNOWLEDGED = 'acknowledged'
    STATUS_RESOLVED = 'resolved'

    CHOICES = [
        Choice(STATUS_OPEN, _('Open'), color='red'),
        Choice(STATUS_ACKNOWLEDGED, _('Acknowledged'), color='orange'),
        Choice(STATUS_RESOLVED, _('Resolved'), color='green'),
    ]


class AlertSeverityChoices(ChoiceSet):
    key = 'Alert.severity'

    SEVERITY_CRITICAL = 'critical'
    SEVERITY_WARNING = 'warning'
    SEVERITY_INFO = 'info'

    CHOICES = [
        Choice(SEVERITY_CRITICAL, _('Critical'), color='red'),
        Choice(SEVERITY_WARNING, _('Warning'), color='orange'),
        Choice(SEVERITY_INFO, _('Info'), color='blue'),
    ]


class DiagramStatusChoices(ChoiceSet):
    key = 'Diagram.status'

    STATUS_DRAFT = 'draft'
    STATUS_LIVE = 'live'
    STATUS_ARCHIVED = 'archived'

    CHOICES = [
        (STATUS_DRAFT, _('Draft'), 'cyan'),
        (STATUS_LIVE, _('Live'), 'green'),
        (STATUS_ARCHIVED, _('Archived'), 'gray'),
    ]


class DiagramVersionKindChoices(ChoiceSet):
    KIND_MANUAL = 'manual'
    KIND_AUTOSAVE = 'autosave'
    KIND_RESTORE = 'restore'
    KIND_REFRESH = 'refresh'

    CHOICES = [
        (KIND_MANUAL, _('Manual'), 'blue'),
        (KIND_AUTOSAVE, _('Autosave'), 'gray'),
        (KIND_RESTORE, _('Restore'), 'orange'),
        (KIND_REFRESH, _('Refresh from NetBox'), 'green'),
    ]
