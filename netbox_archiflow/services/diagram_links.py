"""The link index: which cells of which diagrams stand for which NetBox objects.

``diagrams.save_diagram`` is the one place that writes diagram content; it calls ``links_in`` before
writing (a refused link changes nothing) and ``write_index`` in the same transaction, so the index always
matches the current XML, whichever API wrote it. Links to objects that do not exist are indexed like the
others and reported as broken when read.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When

from netbox_archiflow import plugin_settings
from netbox_archiflow.drawio import links as drawio_links
from netbox_archiflow.drawio import pages
from netbox_archiflow.errors import ServiceError
from netbox_archiflow.models import Diagram, DiagramLink

__all__ = (
    'broken_annotation',
    'broken_condition',
    'links_in',
    'links_to',
    'object_key',
    'reindex',
    'resolve_objects',
    'visible_links',
    'write_index',
)

INDEXED_FIELDS = ('page_name', 'label', 'netbox_display', 'object_type_id', 'object_id')


def links_in(parsed):
    """The linked cells of a parsed diagram; 400 naming the cell for a malformed or unlinkable link."""
    found = drawio_links.extract_links(parsed)
    drawio_links.check_linkable(found, plugin_settings.linkable_types())
    return found


def write_index(diagram_id, found, link_model=DiagramLink, content_type_model=ContentType):
    """Make the diagram's index rows match ``found`` (``CellLink``s): unchanged rows are left alone, so a
    link keeps its id while its cell exists. Call inside the transaction that writes the content.

    The model arguments let a migration pass its historical models.
    """
    existing = {(row.page_id, row.cell_id): row for row in link_model.objects.filter(diagram_id=diagram_id)}
    to_create, to_update = [], []
    for link in found:
        app_label, model = link.object_type.split('.')
        values = {
            'page_name': link.page_name[:255],
            'label': link.label[:255],
            'netbox_display': link.display[:255],
            'object_type_id': content_type_model.objects.get_by_natural_key(app_label, model).pk,
            'object_id': link.object_id,
        }
        row = existing.pop((link.page_id, link.cell_id), None)
        if row is None:
            to_create.append(link_model(diagram_id=diagram_id, page_id=link.page_id, cell_id=link.cell_id, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    if existing:
        link_model.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    link_model.objects.bulk_update(to_update, INDEXED_FIELDS, batch_size=1000)
    link_model.objects.bulk_create(to_create, batch_size=1000)


def reindex(diagrams=None, *, link_model=DiagramLink, content_type_model=ContentType):
    """Rebuild the index of stored diagrams from their current XML (after an upgrade or a settings change).

    Each diagram is read under its row lock, so a concurrent save cannot be overwritten with an older
    index. Returns ``[(diagram, error)]`` for diagrams whose XML or links are refused today; their index is
    left as it was. The model arguments let a migration pass its historical models.
    """
    if diagrams is None:
        diagrams = Diagram.objects.all()
    refused = []
    for pk in diagrams.order_by('pk').values_list('pk', flat=True):
        with transaction.atomic():
            diagram = diagrams.select_for_update().only('pk', 'name', 'xml').filter(pk=pk).first()
            if diagram is None:
                continue
            try:
                parsed = (
                    pages.parse_diagram(diagram.xml, plugin_settings.get('diagram_max_bytes')) if diagram.xml else None
                )
                found = links_in(parsed) if parsed else []
            except ServiceError as exc:
                refused.append((diagram, exc))
                continue
            write_index(diagram.pk, found, link_model, content_type_model)
    return refused


def resolve_objects(links, user, prepare=None):
    """Set ``linked_object`` (the object, when it exists and ``user`` may view it) and ``broken`` (it does
    not exist) on each link. At most two queries per object type, whatever the number of links (plus
    what ``prepare(model, queryset)`` adds, e.g. the prefetches a serializer needs)."""
    ids_by_type = defaultdict(set)
    for link in links:
        ids_by_type[link.object_type_id].add(link.object_id)
    found, existing = {}, {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # the app that held the model was removed
            found[type_id], existing[type_id] = {}, set()
            continue
        queryset = model.objects.restrict(user, 'view').filter(pk__in=ids)
        if prepare is not None:
            queryset = prepare(model, queryset)
        found[type_id] = {obj.pk: obj for obj in queryset}
        hidden = ids - found[type_id].keys()
        existing[type_id] = set(found[type_id])
        if hidden:
            existing[type_id] |= set(model.objects.filter(pk__in=hidden).values_list('pk', flat=True))
    for link in links:
        link.linked_object = found[link.object_type_id].get(link.object_id)
        link.broken = link.object_id not in existing[link.object_type_id]
    return links


def broken_condition(queryset=None, prefix=''):
    """A ``Q`` matching links whose object does not exist: one subquery per object type present.
    ``prefix`` names the link from another model (``links__``), as GraphQL's nested filters do."""
    queryset = DiagramLink.objects.all() if queryset is None else queryset
    condition = Q(pk__in=[])
    for object_type in ContentType.objects.filter(pk__in=queryset.values('object_type_id')):
        model = object_type.model_class()
        of_type = Q(**{f'{prefix}object_type': object_type})
        if model is None:
            condition |= of_type
        else:
            condition |= of_type & ~Q(**{f'{prefix}object_id__in': model.objects.values('pk')})
    return condition


def broken_annotation():
    """A boolean expression for a DiagramLink queryset: the object does not exist (one lookup per row)."""
    cases = []
    for object_type in ContentType.objects.filter(pk__in=DiagramLink.objects.values('object_type_id')):
        model = object_type.model_class()
        broken = Value(True) if model is None else ~Exists(model.objects.filter(pk=OuterRef('object_id')))
        cases.append(When(object_type_id=object_type.pk, then=broken))
    return Case(*cases, default=Value(False), output_field=BooleanField())


def visible_links(user):
    """The links a user may read: view permission on the link and on its diagram."""
    return DiagramLink.objects.restrict(user, 'view').filter(diagram__in=Diagram.objects.restrict(user, 'view'))


def links_to(obj, user):
    """The visible links to one object, with their diagrams (without the large columns)."""
    return (
        visible_links(user)
        .filter(object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related('diagram')
        .defer_large(related=('diagram',))
        .order_by('diagram__name', 'diagram__pk', 'page_name', 'label', 'cell_id')
    )


def object_key(obj):
    """``app_label.model:id``: how ``?highlight=`` names an object."""
    return f'{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}'
