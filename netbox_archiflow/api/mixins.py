from functools import cached_property

from rest_framework import serializers
from rest_framework.response import Response

from netbox_archiflow.services.errors import ServiceError


class ServiceErrorMixin:
    """Answer a ServiceError raised anywhere in a view with its status and ``{"code", "detail"}`` body."""

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            return Response(exc.as_dict(), status=exc.status)
        return super().handle_exception(exc)


class SafeReferencesMixin:
    """Answer a malformed reference to a related object with a 400 naming the field, never a 500.

    NetBox 4.7 resolves ``{"vlan": {"id": "x"}}`` with ``queryset.get(id='x')`` and lets the resulting
    ValueError escape (its own endpoints answer 500 too). Each writable nested serializer field (related
    objects, tags) gets that error turned into a ValidationError, which DRF reports under the field's name.
    """

    @cached_property
    def fields(self):
        fields = super().fields
        for field in fields.values():
            target = field.child if isinstance(field, serializers.ListSerializer) else field
            if isinstance(target, serializers.BaseSerializer) and not field.read_only:
                target.to_internal_value = _refusing_bad_references(target.to_internal_value)
        return fields


def _refusing_bad_references(to_internal_value):
    def resolve(data):
        try:
            return to_internal_value(data)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(f'Invalid reference {data!r}: {exc}') from exc

    return resolve
