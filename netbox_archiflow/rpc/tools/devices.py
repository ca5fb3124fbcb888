"""Device tools over native dcim.Device: get-devices, save-device (keyed by assetId = asset tag).

The predecessor's ``network_devices`` columns map to NetBox as: assetId -> asset_tag, deviceName ->
name, deviceType -> DeviceRole, vendor -> Manufacturer, model -> DeviceType, location -> Site,
serialNumber -> serial. Missing manufacturers, device types and roles are created only when the
user may add them; sites are never created.
"""

from dcim.choices import DeviceStatusChoices
from django.db.models import Q

from netbox_archiflow.services import devices as device_service
from netbox_archiflow.services.errors import ServiceError

from ..registry import BOOLEAN, INTEGER, NULLABLE_STRING, STRING, array_of, object_schema, tool

STATUSES = [value for value, _label in DeviceStatusChoices.CHOICES]

# Tool argument -> the service's name for it (services/devices.py).
FIELDS = {
    'deviceName': 'name',
    'deviceType': 'role',
    'vendor': 'vendor',
    'model': 'model',
    'location': 'site',
    'status': 'status',
    'serialNumber': 'serial',
    'description': 'description',
}
ARGUMENT_NAMES = {field: argument for argument, field in FIELDS.items()}


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
    queryset = device_service.device_queryset().restrict(user, 'view')
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
    values = {field: arguments[argument] for argument, field in FIELDS.items() if argument in arguments}
    try:
        device, created = device_service.save_device(arguments['assetId'], values, user=user)
    except ServiceError as exc:
        exc.field = ARGUMENT_NAMES.get(exc.field, exc.field)
        raise
    return {'success': True, 'created': created, 'device': device_dict(device)}
