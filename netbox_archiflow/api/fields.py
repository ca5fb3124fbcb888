import functools

from django.urls import get_script_prefix, reverse
from netbox.api.serializers.fields import NetBoxAPIHyperlinkedIdentityField, NetBoxURLHyperlinkedIdentityField
from rest_framework.reverse import preserve_builtin_query_params

__all__ = ('ObjectAPIURLField', 'ObjectURLField', 'object_url')


def object_url(viewname, pk):
    """``reverse(viewname, args=[pk])`` for every row of a list, from the pattern reversed once per URL prefix."""
    head, tail = _url_around_pk(viewname, get_script_prefix())
    return f'{head}{pk}{tail}'


@functools.lru_cache(maxsize=64)
def _url_around_pk(viewname, script_prefix):
    marker = '4294967291'
    head, _marker, tail = reverse(viewname, args=[marker]).partition(marker)
    return head, tail


class PatternURLMixin:
    """NetBox's ``url`` and ``display_url`` cost a URL reversal each, per row of a list: the same URLs, from the
    pattern reversed once (DRF's own reversal still serves a format suffix)."""

    def get_url(self, obj, view_name, request, format):
        if format or self.lookup_field != 'pk' or getattr(obj, 'pk', None) in (None, ''):
            return super().get_url(obj, view_name, request, format)
        url = object_url(self.get_view_name(obj), obj.pk)
        if request is None:
            return url
        return preserve_builtin_query_params(request.build_absolute_uri(url), request)


class ObjectAPIURLField(PatternURLMixin, NetBoxAPIHyperlinkedIdentityField):
    pass


class ObjectURLField(PatternURLMixin, NetBoxURLHyperlinkedIdentityField):
    pass
