"""Device tools over native dcim.Device: get-devices, save-device (keyed by assetId = asset tag).

The predecessor's ``network_devices`` columns map to NetBox as: assetId -> asset_tag, deviceName ->
name, deviceType -> DeviceRole, vendor -> Manufacturer, model -> DeviceType, location -> Site,
serialNumber -> serial. Missing manufacturers, device types and roles are created only when the
user may add them; sites are never created.
"""

from dcim.choices import DeviceStatusChoices
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from netbox_archiflow.services.errors import Conflict, NotFound, PermissionDenied, ServiceError, full_clean

from ..registry import BOOLEAN, INTEGER, NULLABLE_STRING, STRING, array_of, object_schema, tool

STATUSES = [value for value, _label in DeviceStatusChoices.CHOICES]


DEVICE = object_schema(
    {
        'id': INTEGER,
        'assetId': NULLABLE_STRING,
        'deviceName': NULLABLE_STRING,
        'deviceType': NULLABLE_STRING,
        'vendor': STRING,
        'model': STRING,
        'location': STRING,
        'status': STRING,
        'serialNumber': STRING,
        'primaryIp': NULLABLE_STRING,
        'description': STRING,
    }
)


def device_dict(device):
    primary = device.primary_ip4 or device.primary_ip6
    return {
        'id': device.pk,
        'assetId': device.asset_tag,
        'deviceName': device.name,
        'deviceType': device.role.name if device.role_id else None,
        'vendor': device.device_type.manufacturer.name,
        'model': device.device_type.model,
        'location': device.site.name,
        'status': device.status,
        'serialNumber': device.serial,
        'primaryIp': str(primary.address.ip) if primary else None,
        'description': device.description,
    }


@tool(
    'get-devices',
    'List native NetBox devices you may see, filterable by site, status, role, vendor, assetId or a search text.',
    {
        'type': 'object',
        'properties': {
            'location': {'type': 'string', 'description': 'Site name or slug'},
            'status': {'type': 'string', 'enum': STATUSES},
            'deviceType': {'type': 'string', 'description': 'Device role name or slug'},
            'vendor': {'type': 'string', 'description': 'Manufacturer name or slug'},
            'assetId': {'type': 'string'},
            'q': {'type': 'string', 'description': 'Search in name, asset tag and serial'},
            'limit': {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 100},
        },
        'additionalProperties': False,
    },
    output_schema=object_schema({'devices': array_of(DEVICE)}),
    title='List devices',
)
def get_devices(user, arguments):
    queryset = Device.objects.restrict(user, 'view').select_related(
        'site', 'role', 'device_type__manufacturer', 'primary_ip4', 'primary_ip6'
    )
    if 'location' in arguments:
        queryset = queryset.filter(Q(site__name=arguments['location']) | Q(site__slug=arguments['location']))
    if 'status' in arguments:
        queryset = queryset.filter(status=arguments['status'])
    if 'deviceType' in arguments:
        queryset = queryset.filter(Q(role__name=arguments['deviceType']) | Q(role__slug=arguments['deviceType']))
    if 'vendor' in arguments:
        value = arguments['vendor']
        queryset = queryset.filter(Q(device_type__manufacturer__name=value) | Q(device_type__manufacturer__slug=value))
    if 'assetId' in arguments:
        queryset = queryset.filter(asset_tag=arguments['assetId'])
    if arguments.get('q'):
        value = arguments['q']
        queryset = queryset.filter(
            Q(name__icontains=value) | Q(asset_tag__icontains=value) | Q(serial__icontains=value)
        )
    devices = list(queryset.order_by('name', 'pk')[: arguments.get('limit', 100)])
    return {'devices': [device_dict(device) for device in devices]}


def _by_name(model, user, value):
    return model.objects.restrict(user, 'view').filter(Q(name__iexact=value) | Q(slug=slugify(value))).first()


def _get_or_create(model, user, argument, value, create):
    """An existing object named ``value``, else one made by ``create()`` if the user may add it."""
    obj = _by_name(model, user, value) if model is not DeviceType else None
    if obj is not None:
        return obj
    perm = f'{model._meta.app_label}.add_{model._meta.model_name}'
    if not user.has_perm(perm):
        raise PermissionDenied(
            f'{model._meta.verbose_name.capitalize()} {value!r} does not exist and you may not create it ({perm}).',
            field=argument,
        )
    obj = create()
    # e.g. "!!!" has an empty slug: the model's refusal names the argument the value came from.
    full_clean(obj, fields={'name': argument, 'slug': argument, 'model': argument, '__all__': argument})
    obj.save()
    if not model.objects.restrict(user, 'add').filter(pk=obj.pk).exists():
        raise PermissionDenied(
            f'Your permissions do not allow creating {model._meta.verbose_name} {value!r}.', field=argument
        )
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


@tool(
    'save-device',
    'Create or update a native NetBox device keyed by assetId (its asset tag): deviceName, deviceType (role), '
    'vendor (manufacturer), model (device type), location (site), status, serialNumber.',
    {
        'type': 'object',
        'properties': {
            'assetId': {'type': 'string', 'minLength': 1, 'maxLength': 50},
            'deviceName': {'type': 'string', 'minLength': 1, 'maxLength': 64},
            'deviceType': {'type': 'string', 'minLength': 1, 'maxLength': 100, 'description': 'Device role'},
            'vendor': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'model': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'location': {'type': 'string', 'minLength': 1, 'description': 'Site name or slug'},
            'status': {'type': 'string', 'enum': STATUSES},
            'serialNumber': {'type': 'string', 'maxLength': 50},
            'description': {'type': 'string', 'maxLength': 200},
        },
        'required': ['assetId'],
        'additionalProperties': False,
    },
    output_schema=object_schema({'success': BOOLEAN, 'created': BOOLEAN, 'device': DEVICE}),
    title='Create or update a device',
    write=True,
    destructive=True,
    idempotent=True,
)
def save_device(user, arguments):
    asset_id = arguments['assetId']
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(asset_tag=asset_id).first()
        created = device is None
        action = 'add' if created else 'change'
        if not user.has_perm(f'dcim.{action}_device'):
            raise PermissionDenied(f'You do not have the permission dcim.{action}_device.')
        if created:
            for argument in ('deviceName', 'deviceType', 'model', 'location'):
                if argument not in arguments:
                    raise ServiceError(f'{argument} is required to create a device.', field=argument)
            device = Device(asset_tag=asset_id, status=arguments.get('status', DeviceStatusChoices.STATUS_ACTIVE))
        else:
            if not Device.objects.restrict(user, 'change').filter(pk=device.pk).exists():
                raise PermissionDenied(f'Your permissions do not allow changing device {device}.')
            device.snapshot()
        if 'location' in arguments:
            site = _by_name(Site, user, arguments['location'])
            if site is None:
                raise NotFound(f'Site {arguments["location"]!r} does not exist.', field='location')
            device.site = site
        if 'deviceType' in arguments:
            name = arguments['deviceType']
            device.role = _get_or_create(
                DeviceRole, user, 'deviceType', name, lambda: DeviceRole(name=name, slug=slugify(name), color='9e9e9e')
            )
        if 'model' in arguments:
            device.device_type = _device_type(user, arguments.get('vendor'), arguments['model'])
        elif (
            'vendor' in arguments
            and not created
            and (device.device_type.manufacturer.name.lower() != arguments['vendor'].lower())
        ):
            raise ServiceError('Changing vendor needs model too.', field='model')
        for argument, attribute in (
            ('deviceName', 'name'),
            ('status', 'status'),
            ('serialNumber', 'serial'),
            ('description', 'description'),
        ):
            if argument in arguments:
                setattr(device, attribute, arguments[argument])
        try:
            device.full_clean()
        except Exception as exc:  # django ValidationError: name the field
            messages = getattr(exc, 'message_dict', {'__all__': [str(exc)]})
            field, problems = next(iter(messages.items()))
            if field == '__all__' and 'name' in ' '.join(problems).lower():
                raise Conflict('; '.join(problems), code='duplicate', field='deviceName') from None
            raise ServiceError('; '.join(f'{k}: {" ".join(v)}' for k, v in messages.items()), field=field) from None
        device.save()
        if not Device.objects.restrict(user, action).filter(pk=device.pk).exists():
            raise PermissionDenied(f'Your permissions do not allow this {action} of device {device}.')
    device = Device.objects.select_related(
        'site', 'role', 'device_type__manufacturer', 'primary_ip4', 'primary_ip6'
    ).get(pk=device.pk)
    return {'success': True, 'created': created, 'device': device_dict(device)}
