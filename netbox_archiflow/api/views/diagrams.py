from dcim.models import Site
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from netbox.api.authentication import TokenPermissions
from netbox.api.exceptions import SerializerNotFound
from netbox.api.viewsets import NetBoxModelViewSet, NetBoxReadOnlyModelViewSet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from utilities.api import get_prefetches_for_serializer, get_serializer_for_model
from utilities.query import count_related

from netbox_archiflow import filtersets
from netbox_archiflow.api.mixins import ListedTagsViewSetMixin, ServiceErrorMixin, get_object_or_404
from netbox_archiflow.api.permissions import TokenChangePermission
from netbox_archiflow.api.serializers import (
    DiagramGenerateSerializer,
    DiagramLinkSerializer,
    DiagramPreviewSerializer,
    DiagramRefreshSerializer,
    DiagramRestoreSerializer,
    DiagramSerializer,
    DiagramTemplateInstantiateSerializer,
    DiagramTemplateSerializer,
    DiagramVersionSerializer,
)
from netbox_archiflow.models import Diagram, DiagramLink, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagram_library, diagram_links, diagram_status
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services import generate as generator
from netbox_archiflow.services.errors import NotFound, ServiceError

__all__ = (
    'DiagramLinkViewSet',
    'DiagramTemplateViewSet',
    'DiagramVersionViewSet',
    'DiagramViewSet',
)


class InstantiatePermission(TokenPermissions):
    """Instantiating a template creates a diagram: it needs add_diagram (and view on the template)."""

    perms_map = {**TokenPermissions.perms_map, 'POST': ['netbox_archiflow.add_diagram']}


def _diagram_body(request, pk):
    """The diagram as the detail endpoint answers it, for the custom actions."""
    diagram = (
        Diagram.objects.select_related('site', 'created_by', 'updated_by')
        .defer_large(keep=('xml',))
        .annotate(link_count=count_related(DiagramLink, 'diagram'))
        .get(pk=pk)
    )
    return DiagramSerializer(diagram, context={'request': request}).data


class RequestSizeLimitMixin:
    """Refuse oversized bodies up front (413): DRF's JSON parser is not bound by DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def initial(self, request, *args, **kwargs):
        limit = service.max_request_bytes()
        try:
            length = int(request.META.get('CONTENT_LENGTH') or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise ServiceError(
                f'The request is {length} bytes; the limit is {limit} bytes (setting diagram_max_bytes).',
                code='diagram_too_large',
                status=413,
                size=length,
                limit=limit,
            )
        super().initial(request, *args, **kwargs)


class ListWithoutXMLMixin:
    """List responses leave out the (megabytes of) XML unless ``?fields=`` asks for it."""

    @property
    def field_kwargs(self):
        kwargs = dict(super().field_kwargs)
        if getattr(self, 'action', None) == 'list' and 'fields' not in kwargs:
            kwargs['omit'] = [*kwargs.get('omit', []), 'xml']
        return kwargs


class WriteAllFieldsMixin:
    """``?fields=`` / ``?omit=`` choose what a write answers (e.g. the editor's save: not the XML it just sent), never
    which fields it may write: NetBox passes them to the serializer that reads the request too."""

    def get_serializer(self, *args, **kwargs):
        data = kwargs.get('data')
        if data is None or not self.field_kwargs:
            return super().get_serializer(*args, **kwargs)
        kwargs.setdefault('context', self.get_serializer_context())
        kwargs.setdefault('many', isinstance(data, list))
        return self.get_serializer_class()(*args, **kwargs)


class DiagramViewSet(
    ListedTagsViewSetMixin,
    ServiceErrorMixin,
    RequestSizeLimitMixin,
    ListWithoutXMLMixin,
    WriteAllFieldsMixin,
    NetBoxModelViewSet,
):
    queryset = Diagram.objects.select_related('site', 'created_by', 'updated_by')
    serializer_class = DiagramSerializer
    filterset_class = filtersets.DiagramFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == 'list':
            # A list names the same few users on every row: one instance per user, not two per row.
            users = ('created_by', 'updated_by')
            return (
                qs.select_related(None)
                .select_related('site')
                .prefetch_related(*users)
                .defer_large(keep=self.response_fields)
            )
        if self.action == 'retrieve':
            return qs.defer_large(keep=('xml',))
        if self.action in ('update', 'partial_update', 'create'):
            # A write of content hands the new XML to the instance; any other write loads it only when it answers
            # with it.
            return qs.defer_large()
        return qs

    def get_permissions(self):
        if self.action in ('restore', 'refresh', 'preview'):
            return [TokenChangePermission()]
        return super().get_permissions()

    def update(self, request, *args, **kwargs):
        """With ``xml``, the answer also says whether a version was written (``modified``) and its ``kind``."""
        self.save_result = None
        response = super().update(request, *args, **kwargs)
        if self.save_result is not None:
            version = self.save_result.version
            response.data['modified'] = self.save_result.modified
            response.data['kind'] = version.kind if version is not None else None
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self.written = serializer.instance

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self.save_result = serializer.save_result
        self.written = serializer.instance

    def get_serializer(self, *args, **kwargs):
        """The answer to a write carries the XML just written, not a second read of megabytes (NetBox reads the
        object again to answer)."""
        written = getattr(self, 'written', None)
        answered = args[0] if args and 'data' not in kwargs else None
        if (
            isinstance(written, Diagram)
            and getattr(answered, 'pk', None) == written.pk
            and 'xml' in answered.get_deferred_fields()
            and 'xml' not in written.get_deferred_fields()
        ):
            answered.xml = written.xml
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=DiagramGenerateSerializer, responses={201: DiagramSerializer})
    @action(detail=False, methods=['post'])
    def generate(self, request):
        """A new diagram (version 1) drawn from NetBox: ``{"name", "kind", "scope_type", "scope_id", "options"}``."""
        if not request.user.has_perm('netbox_archiflow.add_diagram'):
            raise PermissionDenied('This user may not add diagrams.')
        data = DiagramGenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        spec = generator.parse_spec(
            request.user, values['kind'], values['scope_type'], values.get('scope_id'), values.get('options')
        )
        fields = {'description': values['description']} if values.get('description') else {}
        diagram = generator.generate_diagram(values['name'], spec, request.user, **fields)
        return Response(_diagram_body(request, diagram.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=DiagramRefreshSerializer, responses={200: DiagramSerializer})
    @action(detail=True, methods=['post'])
    def refresh(self, request, pk):
        """Regenerate from the saved scope and merge, keeping the layout: a new version unless nothing changed."""
        diagram = get_object_or_404(Diagram.objects.restrict(request.user, 'change').defer_large(), pk=pk)
        data = DiagramRefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved, merged = generator.refresh_diagram(
            diagram,
            request.user,
            base_version=data.validated_data.get('base_version'),
            mark_removed=data.validated_data.get('mark_removed'),
        )
        body = _diagram_body(request, pk)
        body['refreshed'] = saved.modified
        body['summary'] = merged.summary
        return Response(body)

    @extend_schema(request=DiagramRestoreSerializer, responses={200: DiagramSerializer})
    @action(detail=True, methods=['post'])
    def restore(self, request, pk):
        """Restore version n: a new version with n's content (409 when ``base_version`` is stale)."""
        diagram = get_object_or_404(Diagram.objects.restrict(request.user, 'change').defer_large(), pk)
        data = DiagramRestoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = service.restore_version(
            diagram, data.validated_data['version'], request.user, base_version=data.validated_data.get('base_version')
        )
        body = _diagram_body(request, pk)
        body['restored'] = result.modified
        return Response(body)

    @extend_schema(request=DiagramPreviewSerializer, responses={200: DiagramPreviewSerializer})
    @action(detail=True, methods=['post'])
    def preview(self, request, pk):
        """Store an SVG picture of the current version, e.g. Draw.io's export from the editor (409 when stale)."""
        diagram = get_object_or_404(Diagram.objects.restrict(request.user, 'change').only('pk', 'version'), pk)
        data = DiagramPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.store_preview(
            diagram, data.validated_data['svg'], request.user, version=data.validated_data.get('version')
        )
        return Response(DiagramPreviewSerializer(diagram).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=['get'])
    def status(self, request, pk):
        """Live status of each linked cell's object (status, utilization, open alerts), for the viewer overlay."""
        diagram = get_object_or_404(Diagram.objects.restrict(request.user, 'view').only('pk', 'version'), pk=pk)
        return Response(diagram_status.diagram_status(diagram, request.user))

    @extend_schema(
        parameters=[OpenApiParameter('site_id', int, description="The site (default: the diagram's site)")],
        responses={200: dict},
    )
    @action(detail=True, methods=['get'])
    def library(self, request, pk):
        """The editor's "NetBox" shape library: the site's devices, racks, circuits and prefixes the user may view,
        each a Draw.io shape already linked to its object."""
        diagram = get_object_or_404(
            Diagram.objects.restrict(request.user, 'view').only('pk', 'site', 'metadata'), pk=pk
        )
        return Response(diagram_library.library(diagram, request.user, request.query_params.get('site_id')))

    @extend_schema(responses={(200, 'application/vnd.jgraph.mxfile'): bytes})
    @action(detail=True, methods=['get'])
    def export(self, request, pk):
        """The diagram as a ``.drawio`` file."""
        diagram = get_object_or_404(Diagram.objects.restrict(request.user, 'view').only('pk', 'name', 'xml'), pk)
        return service.export_response(diagram)


class DiagramVersionViewSet(ServiceErrorMixin, ListWithoutXMLMixin, NetBoxReadOnlyModelViewSet):
    queryset = DiagramVersion.objects.select_related('diagram', 'author')
    serializer_class = DiagramVersionSerializer
    filterset_class = filtersets.DiagramVersionFilterSet

    def get_queryset(self):
        keep = self.response_fields if self.action == 'list' else ('xml',)
        return super().get_queryset().defer_large(keep=keep, related=('diagram',))


def _brief_prefetches(model, queryset):
    """What the brief serializer of a linked object reads (e.g. an interface's device), fetched per type."""
    try:
        serializer = get_serializer_for_model(model)
    except SerializerNotFound:
        return queryset
    return queryset.prefetch_related(*get_prefetches_for_serializer(serializer, fields=serializer.Meta.brief_fields))


class DiagramLinkViewSet(ServiceErrorMixin, NetBoxReadOnlyModelViewSet):
    """Linked cells of the diagrams the user may view; each object resolved with the page, per object type."""

    queryset = DiagramLink.objects.select_related('diagram', 'object_type').defer_large(related=('diagram',))
    serializer_class = DiagramLinkSerializer
    filterset_class = filtersets.DiagramLinkFilterSet

    def get_queryset(self):
        return super().get_queryset().filter(diagram__in=Diagram.objects.restrict(self.request.user, 'view'))

    def _resolve(self, links):
        if not self.brief:
            diagram_links.resolve_objects(links, self.request.user, _brief_prefetches)
        return links

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return page if page is None else self._resolve(page)

    def get_object(self):
        return self._resolve([super().get_object()])[0]


class DiagramTemplateViewSet(
    ListedTagsViewSetMixin, ServiceErrorMixin, RequestSizeLimitMixin, ListWithoutXMLMixin, NetBoxModelViewSet
):
    queryset = DiagramTemplate.objects.all()
    serializer_class = DiagramTemplateSerializer
    filterset_class = filtersets.DiagramTemplateFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.defer_large(keep=self.response_fields) if self.action == 'list' else qs

    def get_permissions(self):
        if self.action == 'instantiate':
            return [InstantiatePermission()]
        return super().get_permissions()

    @extend_schema(request=DiagramTemplateInstantiateSerializer, responses={201: DiagramSerializer})
    @action(detail=True, methods=['post'])
    def instantiate(self, request, pk):
        """Create a diagram from this template: ``{"name", "variables": {...}, "site"?, "description"?}`` → 201."""
        template = get_object_or_404(DiagramTemplate.objects.restrict(request.user, 'view'), pk)
        if not request.user.has_perm('netbox_archiflow.add_diagram'):
            raise PermissionDenied('This user may not add diagrams.')
        data = DiagramTemplateInstantiateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {}
        if data.validated_data.get('site') is not None:
            site = Site.objects.restrict(request.user, 'view').filter(pk=data.validated_data['site']).first()
            if site is None:
                raise NotFound(f'Site {data.validated_data["site"]} does not exist.', field='site')
            fields['site'] = site
        if data.validated_data.get('description'):
            fields['description'] = data.validated_data['description']
        with transaction.atomic():
            diagram = service.instantiate_template(
                template, data.validated_data['name'], data.validated_data.get('variables'), request.user, **fields
            )
            # Object permissions with constraints: the new diagram must be one the user may add.
            if not Diagram.objects.restrict(request.user, 'add').filter(pk=diagram.pk).exists():
                raise PermissionDenied('This user may not add this diagram.')
        body = _diagram_body(request, diagram.pk)
        return Response(body, status=status.HTTP_201_CREATED)
