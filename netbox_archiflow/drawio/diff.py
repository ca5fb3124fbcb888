"""Which cells were added, removed or changed between two versions of a diagram, named as a reader knows them."""

from dataclasses import dataclass

from .content import canonical_cells
from .pages import cell_label

__all__ = ('DrawnCell', 'diff_diagrams', 'drawn_cells')


@dataclass(frozen=True)
class DrawnCell:
    label: str
    signature: str
    is_edge: bool = False
    source: str = ''
    target: str = ''


def drawn_cells(parsed, page_keys=None):
    """Drawn cells (vertices and edges, not the root and layers) as ``{(page, cell id): DrawnCell}``.

    ``page_keys`` replaces page ids (see ``_page_keys``). The signature is the cell's canonical text,
    so what Draw.io rewrites without an edit does not make a cell "changed".
    """
    result = {}
    for index, (page_id, _name, model) in enumerate(parsed.pages):
        page = page_keys[index] if page_keys else page_id
        for cell_id, wrapper, cell, signature in canonical_cells(model):
            if cell.get('vertex') != '1' and cell.get('edge') != '1':
                continue
            result[(page, cell_id)] = DrawnCell(
                label=cell_label(wrapper, cell),
                signature=signature,
                is_edge=cell.get('edge') == '1',
                source=cell.get('source') or '',
                target=cell.get('target') or '',
            )
    return result


def _page_keys(old, new):
    """Page keys for both documents: the page id, except that a page whose id exists only on one side
    matches the page at the same position on the other (Draw.io invents a page id for a bare model)."""
    old_ids = [page_id for page_id, _n, _m in old.pages] if old is not None else []
    new_ids = [page_id for page_id, _n, _m in new.pages] if new is not None else []
    new_keys = list(new_ids)
    for index, page_id in enumerate(new_ids):
        if page_id not in old_ids and index < len(old_ids) and old_ids[index] not in new_ids:
            new_keys[index] = old_ids[index]
    return old_ids, new_keys


def _name(key, cells):
    """A vertex by its label (``#id`` when it has none); an edge by its end cells, after its label if any."""
    cell = cells[key]
    if not cell.is_edge:
        return cell.label or f'#{key[1]}'

    def end(cell_id):
        if not cell_id:
            return '?'
        other = cells.get((key[0], cell_id))
        return (other.label if other else '') or f'#{cell_id}'

    ends = f'{end(cell.source)} → {end(cell.target)}'
    return f'{cell.label} ({ends})' if cell.label else ends


def diff_diagrams(old, new):
    """Cells added / removed / changed between two parsed diagrams (either may be None), by name."""
    old_keys, new_keys = _page_keys(old, new)
    old_cells = drawn_cells(old, old_keys) if old is not None else {}
    new_cells = drawn_cells(new, new_keys) if new is not None else {}
    return {
        'added': sorted(_name(k, new_cells) for k in new_cells.keys() - old_cells.keys()),
        'removed': sorted(_name(k, old_cells) for k in old_cells.keys() - new_cells.keys()),
        'changed': sorted(
            _name(k, new_cells)
            for k in new_cells.keys() & old_cells.keys()
            if new_cells[k].signature != old_cells[k].signature
        ),
    }
