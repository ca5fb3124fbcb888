"""The OpenAPI description of the plugin's REST views: NetBox's, plus the error answers they really give."""

from core.api.schema import NetBoxAutoSchema
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from netbox.api.serializers import BaseModelSerializer
from rest_framework import serializers

__all__ = ('ErrorSerializer', 'PluginAutoSchema', 'ServiceReferenceSchema')


class ErrorSerializer(serializers.Serializer):
    """A refused request: a machine-readable ``code``, a human ``detail`` and the ``field`` at fault. Validation
    errors of NetBox's own serializers and filters carry the messages keyed by field name instead."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    field = serializers.CharField(required=False)


ERRORS = {
    '400': 'Invalid input (body, query or reference); `field` names it.',
    '401': 'Authentication required.',
    '403': 'Permission denied.',
    '404': 'No such object, or not visible to this user.',
    '409': 'Refused by the current state (exhausted, taken, stale version, already done).',
    '413': 'The request is larger than the plugin setting diagram_max_bytes allows.',
}


class PluginAutoSchema(NetBoxAutoSchema):
    def _error_codes(self):
        codes = ['400', '401', '403']
        if '{id}' in self.path or self.method != 'GET':
            codes.append('404')
        custom_action = getattr(self.view, 'action', None) not in (
            'list', 'retrieve', 'create', 'update', 'partial_update', 'destroy',
            'bulk_update', 'bulk_partial_update', 'bulk_destroy',
        )  # fmt: skip
        if self.method == 'POST' and custom_action or self.method in ('PUT', 'PATCH', 'DELETE'):
            codes.append('409')
        if self.method != 'GET' and 'diagram' in self.path:
            codes.append('413')
        return codes

    def _get_response_bodies(self, direction='response'):
        responses = super()._get_response_bodies(direction=direction)
        # A POST to a list endpoint also takes a list (NetBox's bulk create) and then answers with a list.
        if getattr(self.view, 'action', None) == 'create' and '201' in responses:
            for content in responses['201'].get('content', {}).values():
                content['schema'] = {'oneOf': [content['schema'], {'type': 'array', 'items': content['schema']}]}
            # NetBox documents its 400 as oneOf (any object, the bulk error): every bulk error matches both.
            for content in responses.get('400', {}).get('content', {}).values():
                if 'oneOf' in content['schema']:
                    content['schema'] = {'anyOf': content['schema']['oneOf']}
        for code in self._error_codes():
            if code not in responses:
                response = OpenApiResponse(response=ErrorSerializer, description=ERRORS[code])
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


class ServiceReferenceSchema(OpenApiSerializerFieldExtension):
    """A nested NetBox serializer written through a service (``ServiceReference``): the response is NetBox's brief
    component, the request what the service accepts. Ahead of NetBox's extension for nested serializers."""

    target_class = 'netbox_archiflow.api.serializers.segments.ServiceReference'
    match_subclasses = True
    priority = 1

    def map_serializer_field(self, auto_schema, direction):
        if direction == 'request':
            return self.target.request_schema
        netbox_serializer = next(cls for cls in type(self.target).__mro__[1:] if issubclass(cls, BaseModelSerializer))
        return auto_schema.resolve_serializer(netbox_serializer(nested=True), direction).ref
