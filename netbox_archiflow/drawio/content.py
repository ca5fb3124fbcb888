"""The content key: what makes two saves of a diagram the same drawing.

Draw.io rewrites a document on every save even when nothing was edited: the ``<mxfile>`` attributes
(modified, etag, agent, host, version), the scroll position (``dx``/``dy``), the page id it invents for a
bare ``<mxGraphModel>``, attribute order, compression, number formatting (``10.0`` → ``10``), attributes
left at their default (``y="0"``, ``grid="1"``) and the order of cells whose parent comes later. None of
that is content. The ids of the root cell and its layers are not content either: nobody sees them. What
counts: page names and order, every cell's id, attributes and geometry, and the order of siblings
(their z-order).
"""

from .pages import iter_cells

__all__ = ('canonical', 'canonical_cells', 'content_key', 'same_content')

# Attributes of <mxGraphModel> at Draw.io's defaults (absent and default are the same); dx/dy always differ.
MODEL_DEFAULTS = {
    'grid': '1',
    'gridSize': '10',
    'guides': '1',
    'tooltips': '1',
    'connect': '1',
    'arrows': '1',
    'fold': '1',
    'page': '1',
    'pageScale': '1',
    'math': '0',
    'shadow': '0',
}
MODEL_VOLATILE = {'dx', 'dy'}
# Draw.io's default page formats (Letter and A4): a model without a page size gets one of them.
DEFAULT_PAGE_SIZES = {('850', '1100'), ('827', '1169')}
# Attributes at the default of mxGraph's codec templates, which Draw.io leaves out when it saves.
ELEMENT_DEFAULTS = {
    'mxCell': {
        'value': '',
        'style': '',
        'vertex': '0',
        'edge': '0',
        'connectable': '1',
        'visible': '1',
        'collapsed': '0',
    },
    'mxGeometry': {'x': '0', 'y': '0', 'width': '0', 'height': '0', 'relative': '0'},
    'mxPoint': {'x': '0', 'y': '0'},
    'mxRectangle': {'x': '0', 'y': '0', 'width': '0', 'height': '0'},
}
NUMERIC_ELEMENTS = {'mxGeometry', 'mxPoint', 'mxRectangle'}
# Cell references rewritten when the root cell and layers get their canonical ids.
REFERENCES = ('parent', 'source', 'target')
DEFAULT_PAGE_NAME = 'Page-1'


def _number(value):
    """``10.0`` → ``10``, ``20.50`` → ``20.5``; anything that is not a number stays as written."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number != number or number in (float('inf'), float('-inf')):
        return value
    return str(int(number)) if number.is_integer() else repr(number)


def _attributes(element, renamed=None):
    tag = element.tag
    attrs = element.attrib  # copied before any change: the parsed document stays as it was
    if tag in NUMERIC_ELEMENTS:
        attrs = {k: (v if k == 'as' else _number(v)) for k, v in attrs.items()}
    elif tag == 'mxCell':
        style = attrs.get('style')
        if style and (';;' in style or style[0] == ';' or style[-1] == ';'):
            attrs = {**attrs, 'style': ';'.join(part for part in style.split(';') if part)}
    if renamed:
        for name in ('id', *REFERENCES):
            value = attrs.get(name)
            if value in renamed:
                attrs = {**attrs, name: renamed[value]}
    defaults = ELEMENT_DEFAULTS.get(tag)
    items = [(k, v) for k, v in attrs.items() if defaults.get(k) != v] if defaults else list(attrs.items())
    items.sort()
    return items


def canonical(element, renamed=None):
    """One element as text: attribute order, defaults, number formatting and whitespace do not count."""
    children = ''.join([canonical(child, renamed) for child in element])
    attrs = ' '.join([f'{k}={v!r}' for k, v in _attributes(element, renamed)])
    return f'<{element.tag} {attrs}>{(element.text or "").strip()}{children}</{element.tag}>'


def canonical_cells(model):
    """The cells of a page as ``(id, wrapper, mxCell, canonical text)``, parents before their children.

    The root cell (no parent) and the layers (children of the root) get fixed ids, so that whatever
    Draw.io or a generator called them does not count. Siblings keep their document order (z-order).
    """
    cells = list(iter_cells(model))
    ids = [wrapper.get('id') or cell.get('id') for wrapper, cell in cells]
    roots = [i for i, (_w, cell) in enumerate(cells) if cell.get('parent') is None]
    # \x00 cannot occur in XML, so these never collide with a real id.
    renamed = {ids[i]: f'\x00root{n}' for n, i in enumerate(roots) if ids[i] is not None}
    layers = [i for i, (_w, cell) in enumerate(cells) if i not in roots and cell.get('parent') in renamed]
    renamed.update({ids[i]: f'\x00layer{n}' for n, i in enumerate(layers) if ids[i] is not None})

    children = {}
    for index, (_w, cell) in enumerate(cells):
        children.setdefault(cell.get('parent'), []).append(index)
    ordered, seen = [], set()

    def visit(index):
        # Iterative depth-first walk: a drawing may nest deeply, Python's recursion may not.
        stack = [index]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            ordered.append(current)
            stack.extend(reversed(children.get(ids[current], []) if ids[current] is not None else []))

    for index in roots:
        visit(index)
    for index in range(len(cells)):  # cells whose parent is missing, in document order
        visit(index)
    return [(renamed.get(ids[i], ids[i]), cells[i][0], cells[i][1], canonical(cells[i][0], renamed)) for i in ordered]


def _model_attributes(model):
    attrs = {k: _number(v) for k, v in model.attrib.items() if k not in MODEL_VOLATILE}
    if (attrs.get('pageWidth'), attrs.get('pageHeight')) in DEFAULT_PAGE_SIZES:
        del attrs['pageWidth'], attrs['pageHeight']
    return sorted((k, v) for k, v in attrs.items() if MODEL_DEFAULTS.get(k) != v)


def content_key(parsed):
    """A canonical form of the drawing itself, for 'identical content' checks."""
    parts = []
    for _page_id, name, model in parsed.pages:
        cells = ''.join(text for _id, _wrapper, _cell, text in canonical_cells(model))
        parts.append(f'{name or DEFAULT_PAGE_NAME}|{_model_attributes(model)}|{cells}')
    return '\n'.join(parts)


def same_content(a, b):
    """True when two parsed diagrams are the same drawing, however Draw.io wrote them."""
    return content_key(a) == content_key(b)
