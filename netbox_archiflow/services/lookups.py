"""Finding objects and checking permissions, written once for every service and API.

- ``reference()`` reads an id, a numeric string, a plain string or a ``{"id"|"slug"|"name": ...}`` object
  (also a whole object as the REST API renders it) as filter arguments.
- ``load()`` returns the object a lookup matches or raises ``NotFound`` naming the input at fault.
- ``require_permission()`` checks a model permission (named by NetBox's ``get_permission_for_model``) and,
  given an instance, the user's object permission constraints on it. ``user=None`` is the system.
"""

from utilities.permissions import get_permission_for_model

from netbox_archiflow.inputs import parse_id

from .errors import NotFound, PermissionDenied, ServiceError

__all__ = ('load', 'reference', 'require_object_permission', 'require_permission')


def reference(value, field, text_attr):
    """``(filter kwargs, the value as given)`` for an id, a string or a ``{"id"|"slug"|"name": ...}`` dict."""
    if isinstance(value, bool):
        raise ServiceError(f'{field}: expected an id or an object such as {{"{text_attr}": ...}}', field=field)
    if isinstance(value, int):
        return {'pk': parse_id(value) or 0}, value  # no object has id 0
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ServiceError(f'{field} is required', code='required', field=field)
        if (number := parse_id(value)) is not None:
            return {'pk': number}, value
        return {text_attr: value}, value
    if isinstance(value, dict):
        # {"id": ...}, {"slug": ...}, {"name": ...}, or a whole object as the API renders it (GET then PUT)
        item = value.get('id', value.get('pk'))
        if isinstance(item, int) and not isinstance(item, bool):
            return {'pk': parse_id(item) or 0}, item
        for key in ('slug', 'name'):
            item = value.get(key)
            if isinstance(item, str) and item:
                return {key: item}, item
    raise ServiceError(
        f'{field}: expected an id or an object such as {{"{text_attr}": ...}}, got {value!r}',
        code='invalid',
        field=field,
    )


def load(queryset, message, *, field=None, code='not_found', status=None, **lookup):
    """The first object of ``queryset`` matching ``lookup``; ``NotFound(message)`` naming ``field`` otherwise."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound(message, code=code, field=field, status=status)
    return obj


def require_permission(user, model, action, instance=None):
    """Refuse a user without the model permission ``action`` (and, given ``instance``, without it on that row)."""
    if user is None:
        return
    permission = get_permission_for_model(model, action)
    if not user.has_perm(permission):
        raise PermissionDenied(f'You do not have the permission {permission}.')
    if instance is not None:
        require_object_permission(user, instance, action)


def require_object_permission(user, instance, action):
    """Refuse (and so roll back) a write the user's object permission constraints do not cover."""
    if user is None:
        return
    model = type(instance)
    allowed = model.objects.restrict(user, action)
    if not allowed.query.has_filters():  # no constraints: the model-level check already passed
        return
    if not allowed.filter(pk=instance.pk).exists():
        raise PermissionDenied(f'Your permissions do not allow this {action} on {model._meta.verbose_name} {instance}.')
