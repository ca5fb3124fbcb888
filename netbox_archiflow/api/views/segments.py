from drf_spectacular.utils import OpenApiResponse, extend_schema
from netbox.api.authentication import TokenPermissions
from netbox.api.viewsets import NetBoxModelViewSet
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox_archiflow import filtersets
from netbox_archiflow.api.mixins import ListedTagsViewSetMixin, ServiceErrorMixin
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import PermissionDenied, ServiceError

from ..serializers import SegmentAllocateSerializer, SegmentSerializer

__all__ = ('SegmentAllocateView', 'SegmentReleaseView', 'SegmentViewSet')


class FieldErrorMixin(ServiceErrorMixin):
    """Also answer DRF's own errors with a machine-readable ``code``: validation errors as
    ``{"code", "detail", "field"}`` (keeping ``errors``), others (401/403/404/405...) with DRF's code added."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict) and exc.detail:
            field, messages = next(iter(exc.detail.items()))
            text = '; '.join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
            body = {'code': 'invalid', 'detail': f'{field}: {text}', 'field': field, 'errors': exc.detail}
            return self.finalize_response(self.request, Response(body, status=400))
        response = super().handle_exception(exc)
        if (
            isinstance(exc, exceptions.APIException)
            and isinstance(response.data, dict)
            and 'code' not in response.data
            and isinstance(exc.get_codes(), str)
        ):
            response.data['code'] = exc.get_codes()
        return response


class SegmentViewSet(ListedTagsViewSetMixin, FieldErrorMixin, NetBoxModelViewSet):
    queryset = service.segment_queryset()
    serializer_class = SegmentSerializer
    filterset_class = filtersets.SegmentFilterSet


class ActionPermission(TokenPermissions):
    """POST needs the custom action permission (``allocate``/``release``) instead of ``add``."""

    action = None

    def __init__(self):
        super().__init__()
        self.perms_map = {**self.perms_map, 'POST': [f'%(app_label)s.{self.action}_%(model_name)s']}


class AllocatePermission(ActionPermission):
    action = 'allocate'


class ReleasePermission(ActionPermission):
    action = 'release'


class SegmentActionView(FieldErrorMixin, APIView):
    queryset = Segment.objects.all()
    required_permission = None

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise PermissionDenied(f'This action requires the permission {self.required_permission}')

    def serialize(self, segments, request):
        return SegmentSerializer(segments, many=True, context={'request': request}).data


class SegmentAllocateView(SegmentActionView):
    """POST ``{"site_group", "vrf", "cluster", "count"}``: 201 with newly allocated segments, 200 when the cluster
    already held them, 409 ``pool_exhausted``."""

    permission_classes = [AllocatePermission]
    required_permission = 'netbox_archiflow.allocate_segment'

    @extend_schema(
        request=SegmentAllocateSerializer,
        responses={
            200: OpenApiResponse(SegmentSerializer(many=True), description='The segments the cluster already held.'),
            201: OpenApiResponse(SegmentSerializer(many=True), description='Newly allocated segments.'),
        },
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ServiceError('Expected a JSON object {"site_group", "vrf", "cluster", "count"}', field='body')
        data = request.data
        for name in ('site_group', 'vrf', 'cluster'):
            if data.get(name) in (None, ''):
                raise ServiceError(f'{name} is required', code='required', field=name)
        segments, created = service.allocate_segments(
            data['site_group'], data['vrf'], data['cluster'], data.get('count', 1), user=request.user
        )
        return Response(
            self.serialize(segments, request), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class SegmentReleaseView(SegmentActionView):
    """POST: return the segment to its pool (200 with the freed segment; a free segment is a no-op)."""

    permission_classes = [ReleasePermission]
    required_permission = 'netbox_archiflow.release_segment'

    @extend_schema(request=None, responses={200: SegmentSerializer})
    def post(self, request, pk):
        segment = service.release_segment(pk, user=request.user)
        return Response(SegmentSerializer(segment, context={'request': request}).data)
