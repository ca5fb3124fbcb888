"""Native dcim.Device upsert keyed by asset tag, for the JSON-RPC ``save-device`` tool.

Missing manufacturers, device types and roles are created only when the user may add them; sites are
never created. ``values`` uses the names below; errors name the value at fault with the same names:
``name``, ``role``, ``vendor`` (manufacturer), ``model`` (device type), ``site``, ``status``, ``serial``,
``description``. A role, vendor, model or site is found by name (case-insensitive) or slug.
"""

from dcim.choices import DeviceStatusChoices
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from .errors import Conflict, NotFound, PermissionDenied, ServiceError, full_clean
from .lookups import load, require_object_permission, require_permission

__all__ = ('device_queryset', 'save_device')

REQUIRED_TO_CREATE = ('name', 'role', 'model', 'site')
PLAIN_FIELDS = ('name', 'status', 'serial', 'description')


def device_queryset():
    """Devices with everything the RPC renders, in one query."""
    return Device.objects.select_related('site', 'role', 'device_type__manufacturer', 'primary_ip4', 'primary_ip6')


def _named(model, user, value):
    return model.objects.restrict(user, 'view').filter(Q(name__iexact=value) | Q(slug=slugify(value)))


def _get_or_create(model, user, field, value, create):
    """An existing object named ``value``, else one made by ``create()`` if the user may add it."""
    obj = _named(model, user, value).first() if model is not DeviceType else None
    if obj is not None:
        return obj
    try:
        require_permission(user, model, 'add')
    except PermissionDenied as exc:
        raise PermissionDenied(
            f'{model._meta.verbose_name.capitalize()} {value!r} does not exist and you may not create it: {exc.detail}',
            field=field,
        ) from None
    obj = create()
    # e.g. "!!!" has an empty slug: the model's refusal names the value it came from.
    full_clean(obj, fields={'name': field, 'slug': field, 'model': field, '__all__': field})
    obj.save()
    try:
        require_object_permission(user, obj, 'add')
    except PermissionDenied as exc:
        exc.field = field
        raise
    return obj


def _device_type(user, vendor, model_name):
    queryset = DeviceType.objects.restrict(user, 'view').select_related('manufacturer')
    matches = queryset.filter(Q(model__iexact=model_name) | Q(slug=slugify(model_name)))
    if vendor:
        matches = matches.filter(Q(manufacturer__name__iexact=vendor) | Q(manufacturer__slug=slugify(vendor)))
    found = list(matches[:2])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ServiceError(f'Model {model_name!r} exists for several vendors; give vendor.', field='vendor')
    if not vendor:
        raise NotFound(f'Model {model_name!r} does not exist; give vendor to create it.', field='vendor')
    manufacturer = _get_or_create(
        Manufacturer, user, 'vendor', vendor, lambda: Manufacturer(name=vendor, slug=slugify(vendor))
    )
    return _get_or_create(
        DeviceType,
        user,
        'model',
        model_name,
        lambda: DeviceType(manufacturer=manufacturer, model=model_name, slug=slugify(model_name)),
    )


def _vendor_changes(device, vendor):
    return device.device_type.manufacturer.name.lower() != vendor.lower()


def _clean(device):
    """``device.full_clean()`` with a duplicate name reported as a Conflict on ``name``."""
    try:
        device.full_clean()
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, 'error_dict') else {'__all__': exc.messages}
        field, problems = next(iter(messages.items()))
        if field == '__all__' and 'name' in ' '.join(problems).lower():
            raise Conflict('; '.join(problems), code='duplicate', field='name') from None
        raise ServiceError('; '.join(f'{k}: {" ".join(v)}' for k, v in messages.items()), field=field) from None


def save_device(asset_tag, values, *, user):
    """Create or update the device with ``asset_tag``: ``(device, created)``. Nothing is written on a refusal."""
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(asset_tag=asset_tag).first()
        created = device is None
        action = 'add' if created else 'change'
        require_permission(user, Device, action)
        if created:
            for field in REQUIRED_TO_CREATE:
                if field not in values:
                    raise ServiceError(f'{field} is required to create a device.', field=field)
            device = Device(asset_tag=asset_tag, status=values.get('status', DeviceStatusChoices.STATUS_ACTIVE))
        else:
            require_object_permission(user, device, action)
            device.snapshot()
        if 'site' in values:
            site = values['site']
            device.site = load(_named(Site, user, site), f'Site {site!r} does not exist.', field='site')
        if 'role' in values:
            name = values['role']
            device.role = _get_or_create(
                DeviceRole, user, 'role', name, lambda: DeviceRole(name=name, slug=slugify(name), color='9e9e9e')
            )
        if 'model' in values:
            device.device_type = _device_type(user, values.get('vendor'), values['model'])
        elif (
            'vendor' in values
            and not created
            and device.device_type.manufacturer.name.lower() != values['vendor'].lower()
        ):
            raise ServiceError('Changing vendor needs model too.', field='model')
        for field in PLAIN_FIELDS:
            if field in values:
                setattr(device, field, values[field])
        _clean(device)
        device.save()
        require_object_permission(user, device, action)
    return device_queryset().get(pk=device.pk), created
