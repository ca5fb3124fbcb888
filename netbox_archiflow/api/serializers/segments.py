from dcim.api.serializers import SiteGroupSerializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from ipam.api.serializers import PrefixSerializer, VLANSerializer, VRFSerializer
from netbox.api.fields import ChoiceField
from netbox.api.serializers import PrimaryModelSerializer
from rest_framework import serializers
from virtualization.api.serializers import ClusterSerializer

from netbox_archiflow.api.mixins import SafeReferencesMixin
from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

__all__ = ('SegmentAllocateSerializer', 'SegmentSerializer')


class ReferenceField(serializers.Field):
    """Rendered as the related object's brief representation; written as whatever reference the service
    accepts (an id, a slug/name, ``{"slug": ...}``, a CIDR ...), validated by the service."""

    def __init__(self, serializer_class, **kwargs):
        self.serializer_class = serializer_class
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.serializer_class(value, nested=True, context=self.context).data

    def to_internal_value(self, data):
        return data


class RawWriteField(serializers.Field):
    """A write-only input passed unchanged to the service (which validates it and names the field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault('required', False)
        kwargs.setdefault('write_only', True)
        kwargs.setdefault('allow_null', True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class PrefixReferenceField(ReferenceField):
    pass


@extend_schema_field(OpenApiTypes.OBJECT)
class SiteGroupReferenceField(ReferenceField):
    pass


@extend_schema_field(OpenApiTypes.OBJECT)
class VRFReferenceField(ReferenceField):
    pass


def _reference_schema(key):
    return {
        'oneOf': [
            {'type': 'integer', 'minimum': 1},
            {'type': 'string', 'minLength': 1},
            {'type': 'object', 'properties': {'id': {'type': 'integer'}, key: {'type': 'string'}}},
        ]
    }


@extend_schema_field(_reference_schema('slug'))
class SiteGroupInputField(RawWriteField):
    pass


@extend_schema_field(_reference_schema('name'))
class VRFInputField(RawWriteField):
    pass


@extend_schema_field(_reference_schema('name'))
class ClusterInputField(RawWriteField):
    pass


@extend_schema_field(OpenApiTypes.INT)
class IntegerInputField(RawWriteField):
    pass


@extend_schema_field(OpenApiTypes.STR)
class StringInputField(RawWriteField):
    pass


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanInputField(RawWriteField):
    pass


class SegmentSerializer(SafeReferencesMixin, PrimaryModelSerializer):
    """A segment: a native prefix with a VLAN in a (site group, VRF) pool. To create one, ``site_group`` and ``vrf``
    are required, with either ``prefix`` (a CIDR) or ``prefix_length`` (the next free block)."""

    prefix = PrefixReferenceField(PrefixSerializer, help_text='Read: the native prefix. Write: a CIDR.')
    prefix_length = IntegerInputField(help_text='Take the next free block of this length from the container prefix')
    vrf = VRFReferenceField(VRFSerializer, required=True, help_text='Write: a VRF id or {"name": ...}')
    site_group = SiteGroupReferenceField(
        SiteGroupSerializer, required=True, help_text='Write: a site group id or {"slug": ...}'
    )
    vlan = VLANSerializer(nested=True, read_only=True)
    vlan_id = IntegerInputField(help_text='VLAN number (1-4094); default: the next free one')
    vlan_name = StringInputField(help_text='Name of a VLAN created for this segment')
    dhcp = BooleanInputField(write_only=False, allow_null=False)
    status = ChoiceField(choices=SegmentStatusChoices, read_only=True)
    cluster = serializers.CharField(read_only=True)
    netbox_cluster = ClusterSerializer(nested=True, read_only=True, allow_null=True)
    allocated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Segment
        fields = (
            'id',
            'url',
            'display_url',
            'display',
            'prefix',
            'prefix_length',
            'vrf',
            'site_group',
            'vlan',
            'vlan_id',
            'vlan_name',
            'dhcp',
            'cluster',
            'netbox_cluster',
            'status',
            'allocated_at',
            'description',
            'owner',
            'comments',
            'tags',
            'custom_fields',
            'created',
            'last_updated',
        )
        brief_fields = ('id', 'url', 'display', 'prefix', 'vlan', 'cluster', 'status', 'description')

    def validate(self, data):
        # The segment services validate every input (and name the field at fault); see services/segments.py.
        return data

    def _split(self, validated_data):
        tags = validated_data.pop('tags', None)
        add_tags = validated_data.pop('add_tags', None)
        remove_tags = validated_data.pop('remove_tags', None)
        message = validated_data.pop('changelog_message', None)
        if 'dhcp' in validated_data:
            validated_data['dhcp'] = self._boolean(validated_data['dhcp'])
        return validated_data, tags, add_tags, remove_tags, message

    @staticmethod
    def _boolean(value):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ('true', 'false', '1', '0'):
            return value.lower() in ('true', '1')
        if value in (0, 1):
            return bool(value)
        raise service.ServiceError(f'dhcp must be true or false, got {value!r}', field='dhcp')

    @property
    def _user(self):
        request = self.context.get('request')
        return getattr(request, 'user', None)

    def create(self, validated_data):
        data, tags, add_tags, _remove, message = self._split(validated_data)
        segment = service.create_segment(user=self._user, changelog_message=message, **data)
        segment._changelog_message = message
        if tags is not None:
            self._save_tags(segment, tags)
        elif add_tags:
            segment.tags.add(*[t.name for t in add_tags])
        return segment

    def update(self, instance, validated_data):
        data, tags, add_tags, remove_tags, message = self._split(validated_data)
        instance._changelog_message = message
        segment = service.update_segment(instance, user=self._user, changelog_message=message, **data)
        segment._changelog_message = message
        if tags is not None:
            self._save_tags(segment, tags)
        if add_tags:
            segment.tags.add(*[t.name for t in add_tags])
        if remove_tags:
            segment.tags.remove(*[t.name for t in remove_tags])
        return segment


class SegmentAllocateSerializer(serializers.Serializer):
    """Input of ``segments/allocate/``: which pool (site group + VRF), for which cluster, how many segments."""

    site_group = SiteGroupInputField(required=True, allow_null=False, help_text='Site group id, slug or {"slug": ...}')
    vrf = VRFInputField(required=True, allow_null=False, help_text='VRF id, name or {"name": ...}')
    cluster = ClusterInputField(
        required=True,
        allow_null=False,
        help_text='Holder name (linked to the NetBox cluster of that name when exactly one exists), '
        'or a NetBox cluster id or {"id": ...}',
    )
    count = IntegerInputField(default=1, allow_null=False, help_text='How many segments (default 1)')
