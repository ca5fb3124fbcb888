"""Request body parsers of the plugin's REST views: the one place where JSON (and form) input enters.

They refuse, with a 400 naming the member, what Python's parsers accept but PostgreSQL or the renderer
cannot take (see :mod:`netbox_archiflow.inputs`). Only the plugin's views use them: NetBox's own
endpoints keep NetBox's parsers.
"""

from rest_framework import parsers

from netbox_archiflow import inputs
from netbox_archiflow.services.errors import ServiceError

__all__ = ('JSONParser', 'MultiPartParser')


def refuse(exc):
    return ServiceError(exc.message, code='invalid_input', field=exc.field or 'body')


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return inputs.loads(stream.read())
        except inputs.InputError as exc:
            raise refuse(exc) from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        try:
            inputs.check_text(dict(result.data.lists()))
        except inputs.InputError as exc:
            raise refuse(exc) from None
        return result
