"""Refresh: merge a new generation of a diagram into the drawing the user has arranged.

Cells are matched by id: the generator names each cell after its NetBox object (``nb:dcim.device:42``).
What the user decided stays: the geometry and style of every existing cell, and every cell they added by
hand (any id the generator does not use). What NetBox decides is updated: labels and link attributes,
the ends of edges, which container a shape is in. Objects new in NetBox are added next to a neighbour
already drawn (or where the generator put them) without overlapping their siblings, growing their
container when needed; a new edge to a shape already drawn loses the generator's waypoints (they were
routed around the generated layout) and is routed by Draw.io. Objects gone from NetBox are removed, or
kept and marked (``netbox_removed``, faded and dashed) when asked.
"""

import copy
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from xml.etree.ElementTree import Element, SubElement, tostring

from .build import ID_PREFIX
from .pages import iter_cells

__all__ = ('MergeResult', 'merge_diagram')

LINK_ATTRIBUTES = ('label', 'netbox_type', 'netbox_id', 'netbox_display')
REMOVED_ATTRIBUTE = 'netbox_removed'
REMOVED_STYLE = 'opacity=40;dashed=1;'
GAP = 40
NAMES = {
    'dcim.device': ('device', 'devices'),
    'dcim.cable': ('cable', 'cables'),
    'dcim.site': ('site', 'sites'),
    'dcim.location': ('location', 'locations'),
    'dcim.rack': ('rack', 'racks'),
    'ipam.prefix': ('network', 'networks'),
    'ipam.ipaddress': ('address', 'addresses'),
    'virtualization.virtualmachine': ('virtual machine', 'virtual machines'),
    'circuits.circuit': ('circuit', 'circuits'),
    'circuits.circuittermination': ('circuit end', 'circuit ends'),
    '': ('traced path', 'traced paths'),
}


@dataclass
class MergeResult:
    render: object  # () -> the merged document; only serialized when asked for
    added: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    relabelled: int = 0
    moved: int = 0

    @cached_property
    def xml(self):
        return self.render()

    @property
    def changes(self):
        return bool(self.added or self.removed or self.relabelled or self.moved)

    @property
    def summary(self):
        """``+3 devices, +5 cables, −1 cable, 2 relabelled``."""

        def counted(sign, counter):
            return [f'{sign}{n} {NAMES.get(t, (t, t))[n != 1]}' for t, n in sorted(counter.items())]

        parts = counted('+', self.added) + counted('−', self.removed)
        if self.relabelled:
            parts.append(f'{self.relabelled} relabelled')
        if self.moved:
            parts.append(f'{self.moved} moved')
        return 'Refreshed from NetBox: ' + (', '.join(parts) if parts else 'no change')


def _key(wrapper, cell):
    return wrapper.get('id') or cell.get('id')


def _primary(key):
    """Cells counted in the summary: objects and edges, not the interface labels at edge ends."""
    return key.startswith(ID_PREFIX) and '#' not in key


def _type(wrapper):
    return wrapper.get('netbox_type') or ''


def _box(cell):
    geometry = cell.find('mxGeometry')
    if geometry is None or geometry.get('relative') == '1' or cell.get('vertex') != '1':
        return None
    return [float(geometry.get(name) or 0) for name in ('x', 'y', 'width', 'height')]


def _set_box(cell, box):
    geometry = cell.find('mxGeometry')
    if geometry is None:
        geometry = SubElement(cell, 'mxGeometry', **{'as': 'geometry'})
    for name, value in zip(('x', 'y', 'width', 'height'), box, strict=True):
        geometry.set(name, str(round(value)))


def _overlaps(a, b):
    return a[0] < b[0] + b[2] + GAP / 2 and b[0] < a[0] + a[2] + GAP / 2 and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _serialize(parsed, page_index, model, page_id, page_name):
    mxfile = Element('mxfile', host='netbox-archiflow')
    pages = list(parsed.pages) if parsed is not None else []
    if not pages:
        pages = [(page_id, page_name, model)]
    for index, (pid, name, page_model) in enumerate(pages):
        diagram = SubElement(mxfile, 'diagram', id=pid or f'page-{index}', name=name or f'Page-{index + 1}')
        diagram.append(model if index == page_index else page_model)
    return tostring(mxfile, encoding='unicode')


class _Merger:
    def __init__(self, model, mark_removed):
        self.model = model
        self.root = model.find('root')
        if self.root is None:
            self.root = SubElement(model, 'root')
        self.mark_removed = mark_removed
        self.cells = {_key(w, c): (w, c) for w, c in iter_cells(model)}
        self.children = {}
        for key, (_wrapper, cell) in self.cells.items():
            box = _box(cell)
            if box is not None:
                self.children.setdefault(cell.get('parent'), {})[key] = box
        self.result = MergeResult(None)

    def absolute(self, key):
        x = y = 0.0
        seen = set()
        while key in self.cells and key not in seen:
            seen.add(key)
            box = _box(self.cells[key][1])
            if box is None:
                break
            x, y = x + box[0], y + box[1]
            key = self.cells[key][1].get('parent')
        return x, y

    def place(self, key, cell, parent, near=None):
        """Put a vertex in ``parent`` at a free spot: right of ``near`` (a sibling) or where it was generated."""
        box = _box(cell)
        if box is None:
            return
        siblings = self.children.setdefault(parent, {})
        siblings.pop(key, None)
        if near is not None and near in siblings:
            other = siblings[near]
            box[0], box[1] = other[0] + other[2] + GAP, other[1]
        while any(_overlaps(box, other) for other in siblings.values()):
            box[0] += max(box[2], 40) + GAP
        _set_box(cell, box)
        siblings[key] = box
        self.grow(parent, box)

    def grow(self, parent, box):
        """Enlarge a container (and its containers) so it still encloses a child."""
        while parent in self.cells:
            _wrapper, cell = self.cells[parent]
            outer = _box(cell)
            if outer is None:
                return
            width = max(outer[2], box[0] + box[2] + GAP / 2)
            height = max(outer[3], box[1] + box[3] + GAP / 2)
            if (width, height) == (outer[2], outer[3]):
                return
            outer[2], outer[3] = width, height
            _set_box(cell, outer)
            grand = cell.get('parent')
            self.children.setdefault(grand, {})[parent] = outer
            parent, box = grand, outer

    def update(self, key, gen_wrapper, gen_cell):
        wrapper, cell = self.cells[key]
        if wrapper.get(REMOVED_ATTRIBUTE):
            del wrapper.attrib[REMOVED_ATTRIBUTE]
            cell.set('style', (cell.get('style') or '').replace(REMOVED_STYLE, ''))
            if _primary(key):
                self.result.added[_type(gen_wrapper)] += 1
        if gen_wrapper is not gen_cell and wrapper is not cell:
            for name in LINK_ATTRIBUTES:
                if gen_wrapper.get(name) is not None and wrapper.get(name) != gen_wrapper.get(name):
                    if name == 'label':
                        self.result.relabelled += 1
                    wrapper.set(name, gen_wrapper.get(name))
        elif gen_wrapper is gen_cell and wrapper is cell and cell.get('value') != gen_cell.get('value'):
            cell.set('value', gen_cell.get('value') or '')
            self.result.relabelled += 1
        if cell.get('edge') == '1':
            ends = [(name, gen_cell.get(name)) for name in ('source', 'target')]
            if any(cell.get(name) != value for name, value in ends):
                for name, value in ends:
                    cell.set(name, value)
                self.result.moved += 1
        elif gen_cell.get('parent') != cell.get('parent') and gen_cell.get('parent') in self.cells:
            self.children.get(cell.get('parent'), {}).pop(key, None)
            cell.set('parent', gen_cell.get('parent'))
            self.place(key, cell, gen_cell.get('parent'))
            self.result.moved += 1

    def add(self, key, gen_wrapper, gen_cell, generated_new, neighbours):
        wrapper = copy.deepcopy(gen_wrapper)
        cell = wrapper if gen_wrapper is gen_cell else wrapper.find('mxCell')
        self.root.append(wrapper)
        self.cells[key] = (wrapper, cell)
        parent = cell.get('parent')
        if cell.get('edge') == '1' and not {cell.get('source'), cell.get('target')} <= generated_new:
            # Waypoints were routed around where the generation put the shapes, not where the user has them.
            for array in cell.findall('mxGeometry/Array'):
                cell.find('mxGeometry').remove(array)
        if cell.get('vertex') == '1' and parent not in generated_new:
            near = next((n for n in neighbours.get(key, ()) if n not in generated_new), None)
            self.place(key, cell, parent, near)
        elif _box(cell) is not None:
            self.children.setdefault(parent, {})[key] = _box(cell)
        if _primary(key):
            self.result.added[_type(gen_wrapper)] += 1

    def remove(self, keys):
        for key in keys:
            wrapper, cell = self.cells[key]
            if self.mark_removed:
                if not wrapper.get(REMOVED_ATTRIBUTE):
                    wrapper.set(REMOVED_ATTRIBUTE, '1')
                    cell.set('style', (cell.get('style') or '') + REMOVED_STYLE)
                    if _primary(key):
                        self.result.removed[_type(wrapper)] += 1
                continue
            if _primary(key):
                self.result.removed[_type(wrapper)] += 1
            if wrapper in list(self.root):
                self.root.remove(wrapper)
            self.children.get(cell.get('parent'), {}).pop(key, None)
        if self.mark_removed:
            return
        gone = set(keys)
        for key, (_wrapper, cell) in self.cells.items():
            if key in gone or cell.get('parent') not in gone:
                continue
            # A cell the user put inside a removed container stays, where it was on the page.
            box = _box(cell)
            parent = cell.get('parent')
            x, y = self.absolute(parent)
            while parent in gone:
                parent = self.cells[parent][1].get('parent')
            if box is not None:
                px, py = self.absolute(parent)
                box[0], box[1] = box[0] + x - px, box[1] + y - py
                _set_box(cell, box)
            cell.set('parent', parent)


def merge_diagram(current, generated, *, mark_removed=False):
    """Merge ``generated`` (a parsed new generation) into ``current`` (the parsed diagram, or None).

    ``current``'s page is merged in place (no copy of a large document): parse it for this call only."""
    page_id, page_name, gen_model = generated.pages[0]
    page_index = 0
    if current is not None:
        for index, (pid, _name, _model) in enumerate(current.pages):
            if pid == page_id:
                page_index = index
                break
    if current is None or not current.pages:
        result = MergeResult(lambda: _serialize(None, 0, gen_model, page_id, page_name))
        for key, (wrapper, _cell) in ((_key(w, c), (w, c)) for w, c in iter_cells(gen_model)):
            if _primary(key):
                result.added[_type(wrapper)] += 1
        return result

    model = current.pages[page_index][2]
    merger = _Merger(model, mark_removed)
    generated_cells = [(_key(w, c), w, c) for w, c in iter_cells(gen_model)]
    generated_ids = {key for key, _w, _c in generated_cells}
    new = {key for key in generated_ids if key.startswith(ID_PREFIX) and key not in merger.cells}
    neighbours = {}
    for _cell_key, _wrapper, cell in generated_cells:
        if cell.get('edge') == '1':
            source, target = cell.get('source'), cell.get('target')
            neighbours.setdefault(source, []).append(target)
            neighbours.setdefault(target, []).append(source)
    for key, wrapper, cell in generated_cells:
        if not key.startswith(ID_PREFIX):
            continue
        if key in new:
            merger.add(key, wrapper, cell, new, neighbours)
        else:
            merger.update(key, wrapper, cell)
    gone = [key for key in merger.cells if key.startswith(ID_PREFIX) and key not in generated_ids]
    merger.remove(gone)
    result = merger.result
    pid, name, _model = current.pages[page_index]
    result.render = lambda: _serialize(current, page_index, model, pid, name)
    return result
