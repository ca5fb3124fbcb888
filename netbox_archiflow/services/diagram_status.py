"""Live status of the objects a diagram's cells link to, for the viewer's overlay.

Bounded: one query for the links, at most two per linked object type (plus a pool's usage counters and
a prefix's utilization inputs, read in the same query), and one for the open alerts, whatever the number
of cells.
"""

from django.db.models import Count, Q
from ipam.models import Prefix

from netbox_archiflow.choices import AlertSeverityChoices
from netbox_archiflow.models import Alert, IPPool
from netbox_archiflow.services import diagram_links, prefix_utilization

__all__ = ('diagram_status',)

# Worst first.
SEVERITY_ORDER = (
    AlertSeverityChoices.SEVERITY_CRITICAL,
    AlertSeverityChoices.SEVERITY_WARNING,
    AlertSeverityChoices.SEVERITY_INFO,
)


def _prepare(model, queryset):
    if model is IPPool:
        return queryset.with_usage()
    if model is Prefix:
        return prefix_utilization.with_utilization(queryset)
    return queryset


def _object_status(obj):
    """Status value/label/colour (NetBox's own colours), utilization and interface state, when the object has them."""
    state = {'status': None, 'utilization': None}
    if hasattr(obj, 'get_status_color') and hasattr(obj, 'get_status_display'):
        state['status'] = {'value': obj.status, 'label': str(obj.get_status_display()), 'color': obj.get_status_color()}
    if getattr(obj, 'usage_utilization', None) is not None:
        state['utilization'] = round(float(obj.usage_utilization), 2)
    elif isinstance(obj, Prefix):
        state['utilization'] = round(float(prefix_utilization.utilization(obj)), 2)
    if hasattr(obj, 'enabled') and hasattr(obj, 'cable_id'):
        state['enabled'] = obj.enabled
        state['connected'] = obj.cable_id is not None
    return state


def _open_alerts(links, user):
    """``{(object type id, object id): {'count', 'worst'}}`` of the open alerts the user may view, one query."""
    keys = {(link.object_type_id, link.object_id) for link in links if link.linked_object is not None}
    if not keys or not user.has_perm('netbox_archiflow.view_alert'):
        return {}
    by_type = {}
    for type_id, object_id in keys:
        by_type.setdefault(type_id, set()).add(object_id)
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(object_type_id=type_id, object_id__in=ids)
    rows = (
        Alert.objects.restrict(user, 'view')
        .filter(condition, resolved_at__isnull=True)
        .values('object_type_id', 'object_id', 'severity')
        .annotate(count=Count('pk'))
        .order_by()
    )
    alerts = {}
    for row in rows:
        entry = alerts.setdefault((row['object_type_id'], row['object_id']), {'count': 0, 'worst': None})
        entry['count'] += row['count']
        rank = SEVERITY_ORDER.index(row['severity']) if row['severity'] in SEVERITY_ORDER else len(SEVERITY_ORDER)
        if entry['worst'] is None or rank < SEVERITY_ORDER.index(entry['worst']):
            entry['worst'] = row['severity']
    return alerts


def diagram_status(diagram, user):
    """Per linked cell: where it is, its object, whether the object exists and, when the user may view it,
    its status, utilization and open alerts. A hidden object is reported as existing without details."""
    links = list(diagram_links.visible_links(user).filter(diagram=diagram).select_related('object_type').order_by('pk'))
    diagram_links.resolve_objects(links, user, _prepare)
    alerts = _open_alerts(links, user)
    cells = []
    for link in links:
        obj = link.linked_object
        cell = {
            'page_id': link.page_id,
            'cell_id': link.cell_id,
            'object_type': f'{link.object_type.app_label}.{link.object_type.model}',
            'object_id': link.object_id,
            'exists': not link.broken,
            'visible': obj is not None,
            'display': str(obj) if obj is not None else link.netbox_display,
            'url': obj.get_absolute_url() if obj is not None else None,
            'status': None,
            'utilization': None,
            'alerts': alerts.get((link.object_type_id, link.object_id), {'count': 0, 'worst': None}),
        }
        if obj is not None:
            cell.update(_object_status(obj))
        cells.append(cell)
    return {'diagram': diagram.pk, 'version': diagram.version, 'cells': cells}
