"""Cells linked to NetBox objects, read from a parsed Draw.io document.

A cell is linked when its ``<object>``/``<UserObject>`` wrapper carries ``netbox_type``
(``app_label.model``) and ``netbox_id``, with ``netbox_display`` as a readable fallback: the attribute
names of netbox-plugin-plan-drawing, so drawings move between the two plugins with their links. A
half-written or malformed link is refused with a 400 naming the cell rather than dropped: a link the
user sees in Draw.io must be in the index.
"""

import re
from dataclasses import dataclass

from .errors import DrawioError
from .pages import cell_label, iter_cells

__all__ = ('MAX_ID_LENGTH', 'OBJECT_TYPE', 'CellLink', 'check_linkable', 'extract_links')

OBJECT_TYPE = re.compile(r'^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$')
OBJECT_ID = re.compile(r'^[1-9][0-9]{0,18}$')
# Longer page or cell ids are not Draw.io's: refused rather than cut, since a cut id finds no cell.
MAX_ID_LENGTH = 255


@dataclass(frozen=True)
class CellLink:
    """One linked cell: where it is, what it shows and the object it stands for."""

    page_id: str
    page_name: str
    cell_id: str
    label: str
    object_type: str  # 'app_label.model', lower case
    object_id: int
    display: str = ''

    @property
    def where(self):
        return _where(self.page_id, self.page_name, self.cell_id, self.label)


def _where(page_id, page_name, cell_id, label):
    """The cell in words, for messages."""
    page = f' on page {page_name or page_id!r}' if (page_name or page_id) else ''
    return f'cell {cell_id!r}{f" ({label})" if label else ""}{page}'


def _refuse(message, page_id, cell_id):
    raise DrawioError(message, code='link_invalid', field='xml', page=page_id, cell=cell_id)


def extract_links(parsed):
    """Every linked cell of a parsed diagram (``pages.parse_diagram``), compressed pages included.

    Raises DrawioError (400, ``field='xml'``, ``cell`` and ``page`` naming the cell) for a link with only
    one of ``netbox_type``/``netbox_id``, a type that is not ``app_label.model``, an id that is not a
    positive integer, or a linked cell without an id, with an id used twice on its page or longer than
    ``MAX_ID_LENGTH``.
    """
    links = []
    for page_id, page_name, model in parsed.pages:
        seen = set()
        for wrapper, cell in iter_cells(model):
            if wrapper is cell:
                continue
            raw_type = (wrapper.get('netbox_type') or '').strip()
            raw_id = (wrapper.get('netbox_id') or '').strip()
            if not raw_type and not raw_id:
                continue
            cell_id = wrapper.get('id') or cell.get('id') or ''
            label = cell_label(wrapper, cell)
            where = _where(page_id, page_name, cell_id, label)
            if not cell_id:
                _refuse(f'A linked cell{f" ({label})" if label else ""} has no id.', page_id, cell_id)
            if cell_id in seen:
                _refuse(f'The id of linked {where} is used twice on its page.', page_id, cell_id)
            seen.add(cell_id)
            if len(cell_id) > MAX_ID_LENGTH or len(page_id) > MAX_ID_LENGTH:
                _refuse(
                    f'The page or cell id of linked {where} is longer than {MAX_ID_LENGTH} characters.',
                    page_id,
                    cell_id,
                )
            if not raw_type or not raw_id:
                missing = 'netbox_type' if not raw_type else 'netbox_id'
                _refuse(f'Linked {where} has no {missing}.', page_id, cell_id)
            object_type = raw_type.lower()
            if not OBJECT_TYPE.match(object_type):
                _refuse(
                    f'The netbox_type {raw_type!r} of {where} is not of the form app_label.model (e.g. dcim.device).',
                    page_id,
                    cell_id,
                )
            if not OBJECT_ID.match(raw_id):
                _refuse(f'The netbox_id {raw_id!r} of {where} is not a positive integer.', page_id, cell_id)
            links.append(
                CellLink(
                    page_id=page_id,
                    page_name=page_name,
                    cell_id=cell_id,
                    label=label,
                    object_type=object_type,
                    object_id=int(raw_id),
                    display=' '.join((wrapper.get('netbox_display') or '').split()),
                )
            )
    return links


def check_linkable(links, linkable_types):
    """Refuse (400 naming the first such cell) a link to a type outside ``linkable_types``."""
    for link in links:
        if link.object_type not in linkable_types:
            raise DrawioError(
                f'The {link.where} links to {link.object_type}, which is not a linkable type '
                '(settings diagram_link_types_add / diagram_link_types_remove).',
                code='link_type_not_linkable',
                field='xml',
                page=link.page_id,
                cell=link.cell_id,
                object_type=link.object_type,
            )
