"""IP pool operations: usage, allocate, release, pool creation. Shared by the UI, REST, GraphQL and RPC.

Everything here takes plain values and the acting ``user`` (``None`` = the system, no permission
checks) and raises :mod:`netbox_archiflow.services.errors` exceptions for refusals.

Address arithmetic never enumerates a network. Database triggers (``usage_triggers``) keep, per pool, the
set of occupied hosts (native IP addresses in the VRF, active allocations, the gateway) and counters
in ``IPPoolUsage``, so usage is one row read whatever the pool's size or fill, and the next free
address is the first gap found by one window query over the occupied set and populated IP ranges.
Both work for an IPv6 /64 as for an IPv4 /29.

Concurrency: an allocation runs in ``transaction.atomic`` under ``lock_pool('available-ips', 'ippool',
pk)`` -- a shared lock on the advisory key NetBox's own ``available-ips`` endpoint holds exclusively,
plus an exclusive per-pool lock -- so two allocations in one pool, or a plugin allocation and core's
endpoint, never pick the same address. The partial unique constraints on active allocations are the
backstop: a lost race becomes ``Conflict(code='address_in_use')``, never an IntegrityError.
"""

import logging

import netaddr
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from ipam.choices import IPAddressStatusChoices, PrefixStatusChoices
from ipam.models import VRF, IPAddress, IPRange, Prefix

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import PoolTypeChoices
from netbox_archiflow.inputs import parse_id
from netbox_archiflow.models import IPAllocation, IPPool, IPPoolOccupiedAddress
from netbox_archiflow.services import alerts
from netbox_archiflow.services.errors import Conflict, NotFound, ServiceError, full_clean
from netbox_archiflow.services.locks import load_custom_fields, lock_pool, untagged
from netbox_archiflow.services.lookups import load, require_object_permission, require_permission
from netbox_archiflow.services.usage import pool_usage, pools_usage, rebuild_usage

logger = logging.getLogger('netbox_archiflow.pools')

__all__ = (
    'allocate_ip',
    'find_pool',
    'first_free_address',
    'get_or_create_prefix',
    'pool_usage',
    'pools_usage',
    'rebuild_usage',
    'release_ip',
    'release_ip_by_address',
)

OCCUPIED_TABLE = IPPoolOccupiedAddress._meta.db_table


def find_pool(pool_id, user=None, action='view'):
    """The pool with ``pool_id`` visible to ``user`` (NotFound otherwise, naming the field)."""
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf')
    if user is not None:
        queryset = queryset.restrict(user, action)
    # no pool has id 0
    return load(queryset, f'IP pool {pool_id!r} does not exist.', field='pool', pk=parse_id(pool_id) or 0)


# -- bounds and occupied addresses -------------------------------------------------------------------


def _bounds(pool):
    """(first, last) usable netaddr.IPAddress of the pool, as NetBox's available-ips computes them."""
    return pool.prefix.usable_ip_bounds


def _populated_intervals(pool, first, last):
    """Clipped (start, end) intervals of populated IP ranges in the pool's VRF (few rows)."""
    return list(IPRange.objects.filter(vrf=pool.prefix.vrf, mark_populated=True).get_intervals(first, last))


def _occupied_sql(pool, first, last):
    """SQL (and params) of the occupied hosts of the pool in [first, last] (outside populated ranges).

    ``IPPoolOccupiedAddress`` is kept by the database triggers of ``usage_triggers``, in the writing
    transaction, so it holds every native address of the VRF, active allocation and gateway that count.
    """
    sql = (
        f'SELECT o.address AS h FROM {OCCUPIED_TABLE} o WHERE o.pool_id = %s AND '
        'o.address BETWEEN %s::inet AND %s::inet'
    )
    return sql, [pool.pk, str(first), str(last)]


def first_free_address(pool):
    """The lowest free address of the pool (netaddr.IPAddress) or None when it is full."""
    return _first_free(pool)[0]


def _first_free(pool):
    """(lowest free address or None, pk of the native address a released allocation of the pool kept there
    as deprecated or None).

    One query: the occupied hosts (the gateway among them) and the populated ranges of the VRF as (lo, hi)
    intervals, sorted once; the first gap is the first address after the running maximum of the preceding
    intervals. Never generates the address range, so an IPv6 /64 costs what its occupied addresses cost.
    The kept address, which an allocation there takes back, is looked up in the same query.
    """
    first, last = _bounds(pool)
    occupied_sql, params = _occupied_sql(pool, first, last)
    sql = (
        f'WITH used(lo, hi) AS (SELECT h, h FROM ({occupied_sql}) o'
        # Populated IP ranges, clipped to the bounds (other families compare outside them).
        ' UNION ALL SELECT greatest(host(r.start_address)::inet, %s::inet), least(host(r.end_address)::inet, %s::inet)'
        ' FROM ipam_iprange r WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM %s'
        ' AND host(r.start_address)::inet <= %s::inet AND host(r.end_address)::inet >= %s::inet), '
        'ordered AS (SELECT lo, hi, max(hi) OVER (ORDER BY lo ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)'
        ' AS prev_hi FROM used) '
        'SELECT host(free.c), ('
        # What _kept_ip_address reads, for the free address.
        ' SELECT i.id FROM ipam_ipaddress i WHERE host(i.address)::inet = free.c'
        " AND i.vrf_id IS NOT DISTINCT FROM %s AND i.status = 'deprecated' AND EXISTS ("
        '  SELECT 1 FROM netbox_archiflow_ipallocation k'
        '  WHERE k.ip_address_id = i.id AND k.pool_id = %s AND NOT k.is_active)'
        ' ORDER BY i.id LIMIT 1'
        ') FROM (SELECT min(c) AS c FROM ('
        ' SELECT %s::inet AS c WHERE NOT EXISTS (SELECT 1 FROM used WHERE lo <= %s::inet)'
        ' UNION ALL SELECT prev_hi + 1 FROM ordered WHERE lo > prev_hi + 1'
        ' UNION ALL SELECT max(hi) + 1 FROM used HAVING max(hi) < %s::inet'
        ') gaps) free'
    )
    params += [str(first), str(last), pool.prefix.vrf_id, str(last), str(first)]
    params += [pool.prefix.vrf_id, pool.pk]
    params += [str(first), str(first), str(last)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if not row or not row[0]:
        return None, None
    return netaddr.IPAddress(row[0]), row[1]


def _address_is_occupied(pool, address):
    first, last = _bounds(pool)
    if pool.gateway and netaddr.IPAddress(pool.gateway) == address:
        return 'it is the gateway of the pool'
    for lo, hi in _populated_intervals(pool, first, last):
        if lo <= address <= hi:
            return 'it lies in a populated IP range'
    occupied_sql, params = _occupied_sql(pool, address, address)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT EXISTS ({occupied_sql})', params)
        if cursor.fetchone()[0]:
            return 'it is already used in NetBox in this VRF'
    return None


# -- pools -------------------------------------------------------------------------------------------


def get_or_create_prefix(cidr, vrf=None, user=None):
    """The native prefix for ``cidr`` in ``vrf`` (a VRF or its pk), created when missing."""
    try:
        network = netaddr.IPNetwork(str(cidr))
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ServiceError(f'{cidr!r} is not a network in CIDR notation.', field='network') from None
    if network.ip != network.network:
        raise ServiceError(f'{cidr} has host bits set; did you mean {network.cidr}?', field='network')
    if vrf is not None and not isinstance(vrf, VRF):
        vrf_qs = VRF.objects.all() if user is None else VRF.objects.restrict(user, 'view')
        number = parse_id(vrf)
        vrf = vrf_qs.filter(pk=number).first() if number is not None else vrf_qs.filter(name=str(vrf)).first()
        if vrf is None:
            raise NotFound('VRF does not exist.', field='vrf')
    prefix = Prefix.objects.filter(prefix=str(network.cidr), vrf=vrf).order_by('pk').first()
    if prefix is not None:
        return prefix
    require_permission(user, Prefix, 'add')
    prefix = Prefix(prefix=str(network.cidr), vrf=vrf, status=PrefixStatusChoices.STATUS_ACTIVE)
    prefix.full_clean()
    prefix.save()
    require_object_permission(user, prefix, 'add')
    return prefix


# -- allocate / release ------------------------------------------------------------------------------


def _parse_address(value, pool):
    try:
        address = netaddr.IPAddress(str(value).split('/')[0])
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ServiceError(f'{value!r} is not an IP address.', field='address') from None
    first, last = _bounds(pool)
    if address.version != first.version or not first <= address <= last:
        raise ServiceError(f'{address} is not a usable address of pool {pool} ({first}-{last}).', field='address')
    return address


def _schedule_pool_alerts(pool_id, exhausted=False, asset_id=None):
    if exhausted:
        alerts.after_commit(alerts.raise_pool_exhausted, pool_id, asset_id)
    else:
        alerts.after_commit(alerts.evaluate_pool, pool_id)


def allocate_ip(
    pool,
    asset_id,
    *,
    user=None,
    address=None,
    device=None,
    interface=None,
    device_name='',
    device_type='',
    mac_address='',
    notes='',
    custom_fields=None,
    tags=(),
    changelog_message='',
):
    """Allocate the lowest free address of ``pool`` (or ``address``) to ``asset_id``.

    Idempotent per (pool, asset_id): an asset holding an active allocation gets it back.
    Returns ``(allocation, created)``. Refusals: ``ServiceError`` (400, names the field),
    ``Conflict`` 409 with code ``pool_exhausted`` / ``address_in_use`` / ``asset_has_address`` /
    ``pool_inactive`` / ``pool_reserved``, ``PermissionDenied`` 403.
    """
    asset_id = str(asset_id or '').strip()
    if not asset_id:
        raise ServiceError('asset_id is required.', field='asset_id')
    if len(asset_id) > 100:
        raise ServiceError('asset_id must be at most 100 characters.', field='asset_id')
    require_permission(user, IPAllocation, 'add')
    if not pool.is_active:
        raise Conflict(f'Pool {pool} is not active.', code='pool_inactive')
    if address not in (None, ''):
        address = _parse_address(address, pool)
    else:
        address = None
        if pool.pool_type == PoolTypeChoices.TYPE_RESERVED:
            raise Conflict(
                f'Pool {pool} is reserved: it never hands out addresses automatically; request an address.',
                code='pool_reserved',
            )
    if interface is not None and device is not None and interface.device_id != device.pk:
        raise ServiceError(f'Interface {interface} does not belong to device {device}.', field='interface')
    if interface is not None and device is None:
        device = interface.device
    if mac_address:
        try:
            # version=48: netaddr would read "10.0.0.1" as an EUI-64, which no MAC address format can print.
            mac_address = str(netaddr.EUI(str(mac_address), version=48, dialect=netaddr.mac_unix_expanded)).upper()
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise ServiceError(f'{mac_address!r} is not a MAC address.', field='mac_address') from None

    load_custom_fields(IPAddress, IPAllocation)
    # Idempotency before the lock: the partial unique constraint on (pool, asset_id) among active allocations
    # decides a race between two requests for one asset (the loser returns the winner's allocation below).
    existing = _active_allocation(pool, asset_id, address)
    if existing is not None:
        return existing, False
    new_ip, allocation = _prepare_allocation(
        pool,
        asset_id,
        user,
        device,
        interface,
        device_name,
        device_type,
        mac_address,
        notes,
        custom_fields,
        changelog_message,
    )
    try:
        with transaction.atomic():
            lock_pool('available-ips', 'ippool', pool.pk)
            if address is None:
                chosen, kept = _first_free(pool)
                kept = IPAddress.objects.filter(pk=kept).first() if kept is not None else None
                if chosen is None:
                    raise Conflict(
                        f'Pool {pool} has no free address.', code='pool_exhausted', pool=pool.pk, available=0
                    )
            else:
                chosen = address
                reason = _address_is_occupied(pool, address)
                if reason:
                    raise Conflict(f'{address} is not available: {reason}.', code='address_in_use', field='address')
                kept = _kept_ip_address(pool, address)
            allocation.ip_address = _save_ip_address(pool, chosen, kept, new_ip)
            allocation.address = str(chosen)
            # The related objects were looked up before the lock (or created just now): no existence queries.
            full_clean(
                allocation,
                fields={'__all__': 'custom_fields'},
                exclude=['pool', 'ip_address', 'device', 'interface', 'allocated_by'],
                validate_constraints=False,
            )
            allocation.save()
            if tags:
                allocation.tags.set(tags)
            require_object_permission(user, allocation, 'add')
    except Conflict as exc:
        if exc.code == 'pool_exhausted':
            _schedule_pool_alerts(pool.pk, exhausted=True, asset_id=asset_id)
        raise
    except IntegrityError:
        existing = _active_allocation(pool, asset_id, address)
        if existing is not None:  # the same asset, allocated concurrently
            return existing, False
        # The constraint backstop: a writer that did not take the pool lock got there first.
        raise Conflict(f'The address was taken concurrently in pool {pool}; retry.', code='address_in_use') from None
    # No separate pool evaluation: saving the native IP address scheduled it (signal_receivers.alerts).
    return allocation, True


def _active_allocation(pool, asset_id, address):
    """The active allocation of ``asset_id`` in ``pool`` or None; Conflict when it holds another address than
    the one requested."""
    existing = (
        IPAllocation.objects.filter(pool=pool, asset_id=asset_id, is_active=True).select_related('ip_address').first()
    )
    if existing is not None and address is not None and netaddr.IPAddress(existing.address) != address:
        raise Conflict(
            f'Asset {asset_id} already holds {existing.address} in pool {pool}.',
            code='asset_has_address',
            address=existing.address,
        )
    return existing


def _kept_ip_address(pool, address):
    """The native address a released allocation of ``pool`` kept as deprecated at ``address`` (None if there is
    none): an allocation of that address takes it back."""
    return (
        IPAddress.objects.filter(
            vrf=pool.prefix.vrf,
            address__net_host=str(address),
            status=IPAddressStatusChoices.STATUS_DEPRECATED,
            archiflow_allocations__pool=pool,
            archiflow_allocations__is_active=False,
        )
        .order_by('pk')
        .first()
    )


def _prepare_allocation(
    pool, asset_id, user, device, interface, device_name, device_type, mac, notes, custom_fields, changelog_message
):
    """The native IP address and the allocation that will own it, built before the lock (both unsaved, carrying
    the change log message): the address they get is chosen under it."""
    ip = untagged(
        IPAddress(
            vrf=pool.prefix.vrf,
            status=IPAddressStatusChoices.STATUS_ACTIVE,
            description=f'ArchiFlow pool {pool.name}: {asset_id}'[:200],
        )
    )
    ip.assigned_object = interface
    ip._changelog_message = changelog_message
    allocation = untagged(
        IPAllocation(
            pool=pool,
            asset_id=asset_id,
            device=device,
            interface=interface,
            device_name=(device_name or (device.name if device else '') or '')[:255],
            device_type=(device_type or '')[:50],
            mac_address=mac or '',
            notes=notes or '',
            allocated_by=user if user is not None and user.is_authenticated else None,
        )
    )
    allocation.custom_field_data = {**allocation.custom_field_data, **(custom_fields or {})}
    allocation._changelog_message = changelog_message
    return ip, allocation


def _save_ip_address(pool, address, kept, new_ip):
    """Validate and save the native IP address for ``address``: ``kept`` (a released allocation's, taken back) or
    ``new_ip`` (from ``_prepare_allocation``)."""
    if kept is not None:
        kept.snapshot()
        ip = kept
        ip.vrf = new_ip.vrf  # the same VRF, loaded with the pool
        ip.status = IPAddressStatusChoices.STATUS_ACTIVE
        ip.description = new_ip.description
        ip.assigned_object = new_ip.assigned_object
        ip._changelog_message = new_ip._changelog_message
    else:
        ip = new_ip
        ip.address = netaddr.IPNetwork(f'{address}/{netaddr.IPNetwork(str(pool.prefix.prefix)).prefixlen}')
        ip.archiflow_allocated_in = pool.pk  # for signal_receivers.alerts: only this pool's usage changes
    try:
        ip.full_clean(exclude=['vrf'])  # the pool's VRF, loaded with the pool
    except ValidationError as exc:
        messages = '; '.join(f'{k}: {" ".join(v)}' for k, v in exc.message_dict.items())
        if 'address' in exc.message_dict:
            raise Conflict(f'{address} is not available: {messages}', code='address_in_use', field='address') from None
        raise ServiceError(messages, field=next(iter(exc.message_dict), None)) from None
    ip.save()
    return ip


def release_ip(allocation, *, user=None):
    """Release an active allocation: history kept (who/when), native IP deleted or kept as deprecated."""
    require_permission(user, IPAllocation, 'change')
    with transaction.atomic():
        lock_pool('available-ips', 'ippool', allocation.pool_id)
        allocation = (
            IPAllocation.objects.select_for_update(of=('self',))
            .select_related('pool', 'ip_address')
            .get(pk=allocation.pk)
        )
        if not allocation.is_active:
            raise Conflict(
                f'Allocation {allocation} was already released at {allocation.released_at:%Y-%m-%d %H:%M:%S}.',
                code='already_released',
            )
        require_object_permission(user, allocation, 'change')
        allocation.snapshot()
        allocation.is_active = False
        allocation.released_at = timezone.now()
        allocation.released_by = user if user is not None and user.is_authenticated else None
        ip = allocation.ip_address
        if ip is not None and not plugin_settings.get('release_keeps_ip_address'):
            allocation.ip_address = None
        allocation.save()
        if ip is not None:
            retire_ip_address(ip)
    if ip is None or not allocation.pool.is_active:
        # Otherwise deleting or saving the native IP address scheduled the pool's evaluation.
        _schedule_pool_alerts(allocation.pool_id)
    alerts.after_commit(alerts.resolve_conflicts_of_allocation, allocation.pk)
    return allocation


def retire_ip_address(ip):
    """What happens to the native IP address an allocation gives up: deleted, or kept as deprecated
    when the setting ``release_keeps_ip_address`` says so."""
    if plugin_settings.get('release_keeps_ip_address'):
        ip.snapshot()
        ip.status = IPAddressStatusChoices.STATUS_DEPRECATED
        ip.save()
    else:
        ip.delete()


def allocation_deleted(allocation):
    """An active allocation owns its native IP address: deleting the allocation (or its pool) retires it."""
    if not allocation.is_active or allocation.ip_address_id is None:
        return
    ip = IPAddress.objects.filter(pk=allocation.ip_address_id).first()
    if ip is not None:
        retire_ip_address(ip)


def release_ip_by_address(pool, address, *, user=None):
    """Release the active allocation holding ``address`` in ``pool`` (the RPC's release-ip)."""
    try:
        host = netaddr.IPAddress(str(address).split('/')[0])
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ServiceError(f'{address!r} is not an IP address.', field='ip') from None
    queryset = IPAllocation.objects.filter(pool=pool, address=str(host), is_active=True)
    if user is not None:
        queryset = queryset.restrict(user, 'view')
    allocation = queryset.first()
    if allocation is None:
        raise NotFound(f'{host} is not allocated in pool {pool}.', field='ip')
    return release_ip(allocation, user=user)
