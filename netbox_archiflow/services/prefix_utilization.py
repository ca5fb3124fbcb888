"""Prefix utilization as NetBox's ``Prefix.get_utilization()`` computes it, for many prefixes in one query.

``get_utilization()`` runs up to three queries per prefix. ``with_utilization`` annotates a Prefix
queryset with what those queries read, as subqueries of the queryset's own query: the child prefixes of a
container (same VRF), and for any other prefix the mark-utilized IP ranges inside it and the number of
distinct child addresses outside those ranges (same VRF). ``utilization`` then finishes the computation
in Python the way NetBox does (``mark_utilized``, the pool/IPv4 denominator, the 100 % ceiling).
"""

import netaddr
from django.contrib.postgres.fields import ArrayField
from django.db.models import IntegerField, TextField
from django.db.models.expressions import RawSQL
from ipam.choices import PrefixStatusChoices

__all__ = ('utilization', 'with_utilization')

# The outer prefix is the queryset's own table; a same-VRF match treats NULL (global) as a value, like
# NetBox's ``vrf=self.vrf``. Bounds are the prefix's first and last address, as NetBox's ``host_between``.
SAME_VRF = '{alias}."vrf_id" IS NOT DISTINCT FROM "ipam_prefix"."vrf_id"'
FIRST = 'CAST(HOST(NETWORK("ipam_prefix"."prefix")) AS INET)'
LAST = 'CAST(HOST(BROADCAST("ipam_prefix"."prefix")) AS INET)'
RANGE_INSIDE = (
    f'R."mark_utilized" AND {SAME_VRF.format(alias="R")} '
    f'AND CAST(HOST(R."start_address") AS INET) BETWEEN {FIRST} AND {LAST} '
    f'AND CAST(HOST(R."end_address") AS INET) BETWEEN {FIRST} AND {LAST}'
)
OPEN = 'NOT "ipam_prefix"."mark_utilized" AND "ipam_prefix"."status" '
CHILD_PREFIXES = (
    f'CASE WHEN {OPEN} = %s THEN ARRAY('
    'SELECT CAST(C."prefix" AS TEXT) FROM "ipam_prefix" C '
    f'WHERE C."prefix" << "ipam_prefix"."prefix" AND {SAME_VRF.format(alias="C")}) END'
)
UTILIZED_RANGES = (
    f'CASE WHEN {OPEN} <> %s THEN ARRAY('
    'SELECT HOST(R."start_address") || \'-\' || HOST(R."end_address") FROM "ipam_iprange" R '
    f'WHERE {RANGE_INSIDE}) END'
)
CHILD_HOSTS = (
    f'CASE WHEN {OPEN} <> %s THEN ('
    'SELECT COUNT(DISTINCT CAST(HOST(A."address") AS INET)) FROM "ipam_ipaddress" A '
    f'WHERE {SAME_VRF.format(alias="A")} AND CAST(HOST(A."address") AS INET) BETWEEN {FIRST} AND {LAST} '
    f'AND NOT EXISTS (SELECT 1 FROM "ipam_iprange" R WHERE {RANGE_INSIDE} AND CAST(HOST(A."address") AS INET) '
    'BETWEEN CAST(HOST(R."start_address") AS INET) AND CAST(HOST(R."end_address") AS INET))) END'
)


def with_utilization(queryset):
    """A Prefix queryset whose prefixes carry what ``utilization`` needs, read in the same query."""
    container = (PrefixStatusChoices.STATUS_CONTAINER,)
    return queryset.annotate(
        utilization_children=RawSQL(CHILD_PREFIXES, container, output_field=ArrayField(TextField())),
        utilization_ranges=RawSQL(UTILIZED_RANGES, container, output_field=ArrayField(TextField())),
        utilization_hosts=RawSQL(CHILD_HOSTS, container, output_field=IntegerField()),
    )


def utilization(prefix):
    """The prefix's utilization in percent, equal to ``prefix.get_utilization()``, from ``with_utilization``."""
    if prefix.mark_utilized:
        return 100
    if prefix.status == PrefixStatusChoices.STATUS_CONTAINER:
        children = netaddr.IPSet(prefix.utilization_children or ())
        return min(float(children.size) / prefix.prefix.size * 100, 100)
    size = prefix._get_utilization_denominator()
    ranges = netaddr.IPSet()
    for text in prefix.utilization_ranges or ():
        start, end = text.split('-')
        ranges.add(netaddr.IPRange(start, end))
    if ranges.size >= size:
        return 100
    return min(float(ranges.size + (prefix.utilization_hosts or 0)) / size * 100, 100)
