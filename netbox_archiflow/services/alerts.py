"""Alerts: raise with de-duplication, resolve automatically or by hand, acknowledge.

At most one open alert exists per (alert_type, object): a partial unique constraint guarantees it,
``raise_alert`` returns the open one instead of creating a second. Automatic evaluation runs through
:func:`after_commit` or :func:`after_commit_batched`, i.e. after the transaction that changed a pool, an address or
a device has committed (batched checks inside a request wait for its end, ``batches_held``), and swallows (logs) its
own errors: alerting can never fail or roll back an allocation.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

import netaddr
from dcim.choices import DeviceStatusChoices
from dcim.models import Device
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone
from ipam.models import IPAddress

from netbox_archiflow.choices import AlertSeverityChoices, AlertTypeChoices
from netbox_archiflow.models import Alert, IPAllocation, IPPool
from netbox_archiflow.services.errors import Conflict, PermissionDenied
from netbox_archiflow.services.usage import pool_usage

logger = logging.getLogger('netbox_archiflow.alerts')

DOWN_STATUSES = (DeviceStatusChoices.STATUS_OFFLINE, DeviceStatusChoices.STATUS_FAILED)


def after_commit(func, *args):
    """Run ``func(*args)`` once the current transaction commits (now, outside one); never raise."""

    def run():
        try:
            func(*args)
        except Exception:  # alerting must never break the operation that triggered it
            logger.exception('Alert evaluation %s%r failed', getattr(func, '__name__', func), args)

    transaction.on_commit(partial(run))


# The batches committed while NetBox processes a request or a job (``batches_held``), run when it ends.
_held_batches = ContextVar('netbox_archiflow_held_alert_batches', default=None)


@contextmanager
def batches_held():
    """Run the batched checks of the transactions committed inside the block when the block ends.

    NetBox's ``available-ips`` and ``available-prefixes`` commit the object they create while they still hold
    their lock for the whole instance: a check run at that commit would lengthen every core allocation's window.
    """
    token = _held_batches.set([])
    try:
        yield
    finally:
        held = _held_batches.get()
        _held_batches.reset(token)
        for batch in held:
            batch.run()


class _Batch(list):
    """Items collected in one transaction for one ``func(items)`` call when it commits (or, inside
    ``batches_held``, when the block ends)."""

    def __init__(self, func):
        super().__init__()
        self.func = func
        self.committed = False

    def __call__(self):
        self.committed = True
        held = _held_batches.get()
        if held is not None:
            held.append(self)
        else:
            self.run()

    def run(self):
        try:
            self.func(self)
        except Exception:  # alerting must never break the operation that triggered it
            logger.exception('Alert evaluation %s of %d objects failed', self.func.__name__, len(self))


def after_commit_batched(func, item):
    """Add ``item`` to the ``func(items)`` call that runs once the current transaction commits (now, outside one), or
    when ``batches_held`` ends if it commits inside that.

    A request that saves 1,000 addresses (a bulk POST, a CSV import) evaluates them together in a few
    set-based queries instead of 1,000 times. A batch registered in a savepoint that rolled back is gone from
    the connection's commit callbacks; the next item starts a new one.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: committed already
        batch = _Batch(func)
        batch.append(item)
        batch()
        return
    batches = connection.__dict__.setdefault('archiflow_alert_batches', {})
    batch = batches.get(func)
    pending = any(callback is batch for _sids, callback, _robust in connection.run_on_commit)
    if batch is None or batch.committed or not pending:
        batch = batches[func] = _Batch(func)
        transaction.on_commit(batch)
    batch.append(item)


def open_alerts(alert_type, obj):
    return Alert.objects.filter(
        alert_type=alert_type,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        resolved_at__isnull=True,
    )


def raise_alert(alert_type, obj, *, severity, message, details=None):
    """The open alert of ``alert_type`` about ``obj``, created when there is none: ``(alert, created)``."""
    existing = open_alerts(alert_type, obj).first()
    if existing is not None:
        return existing, False
    alert = Alert(
        alert_type=alert_type,
        severity=severity,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        message=message,
        details=details or {},
    )
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:  # raised concurrently: the other one is the open alert
        return open_alerts(alert_type, obj).get(), False
    return alert, True


def _close(alert, user=None, reason=None):
    alert.snapshot()
    alert.resolved_at = timezone.now()
    alert.resolved_by = user if user is not None and user.is_authenticated else None
    if reason:
        alert.details = {**(alert.details or {}), 'resolution': reason}
    alert.save()


def resolve_alerts(alert_type, obj, reason=None):
    """Resolve the open alert(s) of ``alert_type`` about ``obj`` automatically; returns how many."""
    alerts = list(open_alerts(alert_type, obj))
    for alert in alerts:
        _close(alert, reason=reason)
    return len(alerts)


# -- by hand -----------------------------------------------------------------------------------------


def _check_change(alert, user):
    if user is None:
        return
    if not user.has_perm('netbox_archiflow.change_alert') or not (
        Alert.objects.restrict(user, 'change').filter(pk=alert.pk).exists()
    ):
        raise PermissionDenied('You do not have permission to change this alert.')


def acknowledge(alert, *, user=None):
    _check_change(alert, user)
    if alert.acknowledged_at is not None:
        raise Conflict('The alert is already acknowledged.', code='already_acknowledged')
    alert.snapshot()
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = user if user is not None and user.is_authenticated else None
    alert.save()
    return alert


def resolve(alert, *, user=None):
    _check_change(alert, user)
    if alert.resolved_at is not None:
        raise Conflict('The alert is already resolved.', code='already_resolved')
    try:
        with transaction.atomic():
            _close(alert, user=user, reason='resolved by hand')
    except IntegrityError:  # pragma: no cover - resolved rows are outside the partial constraint
        raise Conflict('The alert changed concurrently; retry.', code='conflict') from None
    return alert


# -- automatic evaluation ----------------------------------------------------------------------------


def _with_alert_state(pools):
    """Pools with their usage counters and whether a usage alert is open: one query for any number.

    Most evaluations find a pool below its threshold with nothing open and so end without another query.
    """
    open_usage_alert = Alert.objects.filter(
        object_type=ContentType.objects.get_for_model(IPPool),
        object_id=OuterRef('pk'),
        alert_type__in=(AlertTypeChoices.TYPE_POOL_THRESHOLD, AlertTypeChoices.TYPE_POOL_EXHAUSTED),
        resolved_at__isnull=True,
    )
    return pools.select_related('usage_counts').annotate(has_open_usage_alert=Exists(open_usage_alert))


def _evaluate_pool(pool):
    usage = pool_usage(pool)
    if pool.is_active and usage['utilization'] >= pool.alert_threshold:
        raise_alert(
            AlertTypeChoices.TYPE_POOL_THRESHOLD,
            pool,
            severity=AlertSeverityChoices.SEVERITY_WARNING,
            message=f'Pool {pool} is {usage["utilization"]}% used (threshold {pool.alert_threshold}%).',
            details={'usage': usage, 'threshold': pool.alert_threshold},
        )
    elif pool.has_open_usage_alert:
        reason = f'utilization {usage["utilization"]}% below {pool.alert_threshold}%'
        resolve_alerts(AlertTypeChoices.TYPE_POOL_THRESHOLD, pool, reason)
        resolve_alerts(AlertTypeChoices.TYPE_POOL_EXHAUSTED, pool, reason)


def evaluate_pool(pool_id):
    """Raise or resolve ``pool_threshold`` for a pool; resolve ``pool_exhausted`` below the threshold."""
    pool = _with_alert_state(IPPool.objects.filter(pk=pool_id)).first()
    if pool is not None:
        _evaluate_pool(pool)


def evaluate_pools(pool_ids):
    """``evaluate_pool`` for several pools, read in one query (``after_commit_batched``)."""
    for pool in _with_alert_state(IPPool.objects.filter(pk__in=set(pool_ids))):
        _evaluate_pool(pool)


def raise_pool_exhausted(pool_id, asset_id=None):
    pool = IPPool.objects.filter(pk=pool_id).first()
    if pool is None:
        return
    raise_alert(
        AlertTypeChoices.TYPE_POOL_EXHAUSTED,
        pool,
        severity=AlertSeverityChoices.SEVERITY_CRITICAL,
        message=f'Pool {pool} is exhausted: an allocation failed.',
        details={'asset_id': asset_id},
    )
    evaluate_pool(pool_id)


def _pools_at(vrf_id, host):
    """Active pools whose prefix holds ``host`` in the VRF."""
    host = netaddr.IPAddress(str(host))
    return IPPool.objects.filter(
        is_active=True,
        prefix__vrf_id=vrf_id,
        prefix__prefix__net_contains_or_equals=f'{host}/{32 if host.version == 4 else 128}',
    )


# The active pools whose prefix holds one of the (VRF, host) pairs: one query for any number of addresses.
_POOLS_HOLDING_SQL = (
    'SELECT p.id FROM netbox_archiflow_ippool p JOIN ipam_prefix x ON x.id = p.prefix_id '
    'JOIN unnest(%s::bigint[], %s::inet[]) AS a(vrf_id, host) '
    'ON x.vrf_id IS NOT DISTINCT FROM a.vrf_id AND x.prefix >>= a.host WHERE p.is_active'
)


def evaluate_ip_addresses(ip_ids):
    """After native IP addresses were saved: ``ip_conflict`` for each that collides with another asset's
    allocation, and the usage alerts of the pools holding them.

    Set-based: at most three queries for any number of addresses (the addresses, the pools holding them, the
    allocations of the same hosts in those pools), and more only for the alerts that are raised or resolved.
    """
    open_conflict = Alert.objects.filter(
        object_type=ContentType.objects.get_for_model(IPAddress),
        object_id=OuterRef('pk'),
        alert_type=AlertTypeChoices.TYPE_IP_CONFLICT,
        resolved_at__isnull=True,
    )
    # No ordering: it costs compiling (NetBox orders addresses and pools by several columns) and sorting, and
    # this runs after every address write.
    ips = list(
        IPAddress.objects.annotate(has_open_conflict=Exists(open_conflict)).filter(pk__in=set(ip_ids)).order_by()
    )
    if not ips:
        return
    hosts = {ip.pk: ip.address.ip for ip in ips}
    holding = RawSQL(_POOLS_HOLDING_SQL, [[ip.vrf_id for ip in ips], [str(hosts[ip.pk]) for ip in ips]])
    pools = list(_with_alert_state(IPPool.objects.filter(pk__in=holding).select_related('prefix')).order_by())
    for pool in pools:
        _evaluate_pool(pool)
    holders = {}
    allocations = IPAllocation.objects.filter(
        pool__in=pools, address__in=[str(host) for host in hosts.values()], is_active=True
    ).order_by()
    for holder in allocations.select_related('pool') if pools else ():
        holders.setdefault((holder.pool_id, netaddr.IPAddress(str(holder.address))), []).append(holder)
    for ip in ips:
        host = hosts[ip.pk]
        # An allocation's address lies in its pool: the pool holds the host when it is in the address's VRF.
        colliding = [
            holder
            for pool in pools
            if pool.prefix.vrf_id == ip.vrf_id
            for holder in holders.get((pool.pk, host), ())
            if holder.ip_address_id != ip.pk
        ]
        if colliding:
            _raise_conflict(ip, colliding[0], str(host))
        elif ip.has_open_conflict:
            resolve_alerts(AlertTypeChoices.TYPE_IP_CONFLICT, ip, 'no colliding allocation')


def _raise_conflict(ip, holder, host):
    raise_alert(
        AlertTypeChoices.TYPE_IP_CONFLICT,
        ip,
        severity=AlertSeverityChoices.SEVERITY_CRITICAL,
        message=f'{ip} collides with the allocation of {holder.address} to {holder.asset_id} in pool {holder.pool}.',
        details={'allocation': holder.pk, 'pool': holder.pool_id, 'asset_id': holder.asset_id, 'address': host},
    )


def object_deleted(object_type_id, object_id, name):
    """The object open alerts are about was deleted: resolve them, saying so, and keep its name readable.

    ``name`` is ``str()`` of the object when it was deleted; the alert's own ``object_repr`` (as raised) is kept,
    and filled in from ``name`` when it is empty.
    """
    verbose_name = ContentType.objects.get_for_id(object_type_id).model_class()._meta.verbose_name
    for alert in Alert.objects.filter(object_type_id=object_type_id, object_id=object_id, resolved_at__isnull=True):
        alert.object_repr = alert.object_repr or name[:200]
        _close(alert, reason=f'{verbose_name} {name} was deleted')


def ip_address_deleted(ip_id, vrf_id, host, name):
    """After a native IP address was deleted: its alerts are resolved; pool usage changed."""
    object_deleted(ContentType.objects.get_for_model(IPAddress).pk, ip_id, name)
    for pool in _with_alert_state(_pools_at(vrf_id, host)):
        _evaluate_pool(pool)


def resolve_conflicts_of_allocation(allocation_id):
    """A released allocation conflicts with nothing any more."""
    for alert in Alert.objects.filter(
        alert_type=AlertTypeChoices.TYPE_IP_CONFLICT, resolved_at__isnull=True, details__allocation=allocation_id
    ):
        _close(alert, reason='allocation released')


def evaluate_device(device_id):
    """``device_down`` while a device is offline or failed; resolved when it is active again."""
    device = Device.objects.filter(pk=device_id).first()
    if device is None:
        return
    if device.status in DOWN_STATUSES:
        raise_alert(
            AlertTypeChoices.TYPE_DEVICE_DOWN,
            device,
            severity=AlertSeverityChoices.SEVERITY_CRITICAL,
            message=f'Device {device} is {device.get_status_display().lower()}.',
            details={'status': device.status},
        )
    elif device.status == DeviceStatusChoices.STATUS_ACTIVE:
        resolve_alerts(AlertTypeChoices.TYPE_DEVICE_DOWN, device, 'device active again')
