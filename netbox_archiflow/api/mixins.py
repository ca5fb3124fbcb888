from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404 as django_get_object_or_404
from netaddr import AddrFormatError
from rest_framework import serializers
from rest_framework.response import Response

from netbox_archiflow import inputs
from netbox_archiflow.services.errors import ServiceError

from .fields import ObjectAPIURLField, ObjectURLField
from .parsers import JSONParser, MultiPartParser, refuse
from .schema import PluginAutoSchema


class ServiceErrorMixin:
    """Where requests enter the plugin's REST views: bodies through the plugin's parsers, query strings checked
    the same way (a NUL reaches PostgreSQL as a ``DataError``), and a ServiceError raised anywhere answered with its
    status and ``{"code", "detail", "field"}`` body."""

    parser_classes = (JSONParser, MultiPartParser)
    schema = PluginAutoSchema()
    # A detail route takes the id up to the next slash. DRF's default stops at a dot, so segments/1.5/ matched no
    # route and got NetBox's HTML 404 page; now the view answers it with the API's JSON 404.
    lookup_value_regex = '[^/]+'

    def initial(self, request, *args, **kwargs):
        try:
            for name, values in request.query_params.lists():
                if inputs.find_bad_text([name, *values]) is not None:
                    field = name if inputs.find_bad_text(name) is None else 'query'
                    raise inputs.InputError(f'{field}: {inputs.BAD_TEXT_PROBLEM}', field=field)
            inputs.check_text(kwargs)
        except inputs.InputError as exc:
            raise refuse(exc) from None
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            return Response(exc.as_dict(), status=exc.status)
        return super().handle_exception(exc)


def get_object_or_404(queryset, pk):
    """The object with the id from the URL: a non-numeric (or out of range) id is a 404 like a missing one."""
    number = inputs.parse_id(pk)
    if number is None:
        raise Http404(f'No {queryset.model._meta.verbose_name} with id {pk!r}.')
    return django_get_object_or_404(queryset, pk=number)


class ObjectURLsMixin(serializers.Serializer):
    """``url`` and ``display_url`` without a URL reversal per row (``fields.PatternURLMixin``)."""

    url = ObjectAPIURLField()
    display_url = ObjectURLField()


# The attribute a list's rows carry their tags in (``ListedTagsMixin``, ``ListedTagsViewSetMixin``).
LISTED_TAGS = 'listed_tags'


class ListedTagsViewSetMixin:
    """A list prefetches its rows' tags into a plain list on each row.

    Prefetched through taggit's manager, Django builds a filtered tag queryset per row only to hold its tags: about a
    third of the time of a 500-row list. The serializer's ``ListedTagsMixin`` reads the list.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        lookups = queryset._prefetch_related_lookups
        if getattr(self, 'action', None) != 'list' or 'tags' not in lookups:
            return queryset
        lookups = [Prefetch('tags', to_attr=LISTED_TAGS) if lookup == 'tags' else lookup for lookup in lookups]
        return queryset.prefetch_related(None).prefetch_related(*lookups)


class ListedTagsMixin:
    """Serialize a row's ``tags`` from the list ``ListedTagsViewSetMixin`` prefetched, when it did."""

    @cached_property
    def fields(self):
        fields = super().fields
        if 'tags' in fields:
            fields['tags'].get_attribute = _listed_tags_first(fields['tags'].get_attribute)
        return fields


def _listed_tags_first(get_attribute):
    def read(instance):
        listed = getattr(instance, LISTED_TAGS, None)
        return listed if listed is not None else get_attribute(instance)

    return read


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


class SharedUserReferencesMixin:
    """A list names the same few users on many of its rows (who created, updated, allocated, resolved): each user in
    ``user_fields`` is serialized once per answer, not once per row (each costs two URL reversals)."""

    user_fields = ()

    @cached_property
    def fields(self):
        fields = super().fields
        answered = self.context.setdefault('netbox_archiflow.users', {})
        for name in self.user_fields:
            if name in fields:
                fields[name].to_representation = _once_per_user(fields[name].to_representation, answered)
        return fields


def _once_per_user(to_representation, answered):
    def represent(user):
        if user.pk not in answered:
            answered[user.pk] = to_representation(user)
        return answered[user.pk]

    return represent


def _refusing_bad_references(to_internal_value):
    def resolve(data):
        # NetBox turns {"prefix": {"prefix": [...]}} into prefix=[...]: PostgreSQL refuses such a lookup with a
        # DataError, so attribute values must be scalars before anything is asked of the database.
        if isinstance(data, list | tuple) or (isinstance(data, dict) and _has_list(data)):
            raise serializers.ValidationError(f'Invalid reference {data!r}: attribute values must be scalars')
        try:
            return to_internal_value(data)
        except (TypeError, ValueError, OverflowError, DjangoValidationError, AddrFormatError) as exc:
            raise serializers.ValidationError(f'Invalid reference {data!r}: {exc}') from exc

    return resolve


def _has_list(attrs):
    stack = [attrs]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
    return False
