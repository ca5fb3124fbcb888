"""IP pool tools: get-ip-pools, get-ip-usage, allocate-ip, release-ip (the predecessor's names and shapes)."""

from dcim.models import Device, Interface
from extras.models import Tag

from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import NotFound, ServiceError
from netbox_archiflow.services.lookups import load

from ..registry import (
    BOOLEAN,
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    NUMBER,
    STRING,
    TIMESTAMP,
    array_of,
    object_schema,
    tool,
)

# Service field names -> the camelCase argument that carried them.
ARGUMENT_NAMES = {
    'pool': 'poolId',
    'asset_id': 'assetId',
    'address': 'ip',
    'mac_address': 'macAddress',
    'interface': 'interfaceId',
    'device': 'deviceId',
    'custom_fields': 'customFields',
}

POOL_ID = {
    'type': ['integer', 'string'],
    'description': 'ID of the IP pool (a number, or a string of digits)',
}


USAGE = {'total': INTEGER, 'allocated': INTEGER, 'reserved': INTEGER, 'available': INTEGER, 'utilization': NUMBER}
POOL_USAGE = object_schema({'poolId': INTEGER, 'name': STRING, 'network': STRING, **USAGE})
POOL = object_schema(
    {
        'id': INTEGER,
        'name': STRING,
        'network': STRING,
        'vrf': NULLABLE_STRING,
        'gateway': NULLABLE_STRING,
        'dnsServers': array_of(STRING),
        'vlan': NULLABLE_INTEGER,
        'poolType': STRING,
        'isActive': BOOLEAN,
        'description': STRING,
        'total': INTEGER,
        'allocated_count': INTEGER,
        'available_count': INTEGER,
        'utilization': NUMBER,
    }
)
ALLOCATION = object_schema(
    {
        'id': INTEGER,
        'poolId': INTEGER,
        'ip': STRING,
        'assetId': STRING,
        'deviceName': STRING,
        'deviceType': STRING,
        'macAddress': STRING,
        'deviceId': NULLABLE_INTEGER,
        'ipAddressId': NULLABLE_INTEGER,
        'isActive': BOOLEAN,
        'allocatedAt': TIMESTAMP,
        'releasedAt': TIMESTAMP,
    }
)


def _rename_field(exc):
    if exc.field in ARGUMENT_NAMES:
        exc.field = ARGUMENT_NAMES[exc.field]
    return exc


def _pool(user, pool_id, action='view'):
    try:
        return pool_service.find_pool(pool_id, user=user, action=action)
    except ServiceError as exc:
        raise _rename_field(exc) from None


def pool_dict(pool, usage):
    return {
        'id': pool.pk,
        'name': pool.name,
        'network': str(pool.prefix.prefix),
        'vrf': pool.prefix.vrf.name if pool.prefix.vrf_id else None,
        'gateway': pool.gateway,
        'dnsServers': list(pool.dns_servers or []),
        'vlan': pool.vlan.vid if pool.vlan_id else None,
        'poolType': pool.pool_type,
        'isActive': pool.is_active,
        'description': pool.description,
        'total': usage['total'],
        'allocated_count': usage['allocated'],
        'available_count': usage['available'],
        'utilization': usage['utilization'],
    }


def allocation_dict(allocation):
    return {
        'id': allocation.pk,
        'poolId': allocation.pool_id,
        'ip': allocation.address,
        'assetId': allocation.asset_id,
        'deviceName': allocation.device_name,
        'deviceType': allocation.device_type,
        'macAddress': allocation.mac_address,
        'deviceId': allocation.device_id,
        'ipAddressId': allocation.ip_address_id,
        'isActive': allocation.is_active,
        'allocatedAt': allocation.allocated_at.isoformat() if allocation.allocated_at else None,
        'releasedAt': allocation.released_at.isoformat() if allocation.released_at else None,
    }


@tool(
    'get-ip-pools',
    'List the IP pools you may see, with allocated and available address counts.',
    {
        'type': 'object',
        'properties': {
            'vrf': {'type': 'string', 'description': 'Only pools in this VRF (name)'},
            'poolType': {'type': 'string', 'enum': ['static', 'dhcp', 'reserved']},
            'isActive': {'type': 'boolean'},
            'limit': {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 100},
        },
        'additionalProperties': False,
    },
    output_schema=object_schema({'pools': array_of(POOL)}),
    title='List IP pools',
)
def get_ip_pools(user, arguments):
    queryset = IPPool.objects.restrict(user, 'view').select_related('prefix', 'prefix__vrf', 'vlan')
    if 'vrf' in arguments:
        queryset = queryset.filter(prefix__vrf__name=arguments['vrf'])
    if 'poolType' in arguments:
        queryset = queryset.filter(pool_type=arguments['poolType'])
    if 'isActive' in arguments:
        queryset = queryset.filter(is_active=arguments['isActive'])
    pools = list(queryset[: arguments.get('limit', 100)])
    usage = pool_service.pools_usage(pools)
    return {'pools': [pool_dict(pool, usage[pool.pk]) for pool in pools]}


@tool(
    'get-ip-usage',
    'Usage of one pool (poolId) or of every visible pool: total, allocated, available, utilization.',
    {
        'type': 'object',
        'properties': {'poolId': POOL_ID},
        'additionalProperties': False,
    },
    output_schema={
        # One pool's usage with poolId, else {usage: [...]} for every visible pool.
        'type': 'object',
        'anyOf': [POOL_USAGE, object_schema({'usage': array_of(POOL_USAGE)})],
    },
    title='IP pool usage',
)
def get_ip_usage(user, arguments):
    if 'poolId' in arguments:
        pool = _pool(user, arguments['poolId'])
        return {
            'poolId': pool.pk,
            'name': pool.name,
            'network': str(pool.prefix.prefix),
            **pool_service.pool_usage(pool),
        }
    pools = list(IPPool.objects.restrict(user, 'view').select_related('prefix')[:1000])
    usage = pool_service.pools_usage(pools)
    return {
        'usage': [
            {'poolId': pool.pk, 'name': pool.name, 'network': str(pool.prefix.prefix), **usage[pool.pk]}
            for pool in pools
        ]
    }


@tool(
    'allocate-ip',
    'Allocate the lowest free address of a pool (or the requested ip) to an asset. Idempotent per (poolId, '
    'assetId): the same asset gets the same address back.',
    {
        'type': 'object',
        'properties': {
            'poolId': POOL_ID,
            'assetId': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'deviceName': {'type': 'string', 'maxLength': 255},
            'deviceType': {'type': 'string', 'maxLength': 50},
            'macAddress': {'type': 'string', 'maxLength': 32},
            'ip': {'type': 'string', 'description': 'Request this address instead of the next free one'},
            'deviceId': {'type': 'integer', 'description': 'Native NetBox device'},
            'interfaceId': {'type': 'integer', 'description': 'Native NetBox interface (gets the IP address)'},
            'notes': {'type': 'string'},
            'customFields': {'type': 'object', 'description': "Values of the allocation's custom fields"},
            'tags': {'type': 'array', 'items': {'type': 'string'}, 'description': 'Tag slugs'},
        },
        'required': ['poolId', 'assetId'],
        'additionalProperties': False,
    },
    output_schema=object_schema(
        {
            'success': BOOLEAN,
            'created': BOOLEAN,
            'ip': STRING,
            'gateway': NULLABLE_STRING,
            'dnsServers': array_of(STRING),
            'allocation': ALLOCATION,
        }
    ),
    title='Allocate an IP address',
    write=True,
    idempotent=True,
)
def allocate_ip(user, arguments):
    pool = _pool(user, arguments['poolId'])
    device = interface = None
    if 'deviceId' in arguments:
        device = load(
            Device.objects.restrict(user, 'view'),
            f'Device {arguments["deviceId"]} does not exist.',
            field='deviceId',
            pk=arguments['deviceId'],
        )
    if 'interfaceId' in arguments:
        interface = load(
            Interface.objects.restrict(user, 'view'),
            f'Interface {arguments["interfaceId"]} does not exist.',
            field='interfaceId',
            pk=arguments['interfaceId'],
        )
    tags = list(Tag.objects.filter(slug__in=arguments.get('tags', [])))
    if missing := set(arguments.get('tags', [])) - {tag.slug for tag in tags}:
        raise NotFound(f'Tags {", ".join(sorted(missing))} do not exist.', field='tags')
    try:
        allocation, created = pool_service.allocate_ip(
            pool,
            arguments['assetId'],
            user=user,
            address=arguments.get('ip'),
            device=device,
            interface=interface,
            device_name=arguments.get('deviceName', ''),
            device_type=arguments.get('deviceType', ''),
            mac_address=arguments.get('macAddress', ''),
            notes=arguments.get('notes', ''),
            custom_fields=arguments.get('customFields'),
            tags=tags,
        )
    except ServiceError as exc:
        raise _rename_field(exc) from None
    return {
        'success': True,
        'created': created,
        'ip': allocation.address,
        'gateway': pool.gateway,
        'dnsServers': list(pool.dns_servers or []),
        'allocation': allocation_dict(allocation),
    }


@tool(
    'release-ip',
    'Release the address ip held in pool poolId. The allocation stays as history.',
    {
        'type': 'object',
        'properties': {'ip': {'type': 'string', 'minLength': 1}, 'poolId': POOL_ID},
        'required': ['ip', 'poolId'],
        'additionalProperties': False,
    },
    output_schema=object_schema({'success': BOOLEAN, 'ip': STRING, 'allocation': ALLOCATION}),
    title='Release an IP address',
    write=True,
    destructive=True,
    idempotent=True,
)
def release_ip(user, arguments):
    pool = _pool(user, arguments['poolId'])
    try:
        allocation = pool_service.release_ip_by_address(pool, arguments['ip'], user=user)
    except ServiceError as exc:
        raise _rename_field(exc) from None
    allocation = IPAllocation.objects.get(pk=allocation.pk)
    return {'success': True, 'ip': allocation.address, 'allocation': allocation_dict(allocation)}
