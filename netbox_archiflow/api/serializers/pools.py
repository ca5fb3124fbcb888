from dcim.api.serializers import DeviceSerializer, InterfaceSerializer
from dcim.models import Device, Interface
from django.contrib.auth import get_user_model
from extras.api.customfields import CustomFieldsDataField
from ipam.api.serializers import IPAddressSerializer, PrefixSerializer, VLANSerializer
from ipam.models import VRF
from netbox.api.fields import ChoiceField
from netbox.api.serializers import NetBoxModelSerializer, PrimaryModelSerializer
from netbox.api.serializers.nested import NestedTagSerializer
from rest_framework import serializers
from users.api.serializers import UserSerializer

from netbox_archiflow.api.mixins import ListedTagsMixin, ObjectURLsMixin, SafeReferencesMixin, SharedUserReferencesMixin
from netbox_archiflow.choices import PoolTypeChoices
from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import pools as pool_service

__all__ = ('AllocateRequestSerializer', 'IPAllocationSerializer', 'IPPoolSerializer', 'PoolUsageSerializer')

User = get_user_model()


class PoolUsageSerializer(serializers.Serializer):
    """Usage of a pool: total, allocated, reserved and available addresses, utilization in percent."""

    total = serializers.IntegerField(read_only=True)
    allocated = serializers.IntegerField(read_only=True)
    reserved = serializers.IntegerField(read_only=True)
    available = serializers.IntegerField(read_only=True)
    utilization = serializers.FloatField(read_only=True)


class IPPoolSerializer(ObjectURLsMixin, ListedTagsMixin, SafeReferencesMixin, PrimaryModelSerializer):
    """A pool of addresses over a native prefix. Write either ``prefix`` (a reference) or ``network`` (a CIDR,
    found or created in ``vrf``): one of the two is required to create a pool."""

    prefix = PrefixSerializer(nested=True, required=False)
    network = serializers.CharField(
        write_only=True, required=False, help_text='Create the pool from a CIDR (the prefix is found or created)'
    )
    vrf = serializers.PrimaryKeyRelatedField(
        queryset=VRF.objects.all(), write_only=True, required=False, allow_null=True, help_text='VRF of `network`'
    )
    vlan = VLANSerializer(nested=True, required=False, allow_null=True)
    pool_type = ChoiceField(choices=PoolTypeChoices, required=False)
    dns_servers = serializers.ListField(child=serializers.IPAddressField(), required=False)
    usage = serializers.SerializerMethodField(read_only=True)

    class Meta:
        model = IPPool
        fields = [
            'id',
            'url',
            'display_url',
            'display',
            'name',
            'prefix',
            'network',
            'vrf',
            'gateway',
            'dns_servers',
            'vlan',
            'pool_type',
            'is_active',
            'alert_threshold',
            'usage',
            'description',
            'owner',
            'comments',
            'tags',
            'custom_fields',
            'created',
            'last_updated',
        ]
        brief_fields = ('id', 'url', 'display', 'name', 'description')

    def get_usage(self, obj) -> dict:
        return pool_service.pool_usage(obj)

    def validate(self, data):
        network = data.pop('network', None)
        vrf = data.pop('vrf', None)
        if network:
            if data.get('prefix'):
                raise serializers.ValidationError({'network': 'Give either prefix or network, not both.'})
            request = self.context.get('request')
            # Runs inside the viewset's create/update transaction: a refused pool leaves no prefix behind.
            data['prefix'] = pool_service.get_or_create_prefix(network, vrf, user=getattr(request, 'user', None))
        elif self.instance is None and not data.get('prefix'):
            raise serializers.ValidationError({'prefix': 'A prefix (or a network and VRF) is required.'})
        return super().validate(data)


class IPAllocationSerializer(
    ObjectURLsMixin, ListedTagsMixin, SharedUserReferencesMixin, SafeReferencesMixin, NetBoxModelSerializer
):
    """An address handed out from a pool to an asset; released allocations stay as history."""

    user_fields = ('allocated_by', 'released_by')

    pool = IPPoolSerializer(nested=True, read_only=True)
    ip_address = IPAddressSerializer(nested=True, read_only=True, allow_null=True)
    device = DeviceSerializer(nested=True, read_only=True, allow_null=True)
    interface = InterfaceSerializer(nested=True, read_only=True, allow_null=True)
    allocated_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    released_by = UserSerializer(nested=True, read_only=True, allow_null=True)

    class Meta:
        model = IPAllocation
        fields = [
            'id',
            'url',
            'display_url',
            'display',
            'pool',
            'address',
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
            'custom_fields',
            'created',
            'last_updated',
        ]
        read_only_fields = ('address', 'asset_id', 'is_active', 'allocated_at', 'released_at')
        brief_fields = ('id', 'url', 'display', 'address', 'asset_id', 'is_active')


class AllocateRequestSerializer(SafeReferencesMixin, serializers.Serializer):
    """Input of ``ip-pools/{id}/allocate/``."""

    asset_id = serializers.CharField(max_length=100)
    address = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    device = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all(), required=False, allow_null=True)
    interface = serializers.PrimaryKeyRelatedField(queryset=Interface.objects.all(), required=False, allow_null=True)
    device_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default='')
    device_type = serializers.CharField(max_length=50, required=False, allow_blank=True, default='')
    mac_address = serializers.CharField(max_length=32, required=False, allow_blank=True, default='')
    notes = serializers.CharField(required=False, allow_blank=True, default='')
    custom_fields = CustomFieldsDataField(required=False)
    tags = NestedTagSerializer(many=True, required=False)

    class Meta:
        model = IPAllocation  # the custom fields offered are the allocation's

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields['device'].queryset = Device.objects.restrict(user, 'view')
            self.fields['interface'].queryset = Interface.objects.restrict(user, 'view')
