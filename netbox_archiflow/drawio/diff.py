"""Which cells were added, removed or changed between two versions of a diagram."""

from dataclasses import dataclass

from .content import canonical
from .pages import cell_label, iter_cells

__all__ = ('DrawnCell', 'diff_diagrams', 'drawn_cells')


@dataclass(frozen=True)
class DrawnCell:
    label: str
    signature: str
    is_edge: bool = False
    source: str = ''
    target: str = ''


def drawn_cells(parsed):
    """Drawn cells (vertices and edges, not the root and layers) as ``{(page id, cell id): DrawnCell}``."""
    result = {}
    for page_id, _name, model in parsed.pages:
        for wrapper, cell in iter_cells(model):
            if cell.get('vertex') != '1' and cell.get('edge') != '1':
                continue
            cell_id = wrapper.get('id') or cell.get('id')
            result[(page_id, cell_id)] = DrawnCell(
                label=cell_label(wrapper, cell),
                signature=canonical(wrapper),
                is_edge=cell.get('edge') == '1',
                source=cell.get('source') or '',
                target=cell.get('target') or '',
            )
    return result


def diff_diagrams(old, new):
    """Cells added / removed / changed between two parsed diagrams (either may be None), by label."""
    old_cells = drawn_cells(old) if old is not None else {}
    new_cells = drawn_cells(new) if new is not None else {}

    def name(key, cells):
        return cells[key].label or f'#{key[1]}'

    return {
        'added': sorted(name(k, new_cells) for k in new_cells.keys() - old_cells.keys()),
        'removed': sorted(name(k, old_cells) for k in old_cells.keys() - new_cells.keys()),
        'changed': sorted(
            name(k, new_cells)
            for k in new_cells.keys() & old_cells.keys()
            if new_cells[k].signature != old_cells[k].signature
        ),
    }
