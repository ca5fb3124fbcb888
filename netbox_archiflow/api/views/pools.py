from django.db import transaction
from drf_spectacular.utils import extend_schema
from netbox.api.viewsets import NetBoxModelViewSet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox_archiflow import filtersets
from netbox_archiflow.api.mixins import ListedTagsViewSetMixin, ServiceErrorMixin, get_object_or_404
from netbox_archiflow.api.permissions import TokenChangePermission
from netbox_archiflow.api.serializers import (
    AllocateRequestSerializer,
    IPAllocationSerializer,
    IPPoolSerializer,
    PoolUsageSerializer,
)
from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import pools as pool_service

__all__ = ('IPAllocationViewSet', 'IPPoolAllocateView', 'IPPoolViewSet')


class IPPoolViewSet(ListedTagsViewSetMixin, ServiceErrorMixin, NetBoxModelViewSet):
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf', 'vlan', 'usage_counts').with_usage()
    serializer_class = IPPoolSerializer
    filterset_class = filtersets.IPPoolFilterSet
    # ?ordering= also by usage (e.g. -usage_utilization: the fullest pools first).
    ordering_fields = (
        'id',
        'name',
        'prefix',
        'pool_type',
        'is_active',
        'alert_threshold',
        'created',
        'last_updated',
        'usage_allocated',
        'usage_available',
        'usage_utilization',
    )

    # Validation may create the pool's native prefix: a refused request must leave nothing behind.
    def create(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: PoolUsageSerializer})
    @action(detail=True, methods=['get'])
    def usage(self, request, pk):
        """Total / allocated / reserved / available addresses and utilization (percent) of the pool."""
        pool = get_object_or_404(self.queryset, pk)
        return Response(pool_service.pool_usage(pool))


class IPPoolAllocateView(ServiceErrorMixin, APIView):
    """``POST ip-pools/{id}/allocate/``: the next free (or the requested) address for an asset.

    The queryset is the model created, so NetBox's token permissions require ``add_ipallocation``;
    the pool only needs to be visible to the user. 201 for a new allocation, 200 when the asset
    already holds one (idempotent), 409 ``pool_exhausted`` / ``address_in_use``.
    """

    queryset = IPAllocation.objects.all()

    @extend_schema(
        request=AllocateRequestSerializer, responses={200: IPAllocationSerializer, 201: IPAllocationSerializer}
    )
    def post(self, request, pk):
        # The prefix and VRF are loaded here, before allocate_ip takes the pool's lock.
        pool = get_object_or_404(
            IPPool.objects.restrict(request.user, 'view').select_related('prefix', 'prefix__vrf'), pk
        )
        serializer = AllocateRequestSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocation, created = pool_service.allocate_ip(
            pool,
            data['asset_id'],
            user=request.user,
            address=data.get('address') or None,
            device=data.get('device'),
            interface=data.get('interface'),
            device_name=data.get('device_name', ''),
            device_type=data.get('device_type', ''),
            mac_address=data.get('mac_address', ''),
            notes=data.get('notes', ''),
            custom_fields=data.get('custom_fields'),
            tags=data.get('tags', ()),
        )
        body = IPAllocationSerializer(allocation, context={'request': request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IPAllocationViewSet(ListedTagsViewSetMixin, ServiceErrorMixin, NetBoxModelViewSet):
    queryset = IPAllocation.objects.select_related(
        'pool', 'ip_address', 'device', 'interface', 'interface__device', 'allocated_by', 'released_by'
    )
    serializer_class = IPAllocationSerializer
    filterset_class = filtersets.IPAllocationFilterSet

    def get_permissions(self):
        if self.action == 'release':
            return [TokenChangePermission()]
        return super().get_permissions()

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed('POST', detail='Allocate through POST ip-pools/{id}/allocate/.')

    @extend_schema(request=None, responses={200: IPAllocationSerializer})
    @action(detail=True, methods=['post'])
    def release(self, request, pk):
        """Release the allocation: it stays as history; its native IP address is deleted (or deprecated)."""
        allocation = get_object_or_404(IPAllocation.objects.restrict(request.user, 'change'), pk)
        allocation = pool_service.release_ip(allocation, user=request.user)
        allocation = self.queryset.model.objects.select_related('pool', 'released_by').get(pk=allocation.pk)
        return Response(IPAllocationSerializer(allocation, context={'request': request}).data)
