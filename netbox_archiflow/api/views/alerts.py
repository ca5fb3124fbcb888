from drf_spectacular.utils import extend_schema
from netbox.api.viewsets import NetBoxModelViewSet
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from netbox_archiflow import filtersets
from netbox_archiflow.api.mixins import ListedTagsViewSetMixin, ServiceErrorMixin, get_object_or_404
from netbox_archiflow.api.permissions import TokenChangePermission
from netbox_archiflow.api.serializers import AlertSerializer
from netbox_archiflow.models import Alert
from netbox_archiflow.services import alerts as alert_service

__all__ = ('AlertViewSet',)


class AlertViewSet(ListedTagsViewSetMixin, ServiceErrorMixin, NetBoxModelViewSet):
    queryset = Alert.objects.select_related('object_type', 'acknowledged_by', 'resolved_by').prefetch_related('object')
    serializer_class = AlertSerializer
    filterset_class = filtersets.AlertFilterSet

    def get_permissions(self):
        if self.action in ('acknowledge', 'resolve'):
            return [TokenChangePermission()]
        return super().get_permissions()

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed('POST', detail='Alerts are raised by ArchiFlow, not created through the API.')

    def _act(self, request, pk, operation):
        alert = get_object_or_404(Alert.objects.restrict(request.user, 'change'), pk)
        operation(alert, user=request.user)
        alert = self.queryset.model.objects.select_related('acknowledged_by', 'resolved_by').get(pk=alert.pk)
        return Response(AlertSerializer(alert, context={'request': request}).data)

    @extend_schema(request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=['post'])
    def acknowledge(self, request, pk):
        """Acknowledge the alert (409 ``already_acknowledged``)."""
        return self._act(request, pk, alert_service.acknowledge)

    @extend_schema(request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=['post'])
    def resolve(self, request, pk):
        """Resolve the alert by hand (409 ``already_resolved``)."""
        return self._act(request, pk, alert_service.resolve)
