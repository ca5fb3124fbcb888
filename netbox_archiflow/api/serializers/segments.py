from dcim.api.serializers import SiteGroupSerializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from ipam.api.serializers import PrefixSerializer, VLANSerializer, VRFSerializer
from netbox.api.fields import ChoiceField
from netbox.api.serializers import PrimaryModelSerializer
from rest_framework import serializers
from virtualization.api.serializers import ClusterSerializer

from netbox_archiflow.api.mixins import ListedTagsMixin, ObjectURLsMixin, SafeReferencesMixin
from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

__all__ = ('SegmentAllocateSerializer', 'SegmentSerializer')


class ServiceReference:
    """Mixed into a nested NetBox serializer: rendered as NetBox's brief object, written as the value the segment
    service takes (``resolve``: an id, a slug or name, ``{"slug": ...}``...), which names the field when it is bad.
    ``request_schema`` documents what may be written (``api/schema.py``)."""

    resolve = None
    request_schema = None

    def to_internal_value(self, data):
        return data if self.resolve is None else self.resolve(data)


def _reference_schema(key):
    return {
        'oneOf': [
            {'type': 'integer', 'minimum': 1},
            {'type': 'string', 'minLength': 1},
            {'type': 'object', 'properties': {'id': {'type': 'integer'}, key: {'type': 'string'}}},
        ]
    }


class PrefixReference(ServiceReference, PrefixSerializer):
    """The native prefix; written as the CIDR of the prefix to create (or the prefix as read)."""

    request_schema = {
        'oneOf': [
            {'type': 'string', 'minLength': 1},
            {'type': 'object', 'properties': {'prefix': {'type': 'string'}}},
        ]
    }


class SiteGroupReference(ServiceReference, SiteGroupSerializer):
    resolve = staticmethod(service.resolve_site_group)
    request_schema = _reference_schema('slug')


class VRFReference(ServiceReference, VRFSerializer):
    resolve = staticmethod(service.resolve_vrf)
    request_schema = _reference_schema('name')


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


class SegmentWrites(serializers.ModelSerializer):
    """Below NetBox's serializer features in the MRO: NetBox's own ``create()``/``update()`` handle the tags and
    the change-log message, then hand the rest to these, which write through the segment service instead of
    saving the model directly."""

    def _user(self):
        request = self.context.get('request')
        return getattr(request, 'user', None)

    def create(self, validated_data):
        return service.create_segment(user=self._user(), **validated_data)

    def update(self, instance, validated_data):
        return service.update_segment(instance, user=self._user(), **validated_data)


class SegmentSerializer(ObjectURLsMixin, ListedTagsMixin, SafeReferencesMixin, PrimaryModelSerializer, SegmentWrites):
    """A segment: a native prefix with a VLAN in a (site group, VRF) pool. To create one, ``site_group`` and ``vrf``
    are required, with either ``prefix`` (a CIDR) or ``prefix_length`` (the next free block)."""

    prefix = PrefixReference(nested=True, required=False, help_text='Read: the native prefix. Write: a CIDR.')
    prefix_length = IntegerInputField(help_text='Take the next free block of this length from the container prefix')
    vrf = VRFReference(nested=True, help_text='Write: a VRF id, name or {"name": ...}')
    site_group = SiteGroupReference(nested=True, help_text='Write: a site group id, slug or {"slug": ...}')
    vlan = VLANSerializer(nested=True, read_only=True)
    vlan_id = IntegerInputField(help_text='VLAN number (1-4094); default: the next free one')
    vlan_name = StringInputField(help_text='Name of a VLAN created for this segment')
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
        # The segment service validates the model (full_clean() once it has built the prefix and VLAN, naming the
        # request's fields); NetBox's validation of a Segment built from the bare input would see neither.
        return data


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
