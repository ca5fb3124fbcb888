"""PostgreSQL advisory locks for allocations.

NetBox's own ``available-prefixes`` / ``available-ips`` / ``available-vlans`` endpoints hold a
session-level exclusive advisory lock on one key each (``netbox.constants.ADVISORY_LOCK_KEYS``).
Plugin allocations take that key in *shared* mode, so they serialize with core's endpoints while two
plugin allocations never wait on each other through it, plus an *exclusive* lock on the pool they
allocate from, so allocations in the same pool serialize and different pools run in parallel.
Both are transaction-scoped: they are released on commit or rollback, never leaked.
"""

import zlib
from collections import defaultdict

from core.models import ObjectType
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Q
from extras.models import CustomField, Tag, TaggedItem
from netbox.constants import ADVISORY_LOCK_KEYS
from netbox.context import query_cache

# Namespace of the per-pool two-integer advisory keys, kept apart from core's one-bigint keys.
POOL_LOCK_NAMESPACE = 1_070_001


def pool_key(*parts):
    """A stable 31-bit integer for a pool identity such as ('segment', site_group_id, vrf_id)."""
    return zlib.crc32(repr(parts).encode()) & 0x7FFFFFFF


def lock_pool(core_key, *pool_identity):
    """Lock one allocation pool for the rest of the current transaction.

    ``core_key`` is the name of NetBox's advisory lock for the kind of object allocated
    ('available-prefixes', 'available-ips', 'available-vlans'). Must run inside ``transaction.atomic``.
    """
    if not connection.in_atomic_block:
        raise RuntimeError('lock_pool() must be called inside transaction.atomic()')
    # Both keys in one round trip. The order they are granted in cannot deadlock: core's endpoints take no pool key.
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(%s, %s)',
            [ADVISORY_LOCK_KEYS[core_key], POOL_LOCK_NAMESPACE, pool_key(*pool_identity)],
        )


def load_custom_fields(*models):
    """Fill NetBox's per-request cache with the object types and custom fields of ``models`` before a lock is
    taken, so validating and change-logging the objects written under the lock does not query them there.
    Two queries for all the models, where NetBox's ``CustomField.objects.get_for_model`` takes two per model.
    Outside a request (no cache) there is nothing to keep, so nothing is read."""
    cache = query_cache.get()
    if cache is None:
        return
    models = [model._meta.model for model in models if cache['custom_fields'].get(model._meta.model) is None]
    if not models:
        return
    object_types = ObjectType.objects.get_for_models(*models)
    found = {}
    for model, object_type in object_types.items():
        cache['object_types'].setdefault((model, True), object_type)
        found[object_type.pk] = []
    # The rows get_for_model reads (every status, its order), one per (field, object type) pair.
    custom_fields = (
        CustomField.objects.filter(object_types__in=list(found))
        .annotate(archiflow_object_type=F('object_types'))
        .select_related('related_object_type', 'choice_set')
    )
    for custom_field in custom_fields:
        found[custom_field.archiflow_object_type].append(custom_field)
    for model, object_type in object_types.items():
        cache['custom_fields'][model] = found[object_type.pk]


def untagged(obj):
    """``obj``, not saved yet, with its empty tag set known: its change log snapshot (NetBox's
    ``serialize_object``) then reads no tags from the database under the lock. taggit drops this when
    tags are set on the object."""
    tags = Tag.objects.none()
    tags._result_cache = []  # evaluated: reading it compiles no query either
    tags._prefetch_done = True
    obj._prefetched_objects_cache = {'tags': tags}
    return obj


def prefetch_tags(objects):
    """Read the tags of ``objects`` (of any taggable models) in one query and cache them on each object as
    ``prefetch_related('tags')`` would, one query per model: the change log snapshots taken under the lock
    and the serializers then read no tags."""
    by_type = defaultdict(dict)
    for obj in objects:
        by_type[ContentType.objects.get_for_model(obj).pk][obj.pk] = obj
    if not by_type:
        return
    condition = Q()
    for content_type, by_pk in by_type.items():
        condition |= Q(content_type_id=content_type, object_id__in=list(by_pk))
    found = defaultdict(list)
    for item in TaggedItem.objects.filter(condition).select_related('tag').order_by('pk'):
        found[item.content_type_id, item.object_id].append(item.tag)
    for content_type, by_pk in by_type.items():
        for pk, obj in by_pk.items():
            tags = Tag.objects.all()
            tags._result_cache = found[content_type, pk]
            tags._prefetch_done = True
            obj._prefetched_objects_cache = {**getattr(obj, '_prefetched_objects_cache', {}), 'tags': tags}
