"""Segment tools: get-segments, allocate-segment, release-segment (the predecessor's segment operations)."""

from netbox_archiflow.services import segments as segment_service
from netbox_archiflow.services.errors import ServiceError

from ..registry import (
    BOOLEAN,
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    STRING,
    TIMESTAMP,
    array_of,
    object_schema,
    tool,
)

# Service field names -> the camelCase argument that carried them.
ARGUMENT_NAMES = {
    'site_group': 'siteGroup',
    'vrf': 'vrf',
    'cluster': 'cluster',
    'netbox_cluster': 'clusterId',
    'count': 'count',
    'id': 'segmentId',
}

SITE_GROUP = {
    'type': ['integer', 'string'],
    'description': 'Site group: its id, or its slug',
}
VRF = {'type': ['integer', 'string'], 'description': 'VRF: its id, or its name'}


SEGMENT = object_schema(
    {
        'id': INTEGER,
        'prefix': STRING,
        'vrf': STRING,
        'siteGroup': STRING,
        'vlanId': NULLABLE_INTEGER,
        'vlanName': NULLABLE_STRING,
        'dhcp': BOOLEAN,
        'cluster': NULLABLE_STRING,
        'status': {'type': 'string', 'enum': ['free', 'allocated']},
        'allocatedAt': TIMESTAMP,
        'description': STRING,
    }
)


def _renamed(exc):
    exc.field = ARGUMENT_NAMES.get(exc.field, exc.field)
    return exc


def segment_dict(segment):
    return {
        'id': segment.pk,
        'prefix': str(segment.prefix.prefix),
        'vrf': segment.vrf.name,
        'siteGroup': segment.site_group.slug,
        'vlanId': segment.vlan.vid if segment.vlan_id else None,
        'vlanName': segment.vlan.name if segment.vlan_id else None,
        'dhcp': segment.dhcp,
        'cluster': segment.cluster or None,
        'clusterId': segment.netbox_cluster_id,
        'status': segment.status,
        'allocatedAt': segment.allocated_at.isoformat() if segment.allocated_at else None,
        'description': segment.description,
    }


@tool(
    'get-segments',
    'List the segments (prefix + VLAN) you may see, optionally of one site group, VRF, status, cluster name or '
    'NetBox cluster id.',
    {
        'type': 'object',
        'properties': {
            'siteGroup': SITE_GROUP,
            'vrf': VRF,
            'status': {'type': 'string', 'enum': ['free', 'allocated']},
            'cluster': {'type': 'string'},
            'clusterId': {'type': 'integer', 'minimum': 1, 'description': 'NetBox cluster id'},
            'limit': {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 100},
        },
        'additionalProperties': False,
    },
    output_schema=object_schema({'segments': array_of(SEGMENT)}),
    title='List segments',
)
def get_segments(user, arguments):
    try:
        queryset = segment_service.list_segments(
            user=user,
            site_group=arguments.get('siteGroup'),
            vrf=arguments.get('vrf'),
            status=arguments.get('status'),
            cluster=arguments.get('cluster'),
            netbox_cluster=arguments.get('clusterId'),
        )
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {'segments': [segment_dict(segment) for segment in queryset[: arguments.get('limit', 100)]]}


@tool(
    'allocate-segment',
    'Allocate the first free segment(s) of a site group and VRF to a cluster, all or nothing. Idempotent: a '
    'cluster asking again gets the segments it already holds.',
    {
        'type': 'object',
        'properties': {
            'siteGroup': SITE_GROUP,
            'vrf': VRF,
            'cluster': {
                'type': ['string', 'integer'],
                'description': 'Holder name (linked to the NetBox cluster of that name when exactly one exists), '
                'or a NetBox cluster id',
            },
            'count': {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 1},
        },
        'required': ['siteGroup', 'vrf', 'cluster'],
        'additionalProperties': False,
    },
    output_schema=object_schema({'success': BOOLEAN, 'created': BOOLEAN, 'segments': array_of(SEGMENT)}),
    title='Allocate segments to a cluster',
    write=True,
    idempotent=True,
)
def allocate_segment(user, arguments):
    try:
        segments, created = segment_service.allocate_segments(
            arguments['siteGroup'], arguments['vrf'], arguments['cluster'], arguments.get('count', 1), user=user
        )
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {'success': True, 'created': created, 'segments': [segment_dict(segment) for segment in segments]}


@tool(
    'release-segment',
    'Return a segment to its pool. Releasing a free segment succeeds and changes nothing.',
    {
        'type': 'object',
        'properties': {'segmentId': {'type': 'integer', 'minimum': 1}},
        'required': ['segmentId'],
        'additionalProperties': False,
    },
    output_schema=object_schema({'success': BOOLEAN, 'segment': SEGMENT}),
    title='Release a segment',
    write=True,
    destructive=True,
    idempotent=True,
)
def release_segment(user, arguments):
    try:
        segment = segment_service.release_segment(arguments['segmentId'], user=user)
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {'success': True, 'segment': segment_dict(segment)}
