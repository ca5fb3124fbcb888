"""Pool usage read from the counters the database triggers keep (see ``netbox_archiflow.usage_triggers``).

Below both ``pools`` (which allocates) and ``alerts`` (which evaluates thresholds), so neither imports the other
to read a usage.
"""

from django.db import connection

from netbox_archiflow.models import IPPool, IPPoolUsage

__all__ = ('pool_usage', 'pools_usage', 'rebuild_usage')


def _usage_of(counts):
    total = int(counts.total)
    allocated = counts.allocated
    available = max(total - int(counts.populated) - counts.occupied, 0)
    return {
        'total': total,
        'allocated': allocated,
        'reserved': max(total - available - allocated, 0),
        'available': available,
        'utilization': round((total - available) * 100 / total, 2) if total else 100.0,
    }


def pools_usage(pools):
    """{pool.pk: usage dict} for many pools in one query, whatever their number or size."""
    pks = [pool.pk for pool in pools if pool.pk]
    return {counts.pool_id: _usage_of(counts) for counts in IPPoolUsage.objects.filter(pool_id__in=pks)}


def rebuild_usage(pool_id):
    """Recompute a pool's occupied set and counters from the rows they count.

    The database triggers keep them current on every write; this repairs them after writes that ran
    with triggers disabled (e.g. a data-only restore with ``--disable-triggers``).
    """
    with connection.cursor() as cursor:
        cursor.execute('SELECT archiflow_rebuild_pool_usage(%s)', [pool_id])


def pool_usage(pool):
    """Usage of one pool: total / allocated / reserved / available addresses and utilization (percent).

    ``total`` counts the usable addresses (NetBox's rule: an IPv4 network below /31 loses its network
    and broadcast address, an IPv6 one its subnet-router anycast address); ``reserved`` is what is
    occupied by something other than an active allocation of this pool (the gateway, native IP
    addresses in the VRF, populated IP ranges); ``available = total - allocated - reserved``.
    """
    if IPPool.usage_counts.is_cached(pool):  # select_related('usage_counts')
        return _usage_of(pool.usage_counts)
    return _usage_of(IPPoolUsage.objects.get(pool_id=pool.pk))
