"""Segments: create, update, delete, allocate to clusters and release.

Request-free business operations shared by the UI, REST, GraphQL and JSON-RPC layers. Every function
takes plain values (ids, ``{"slug": ...}`` / ``{"name": ...}`` references, strings) plus the acting
``user`` and returns model instances. Writes run in one transaction; allocations from one
(site group, VRF) pool serialize on a PostgreSQL advisory lock shared with NetBox's own
``available-prefixes`` / ``available-vlans`` endpoints (see ``services.locks``). Change logging is
NetBox's: call these inside a request (REST/UI) or ``management.changelog.change_logged(user)``.

Errors are ``ServiceError`` subclasses with a ``code`` and a ``field`` naming the input at fault;
nothing is written when one is raised.
"""

import netaddr
from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.text import slugify
from ipam.choices import PrefixStatusChoices, VLANStatusChoices
from ipam.models import VLAN, VRF, Prefix, Role, VLANGroup
from tenancy.models import Tenant
from virtualization.models import Cluster

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.contextvars import service_write
from netbox_archiflow.inputs import parse_id
from netbox_archiflow.models import Segment
from netbox_archiflow.models.segments import delete_vlan_if_orphaned

from .errors import Conflict, NotFound, PermissionDenied, ServiceError, full_clean
from .locks import load_custom_fields, lock_pool, prefetch_tags
from .lookups import load, reference, require_permission

__all__ = (
    'UNSET',
    'allocate_segments',
    'create_segment',
    'delete_segment',
    'delete_vlan_if_orphaned',
    'get_or_create_segment_vlan',
    'get_vlan_group',
    'list_segments',
    'prefix_status_for',
    'release_segment',
    'release_unlinked_segment',
    'resolve_holder',
    'resolve_site_group',
    'resolve_vrf',
    'segment_queryset',
    'update_segment',
)

UNSET = object()


def segment_queryset():
    """Segments with everything the APIs render, in one query."""
    return Segment.objects.select_related(
        'prefix', 'prefix__vrf', 'vrf', 'site_group', 'vlan', 'vlan__group', 'netbox_cluster', 'owner'
    ).prefetch_related('tags')


def prefix_status_for(segment_status):
    """The native prefix status mirroring a segment status."""
    if segment_status == SegmentStatusChoices.STATUS_ALLOCATED:
        return PrefixStatusChoices.STATUS_RESERVED
    return PrefixStatusChoices.STATUS_ACTIVE


def list_segments(*, user=None, site_group=None, vrf=None, status=None, cluster=None, netbox_cluster=None):
    """Segments the user may view, optionally of one pool, status, holder name or NetBox cluster id
    (for the JSON-RPC get-segments)."""
    queryset = segment_queryset()
    if user is not None:
        queryset = queryset.restrict(user, 'view')
    if site_group not in (None, ''):
        queryset = queryset.filter(site_group=resolve_site_group(site_group))
    if vrf not in (None, ''):
        queryset = queryset.filter(vrf=resolve_vrf(vrf))
    if status not in (None, ''):
        if status not in SegmentStatusChoices.values():
            raise ServiceError(
                f'status must be one of {", ".join(SegmentStatusChoices.values())}, got {status!r}', field='status'
            )
        queryset = queryset.filter(status=status)
    if cluster not in (None, ''):
        queryset = queryset.filter(cluster=cluster)
    if netbox_cluster not in (None, ''):
        queryset = queryset.filter(netbox_cluster=resolve_holder(netbox_cluster, field='netbox_cluster')[0])
    return queryset.order_by('vrf__name', 'site_group__name', 'prefix__prefix', 'pk')


# --- references --------------------------------------------------------------------------------------


def resolve_site_group(value, field='site_group'):
    """A Site Group by id, slug or ``{"slug": ...}``. The plugin never creates site groups."""
    if isinstance(value, SiteGroup):
        return value
    if value is None or value is UNSET:
        raise ServiceError('site_group is required', code='required', field=field)
    lookup, shown = reference(value, field, 'slug')
    return load(
        SiteGroup.objects.all(),
        f"Site group '{shown}' does not exist in NetBox; create it first",
        field=field,
        code='site_group_not_found',
        **lookup,
    )


def resolve_vrf(value, field='vrf'):
    """A VRF by id, name or ``{"name": ...}``. The plugin never creates VRFs."""
    if isinstance(value, VRF):
        return value
    if value is None or value is UNSET:
        raise ServiceError('vrf is required', code='required', field=field)
    lookup, shown = reference(value, field, 'name')
    if 'slug' in lookup:  # VRFs have no slug
        lookup = {'name': lookup['slug']}
    vrfs = list(VRF.objects.filter(**lookup)[:2])
    if not vrfs:
        raise NotFound(f"VRF '{shown}' does not exist in NetBox; create it first", code='vrf_not_found', field=field)
    if len(vrfs) > 1:
        raise ServiceError(f"VRF name '{shown}' is ambiguous; pass the VRF id", code='vrf_ambiguous', field=field)
    return vrfs[0]


def resolve_holder(value, field='cluster'):
    """The holder of an allocation: ``(NetBox cluster or None, holder name)``.

    A string is a holder name, kept as given; it is linked to the NetBox cluster of that name when exactly
    one exists. An id or ``{"id"|"name": ...}`` must name a NetBox cluster.
    """
    if isinstance(value, Cluster):
        return value, value.name
    if isinstance(value, str):
        name = value.strip()
        if not name:
            raise ServiceError(f'{field} is required (the name of the cluster taking the segment)', field=field)
        if len(name) > 100:
            raise ServiceError(f'{field} must be at most 100 characters', field=field)
        clusters = list(Cluster.objects.filter(name=name)[:2])
        return (clusters[0] if len(clusters) == 1 else None), name
    if isinstance(value, bool) or not isinstance(value, int | dict):
        raise ServiceError(
            f'{field}: expected a cluster name, a NetBox cluster id or {{"id": ...}}, got {value!r}', field=field
        )
    lookup, shown = reference(value, field, 'name')
    if 'slug' in lookup:  # clusters have no slug
        lookup = {'name': lookup['slug']}
    clusters = list(Cluster.objects.filter(**lookup)[:2])
    if not clusters:
        raise NotFound(f"Cluster '{shown}' does not exist in NetBox", code='cluster_not_found', field=field)
    if len(clusters) > 1:
        raise ServiceError(
            f"Cluster name '{shown}' is ambiguous; pass the cluster id", code='cluster_ambiguous', field=field
        )
    return clusters[0], clusters[0].name


def _configured(model, setting, label):
    """The tenant or role named by a plugin setting (None when unset). Never created."""
    name = plugin_settings.get(setting)
    if not name:
        return None
    obj = model.objects.filter(Q(name=name) | Q(slug=name)).first()
    if obj is None:
        raise NotFound(
            f"{label} '{name}' (plugin setting {setting}) does not exist in NetBox; create it first",
            code=f'{setting}_not_found',
        )
    return obj


def _segment(segment):
    """The segment itself, or the one with this id (a 404 naming ``id`` when there is none)."""
    if isinstance(segment, Segment):
        return segment
    return load(
        Segment.objects.all(),
        f'Segment {segment} does not exist',
        field='id',
        code='segment_not_found',
        status=404,
        pk=segment,
    )


# --- VLANs -------------------------------------------------------------------------------------------


def get_vlan_group(site_group, vrf, tenant=None):
    """The VLAN group of a (VRF, site group) pool, scoped to the site group; created when missing."""
    name = plugin_settings.get('segment_vlan_group_name').format(vrf=vrf.name, site_group=site_group.slug)[:100]
    scope_type = ContentType.objects.get_for_model(SiteGroup)
    group = VLANGroup.objects.filter(scope_type=scope_type, scope_id=site_group.pk, name=name).first()
    if group is None:
        group = VLANGroup(
            name=name, slug=slugify(name)[:100], scope_type=scope_type, scope_id=site_group.pk, tenant=tenant
        )
        full_clean(group)
        group.save()
    return group


def _parse_int(value, field, low, high, *, expected, range_code='invalid'):
    """An integer (or a string of digits) from ``low`` to ``high``, else a ServiceError naming ``field``."""
    problem = f'{field} must be {expected}, got {value!r}'
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError(problem, field=field)
    try:
        number = int(value)
    except ValueError:
        raise ServiceError(problem, field=field) from None
    if not low <= number <= high:
        raise ServiceError(f'{field} must be from {low} to {high}, got {number}', code=range_code, field=field)
    return number


def _parse_vid(vlan_id):
    return _parse_int(vlan_id, 'vlan_id', 1, 4094, expected='an integer from 1 to 4094', range_code='vid_out_of_range')


def get_or_create_segment_vlan(site_group, vrf, vlan_id=None, vlan_name=None, tenant=UNSET):
    """The VLAN with ``vlan_id`` in the pool's VLAN group (created when missing), or a new one with the next free VID.

    Must run inside the pool's transaction: takes NetBox's ``available-vlans`` lock for the group.
    """
    if vlan_name is not None and not isinstance(vlan_name, str):
        raise ServiceError(f'vlan_name must be a string, got {vlan_name!r}', field='vlan_name')
    if tenant is UNSET:
        tenant = _configured(Tenant, 'segment_tenant', 'Tenant')
    group = get_vlan_group(site_group, vrf, tenant)
    lock_pool('available-vlans', 'vlangroup', group.pk)
    if vlan_id is not None:
        vid = _parse_vid(vlan_id)
        existing = VLAN.objects.filter(group=group, vid=vid).first()
        if existing is not None:
            return existing
    else:
        low, high = plugin_settings.get('segment_vid_min'), plugin_settings.get('segment_vid_max')
        free = [vid for vid in group.get_available_vids() if low <= vid <= high]
        if not free:
            raise Conflict(
                f'No free VLAN ID from {low} to {high} in VLAN group {group}',
                code='vid_exhausted',
                field='vlan_id',
            )
        vid = free[0]
    name = vlan_name or plugin_settings.get('segment_vlan_name').format(
        vrf=vrf.name, site_group=site_group.slug, vid=vid
    )
    if VLAN.objects.filter(group=group, name=name).exists():
        raise ServiceError(
            f"VLAN name '{name}' is already used by another VLAN in group {group}",
            code='vlan_name_taken',
            field='vlan_name',
        )
    vlan = VLAN(
        group=group,
        vid=vid,
        name=name[:64],
        tenant=tenant,
        role=_configured(Role, 'segment_vlan_role', 'VLAN role'),
        status=VLANStatusChoices.STATUS_ACTIVE,
    )
    # Related objects were resolved above and the VID/name checked under the group lock: skip re-fetching them.
    full_clean(vlan, fields={'vid': 'vlan_id', 'name': 'vlan_name'}, exclude=['group', 'tenant', 'role'])
    with service_write():
        vlan.save()
    return vlan


# --- create / update / delete ------------------------------------------------------------------------


def _parse_prefix(value):
    if isinstance(value, dict):  # the nested prefix as the API renders it
        value = value.get('prefix', '')
    text = str(value).strip() if isinstance(value, str | netaddr.IPNetwork) else None
    try:
        if not text or '/' not in text:
            raise ValueError
        network = netaddr.IPNetwork(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ServiceError(
            f"prefix: '{value}' is not a valid CIDR prefix (e.g. 10.0.0.0/24)", code='invalid_prefix', field='prefix'
        ) from None
    if network.prefixlen == 0:
        raise ServiceError('prefix: a /0 prefix cannot be a segment', code='invalid_prefix', field='prefix')
    if network.network != network.ip:
        raise ServiceError(
            f"prefix: '{value}' has host bits set; did you mean {network.cidr}?", code='invalid_prefix', field='prefix'
        )
    return network.cidr


def _parse_prefix_length(value):
    return _parse_int(value, 'prefix_length', 1, 128, expected='an integer')


def _next_free_prefix(site_group, vrf, length):
    """The lowest free block of ``length`` bits in the pool's container prefixes (VRF, scope = site group)."""
    containers = list(
        Prefix.objects.filter(
            vrf=vrf,
            status=PrefixStatusChoices.STATUS_CONTAINER,
            scope_type=ContentType.objects.get_for_model(SiteGroup),
            scope_id=site_group.pk,
        ).order_by('prefix')
    )
    if not containers:
        raise NotFound(
            f"No container prefix in VRF '{vrf}' is scoped to site group '{site_group}'; "
            f"create one or pass 'prefix' instead of 'prefix_length'",
            code='container_not_found',
            field='prefix_length',
        )
    for container in containers:
        maxlen = 32 if container.prefix.version == 4 else 128
        if not container.prefix.prefixlen <= length <= maxlen:
            continue
        for block in container.get_available_prefixes().iter_cidrs():
            if block.prefixlen <= length:
                return next(block.subnet(length))
    raise Conflict(
        f'No free /{length} is left in the container prefixes of VRF {vrf} for site group {site_group}',
        code='pool_exhausted',
        field='prefix_length',
        available=0,
        requested=1,
    )


@transaction.atomic
def create_segment(
    *,
    site_group=UNSET,
    vrf=UNSET,
    prefix=None,
    prefix_length=None,
    vlan_id=None,
    vlan_name=None,
    dhcp=False,
    description='',
    user=None,
    tags=None,
    changelog_message=None,
    **attrs,
):
    """Create a free segment: a native Prefix (explicit ``prefix`` or the next free ``prefix_length`` block of
    the pool's container) with a VLAN got-or-created in the pool's VLAN group. ``attrs`` are further Segment
    fields (comments, owner, custom_field_data)."""
    require_permission(user, Segment, 'add')
    site_group = resolve_site_group(site_group)
    vrf = resolve_vrf(vrf)
    if (prefix in (None, '')) == (prefix_length in (None, '')):
        raise ServiceError('Pass exactly one of prefix (a CIDR) or prefix_length', code='invalid', field='prefix')
    network = _parse_prefix(prefix) if prefix not in (None, '') else None
    length = _parse_prefix_length(prefix_length) if network is None else None
    if vlan_id is not None:
        _parse_vid(vlan_id)
    tenant = _configured(Tenant, 'segment_tenant', 'Tenant')
    prefix_role = _configured(Role, 'segment_prefix_role', 'Prefix role')

    lock_pool('available-prefixes', 'segment', site_group.pk, vrf.pk)
    if network is None:
        network = _next_free_prefix(site_group, vrf, length)
    elif Prefix.objects.filter(vrf=vrf, prefix=str(network)).exists():
        raise ServiceError(f'prefix: {network} already exists in VRF {vrf}', code='prefix_exists', field='prefix')
    vlan = get_or_create_segment_vlan(site_group, vrf, vlan_id, vlan_name, tenant=tenant)

    native = Prefix(
        prefix=network,
        vrf=vrf,
        scope=site_group,
        tenant=tenant,
        role=prefix_role,
        vlan=vlan,
        status=prefix_status_for(SegmentStatusChoices.STATUS_FREE),
        description=description or '',
    )
    full_clean(native, exclude=['vrf', 'tenant', 'role', 'vlan', 'scope_type', 'scope_id'])
    with service_write():
        native.save()
    segment = Segment(
        prefix=native,
        vrf=vrf,
        site_group=site_group,
        vlan=vlan,
        dhcp=bool(dhcp),
        description=description or '',
        status=SegmentStatusChoices.STATUS_FREE,
        **attrs,
    )
    full_clean(segment, exclude=['prefix', 'vrf', 'site_group', 'vlan'])
    segment._changelog_message = changelog_message
    segment.save()
    if tags:
        segment.tags.set(tags)
    if user is not None and not Segment.objects.restrict(user, 'add').filter(pk=segment.pk).exists():
        raise PermissionDenied(
            'You do not have the permission netbox_archiflow.add_segment for this site group/VRF',
            code='permission_denied',
        )
    return segment


@transaction.atomic
def update_segment(
    segment,
    *,
    site_group=UNSET,
    vrf=UNSET,
    prefix=UNSET,
    prefix_length=UNSET,
    vlan_id=UNSET,
    vlan_name=UNSET,
    dhcp=UNSET,
    description=UNSET,
    user=None,
    tags=None,
    changelog_message=None,
    **attrs,
):
    """Update a segment. A new ``vlan_id`` moves the prefix to that VLAN (got-or-created) and deletes the old
    VLAN when nothing references it. Site group, VRF and prefix are fixed: passing other values is an error."""
    segment = _segment(segment)
    require_permission(user, Segment, 'change', segment)
    if site_group not in (UNSET, None) and resolve_site_group(site_group).pk != segment.site_group_id:
        raise ServiceError(
            'site_group cannot be changed; delete the segment and create a new one',
            code='immutable',
            field='site_group',
        )
    if vrf not in (UNSET, None) and resolve_vrf(vrf).pk != segment.vrf_id:
        raise ServiceError(
            'vrf cannot be changed; delete the segment and create a new one', code='immutable', field='vrf'
        )
    if prefix not in (UNSET, None, '') and _parse_prefix(prefix) != segment.prefix.prefix.cidr:
        raise ServiceError(
            'prefix cannot be changed; delete the segment and create a new one', code='immutable', field='prefix'
        )
    if (
        prefix_length not in (UNSET, None, '')
        and _parse_prefix_length(prefix_length) != segment.prefix.prefix.prefixlen
    ):
        raise ServiceError(
            'prefix_length cannot be changed; delete the segment and create a new one',
            code='immutable',
            field='prefix_length',
        )

    lock_pool('available-prefixes', 'segment', segment.site_group_id, segment.vrf_id)
    segment = Segment.objects.select_related('prefix', 'vlan').select_for_update(of=('self',)).get(pk=segment.pk)
    segment.snapshot()
    old_vlan = None
    if vlan_id not in (UNSET, None) and _parse_vid(vlan_id) != segment.vlan.vid:
        new_vlan = get_or_create_segment_vlan(
            segment.site_group, segment.vrf, vlan_id, None if vlan_name is UNSET else vlan_name
        )
        old_vlan = segment.vlan
        native = segment.prefix
        native.snapshot()
        native.vlan = new_vlan
        with service_write():
            native.save()
        segment.vlan = new_vlan
    if dhcp is not UNSET:
        segment.dhcp = bool(dhcp)
    if description is not UNSET:
        segment.description = description or ''
    for name, value in attrs.items():
        setattr(segment, name, value)
    full_clean(segment, exclude=['prefix', 'vrf', 'site_group', 'vlan'])
    segment._changelog_message = changelog_message
    segment.save()
    if tags is not None:
        segment.tags.set(tags)
    if old_vlan is not None:
        delete_vlan_if_orphaned(old_vlan)
    if user is not None and not Segment.objects.restrict(user, 'change').filter(pk=segment.pk).exists():
        raise PermissionDenied(
            'You do not have the permission netbox_archiflow.change_segment', code='permission_denied'
        )
    return segment


@transaction.atomic
def delete_segment(segment, *, user=None):
    """Delete a segment, its native prefix, and its VLAN when nothing else references it."""
    segment = _segment(segment)
    require_permission(user, Segment, 'delete', segment)
    lock_pool('available-prefixes', 'segment', segment.site_group_id, segment.vrf_id)
    segment.snapshot()
    segment.delete()  # Segment.delete() removes the prefix and the orphaned VLAN


# --- allocate / release ------------------------------------------------------------------------------


def allocate_segments(site_group, vrf, cluster, count=1, *, user=None):
    """Allocate ``count`` segments of a (site group, VRF) pool to ``cluster``, lowest prefix first.

    ``cluster`` is a holder name, a NetBox ``Cluster`` or a reference to one (see ``resolve_holder``).
    Idempotent: segments the cluster already holds in the pool count first (for a NetBox cluster, also
    those held under its name without the link, which get linked); when it holds ``count`` or more, those
    are returned and nothing else changes. All-or-nothing: when too few are free, ``Conflict``
    (``pool_exhausted``, with ``available`` and ``requested``) and nothing changes.

    Returns ``(segments, created)``; ``created`` is True when at least one segment was newly allocated.
    """
    site_group = resolve_site_group(site_group)
    vrf = resolve_vrf(vrf)
    holder, cluster = resolve_holder(cluster)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
        raise ServiceError(f'count must be an integer from 1 to 1000, got {count!r}', field='count')
    require_permission(user, Segment, 'allocate')
    load_custom_fields(Segment, Prefix)

    queryset = Segment.objects.filter(site_group=site_group, vrf=vrf)
    if user is not None:
        queryset = queryset.restrict(user, 'allocate')
    allocated = Q(status=SegmentStatusChoices.STATUS_ALLOCATED)
    # One query under the lock: what the cluster holds first, then the lowest free segments; no more than
    # ``count`` can be returned.
    candidates = (
        queryset.filter(
            allocated & (Q(cluster=cluster) if holder is None else Q(netbox_cluster=holder))
            | Q(status=SegmentStatusChoices.STATUS_FREE)
        )
        .select_related('prefix', 'prefix__vrf', 'vrf', 'site_group', 'vlan', 'vlan__group', 'owner')
        .select_for_update(of=('self',))
        .order_by(Case(When(status=SegmentStatusChoices.STATUS_FREE, then=1), default=0), 'prefix__prefix')[:count]
    )

    with transaction.atomic():
        lock_pool('available-prefixes', 'segment', site_group.pk, vrf.pk)
        if holder is not None:
            # Segments held under the NetBox cluster's name without the link get linked, all of them.
            unlinked = list(
                queryset.filter(allocated, netbox_cluster=None, cluster=cluster).select_for_update(of=('self',))
            )
            prefetch_tags(unlinked)
            for segment in unlinked:
                segment.snapshot()
                segment.netbox_cluster = holder
                segment.save()
        found = list(candidates)
        held = [segment for segment in found if segment.status == SegmentStatusChoices.STATUS_ALLOCATED]
        free = found[len(held) :]
        needed = count - len(held)
        if len(free) < needed:
            raise Conflict(
                f'Only {len(free)} free segment(s) in site group {site_group} / VRF {vrf}; {needed} requested',
                code='pool_exhausted',
                available=len(free),
                requested=needed,
            )
        # The free segments' prefixes are saved too: their tags are read in the same query.
        prefetch_tags(found + [segment.prefix for segment in free])
        if not free:
            return held, False
        now = timezone.now()
        for segment in free:
            _set_state(segment, SegmentStatusChoices.STATUS_ALLOCATED, cluster, now, holder)
        return sorted(found, key=lambda segment: (segment.prefix.prefix, segment.pk)), True


def release_segment(segment, *, user=None):
    """Return a segment to its pool. Releasing a free segment is a no-op success."""
    pk = segment.pk if isinstance(segment, Segment) else parse_id(segment)
    if pk is None:
        raise NotFound(f'Segment {segment!r} does not exist', code='segment_not_found', field='id', status=404)
    require_permission(user, Segment, 'release')
    with transaction.atomic():
        queryset = Segment.objects.all() if user is None else Segment.objects.restrict(user, 'release')
        segment = queryset.select_related('prefix').select_for_update(of=('self',)).filter(pk=pk).first()
        if segment is None:
            raise NotFound(f'Segment {pk} does not exist', code='segment_not_found', field='id', status=404)
        if segment.status != SegmentStatusChoices.STATUS_FREE:
            _set_state(segment, SegmentStatusChoices.STATUS_FREE, '', None)
    return segment_queryset().get(pk=pk)


def release_unlinked_segment(segment):
    """Before saving ``segment`` without the NetBox cluster that held it (NetBox clears the link of every
    related object when a cluster is deleted): release it, as the link was what held it. The change log
    snapshot taken before the change tells whether it was linked; only without one is the row read."""
    snapshot = getattr(segment, '_prechange_snapshot', None)
    if snapshot is not None:
        linked = snapshot.get('netbox_cluster') is not None
    else:
        linked = Segment.objects.filter(pk=segment.pk, netbox_cluster__isnull=False).exists()
    if not linked:
        return
    segment.status = SegmentStatusChoices.STATUS_FREE
    segment.cluster = ''
    segment.allocated_at = None
    _mirror_prefix_status(segment)


def _set_state(segment, status, cluster, allocated_at, netbox_cluster=None):
    segment.snapshot()
    segment.status = status
    segment.cluster = cluster
    segment.netbox_cluster = netbox_cluster
    segment.allocated_at = allocated_at
    segment.save()
    _mirror_prefix_status(segment)


def _mirror_prefix_status(segment):
    native = segment.prefix
    if native.scope_id == segment.site_group_id:
        native.scope = segment.site_group  # already loaded: spares the scope lookups of snapshot() and save()
    wanted = prefix_status_for(segment.status)
    if native.status != wanted:
        native.snapshot()
        native.status = wanted
        with service_write():
            native.save()
