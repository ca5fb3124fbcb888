from netbox.api.fields import ChoiceField, ContentTypeField
from netbox.api.gfk_fields import GFKSerializerField
from netbox.api.serializers import NetBoxModelSerializer
from rest_framework import serializers
from users.api.serializers import UserSerializer

from netbox_archiflow.api.mixins import ListedTagsMixin, ObjectURLsMixin, SafeReferencesMixin, SharedUserReferencesMixin
from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.models import Alert

__all__ = ('AlertSerializer',)


class AlertSerializer(
    ObjectURLsMixin, ListedTagsMixin, SharedUserReferencesMixin, SafeReferencesMixin, NetBoxModelSerializer
):
    """An alert raised by ArchiFlow about a pool, an address or a device; acknowledged and resolved, never created."""

    user_fields = ('acknowledged_by', 'resolved_by')

    alert_type = ChoiceField(choices=AlertTypeChoices, read_only=True)
    severity = ChoiceField(choices=AlertSeverityChoices, read_only=True)
    object_type = ContentTypeField(read_only=True)
    object = GFKSerializerField(read_only=True)
    acknowledged_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    resolved_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            'id',
            'url',
            'display_url',
            'display',
            'alert_type',
            'severity',
            'object_type',
            'object_id',
            'object',
            'object_repr',
            'message',
            'details',
            'is_open',
            'acknowledged_by',
            'acknowledged_at',
            'resolved_by',
            'resolved_at',
            'tags',
            'custom_fields',
            'created',
            'last_updated',
        ]
        read_only_fields = ('object_id', 'object_repr', 'message', 'details', 'acknowledged_at', 'resolved_at')
        brief_fields = ('id', 'url', 'display', 'alert_type', 'severity', 'is_open')
