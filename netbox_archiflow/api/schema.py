"""The OpenAPI description of the plugin's REST views: NetBox's, plus the error answers they really give."""

from core.api.schema import NetBoxAutoSchema
from django.urls import get_script_prefix, reverse
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


# What OpenAPI links lead to from a response that carries a plugin object (by its component): the operations on that
# object, as "METHOD" on its own path or "METHOD action" on its custom action (segments/{id}/release/). Clients and
# schemathesis' stateful tests follow them: POST segments/ -> PATCH segments/{id}/ -> POST segments/{id}/release/.
OBJECT_OPERATIONS = {
    'Segment': ('segments', ('GET', 'PUT', 'PATCH', 'DELETE', 'POST release')),
    'IPPool': ('ip-pools', ('GET', 'PUT', 'PATCH', 'DELETE', 'GET usage', 'POST allocate')),
    'IPAllocation': ('ip-allocations', ('GET', 'PUT', 'PATCH', 'DELETE', 'POST release')),
    'Alert': ('alerts', ('GET', 'PUT', 'PATCH', 'DELETE', 'POST acknowledge', 'POST resolve')),
    'Diagram': (
        'diagrams',
        (
            'GET',
            'PUT',
            'PATCH',
            'DELETE',
            'GET export',
            'POST refresh',
            'POST restore',
            'GET status',
            'GET library',
            'POST preview',
        ),
    ),
    'DiagramTemplate': ('diagram-templates', ('GET', 'PUT', 'PATCH', 'DELETE', 'POST instantiate')),
    'DiagramVersion': ('diagram-versions', ('GET',)),
    'DiagramLink': ('diagram-links', ('GET',)),
}
# Plugin objects a response names by a nested brief object (a version's diagram): links lead to their operations too.
REFERENCES = {
    'DiagramVersion': {'diagram': 'Diagram'},
    'DiagramLink': {'diagram': 'Diagram'},
    'IPAllocation': {'pool': 'IPPool'},
}
# Lists filtered by an object: a diagram's versions and links, a pool's allocations.
CHILD_LISTS = {
    'Diagram': (('diagram-versions', 'diagram_id'), ('diagram-links', 'diagram_id')),
    'IPPool': (('ip-allocations', 'pool_id'),),
}


def _operation_ref(path, method):
    return '#/paths/' + path.replace('~', '~0').replace('/', '~1') + '/' + method.lower()


def _carried_object(schema):
    """The plugin component a response body carries and the JSON pointer to it (``/0`` in a list, ``/results/0`` in
    a page, and the object itself for a bulk create's "object or list")."""
    if 'oneOf' in schema:
        return _carried_object(schema['oneOf'][0])
    if schema.get('type') == 'array':
        component, pointer = _carried_object(schema.get('items', {}))
        return component, '/0' + pointer
    name = schema.get('$ref', '').rpartition('/')[2]
    if name.startswith('Paginated') and name.endswith('List'):
        return name.removeprefix('Paginated').removesuffix('List'), '/results/0'
    return name, ''


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
        if direction == 'response':
            for code in ('200', '201'):
                if links := self._links(responses.get(code, {}).get('content', {}).get('application/json')):
                    responses[code]['links'] = links
        return responses

    def _links(self, content):
        """OpenAPI links from the plugin object that a list, a create or a custom POST answers with, to the operations
        on it, on the objects it refers to and on the lists it filters. None from the object's own operations (they
        had its id already) nor from bulk updates."""
        if not content or self.method not in ('GET', 'POST'):
            return {}
        component, pointer = _carried_object(content['schema'])
        if component not in OBJECT_OPERATIONS:
            return {}
        # The document's paths are the URL patterns', without the script prefix of a request.
        prefix = '/' + reverse('plugins-api:netbox_archiflow-api:api-root').removeprefix(get_script_prefix())
        if self.path.startswith(f'{prefix}{OBJECT_OPERATIONS[component][0]}/{{id}}/'):
            return {}
        # Restoring a diagram needs a version: the one the diagram, or the version object, is at.
        version = f'$response.body#{pointer}/version' if component in ('Diagram', 'DiagramVersion') else None
        links = _object_links(prefix, component, f'$response.body#{pointer}/id', version)
        for field, target in REFERENCES.get(component, {}).items():
            for name, link in _object_links(prefix, target, f'$response.body#{pointer}/{field}/id', version).items():
                links[f'{field}-{name}'] = link
        for resource, parameter in CHILD_LISTS.get(component, ()):
            links[f'list-{resource}'] = {
                'operationRef': _operation_ref(f'{prefix}{resource}/', 'GET'),
                'parameters': {f'query.{parameter}': f'$response.body#{pointer}/id'},
            }
        return links


def _object_links(prefix, component, object_id, version):
    resource, operations = OBJECT_OPERATIONS[component]
    links = {}
    for operation in operations:
        method, _, action = operation.partition(' ')
        path = f'{prefix}{resource}/{{id}}/' + (f'{action}/' if action else '')
        link = {'operationRef': _operation_ref(path, method), 'parameters': {'path.id': object_id}}
        if action == 'restore' and version:
            link['requestBody'] = {'version': version}
        links['-'.join([method.lower(), *([action] if action else [])])] = link
    return links


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
