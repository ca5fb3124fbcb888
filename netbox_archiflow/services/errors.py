"""Errors raised by services, carried unchanged to every API as ``{"code", "detail", ...}``."""

from django.core.exceptions import ValidationError

from netbox_archiflow.errors import ServiceError

__all__ = ('Conflict', 'NotFound', 'PermissionDenied', 'ServiceError', 'full_clean')


class NotFound(ServiceError):
    """A referenced object does not exist (or is not visible to the user): 400, the request is at fault."""

    code = 'not_found'


class Conflict(ServiceError):
    """The request is valid but the current state refuses it (exhausted, taken, stale): 409."""

    status = 409
    code = 'conflict'


class PermissionDenied(ServiceError):
    status = 403
    code = 'permission_denied'


def full_clean(obj, fields=None, **kwargs):
    """``obj.full_clean(**kwargs)`` with Django's ValidationError turned into a ServiceError naming the field.

    ``fields`` maps model field names (and ``'__all__'``, e.g. to ``'custom_fields'``) to the names the
    APIs use; an error not tied to a field names none unless mapped.
    """
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, 'error_dict') else {'__all__': exc.messages}
        key = next(iter(errors))
        field = (fields or {}).get(key, None if key == '__all__' else key)
        messages = '; '.join(errors[key])
        raise ServiceError(f'{field}: {messages}' if field else messages, code='invalid', field=field) from exc
