"""A plain SVG picture of a page, drawn on the server so a generated diagram has a preview at once.

Draw.io draws the real thing (stencils, routing) when the diagram is opened; this draws what the
geometry says: boxes, shapes with their labels, straight or right-angled edges. Labels are escaped
text, never markup.
"""

from xml.etree.ElementTree import Element, SubElement, tostring

from .pages import TAG, iter_cells
from .svg import SVG_NS

__all__ = ('render_preview',)

MARGIN = 20
FONT = 'font-family:sans-serif;font-size:11px'


def _float(element, name):
    try:
        return float(element.get(name) or 0)
    except ValueError:
        return 0.0


def _lines(wrapper, cell):
    """A label's lines without markup."""
    label = wrapper.get('label') if wrapper is not cell else cell.get('value')
    text = TAG.sub(' ', (label or '').replace('<br>', '\n'))
    return [' '.join(line.split()) for line in text.split('\n') if line.strip()]


def _style(cell):
    style = {}
    for part in (cell.get('style') or '').split(';'):
        key, _sep, value = part.partition('=')
        if key:
            style[key] = value
    return style


def render_preview(model):
    """SVG text for one ``<mxGraphModel>`` element."""
    cells = {}
    for wrapper, cell in iter_cells(model):
        key = wrapper.get('id') or cell.get('id')
        cells[key] = (wrapper, cell)

    boxes = {}

    def box(key):
        if key in boxes:
            return boxes[key]
        boxes[key] = None  # a parent cycle ends here
        wrapper, cell = cells.get(key, (None, None))
        geometry = cell.find('mxGeometry') if cell is not None else None
        if cell is None or cell.get('vertex') != '1' or geometry is None or geometry.get('relative') == '1':
            return None
        x, y = _float(geometry, 'x'), _float(geometry, 'y')
        parent = box(cell.get('parent'))
        if parent is not None:
            x, y = x + parent[0], y + parent[1]
        boxes[key] = (x, y, _float(geometry, 'width'), _float(geometry, 'height'))
        return boxes[key]

    for key in cells:
        box(key)
    placed = [b for b in boxes.values() if b is not None]
    left = min((b[0] for b in placed), default=0) - MARGIN
    top = min((b[1] for b in placed), default=0) - MARGIN
    right = max((b[0] + b[2] for b in placed), default=0) + MARGIN
    bottom = max((b[1] + b[3] for b in placed), default=0) + MARGIN + 30

    svg = Element(
        f'{{{SVG_NS}}}svg',
        width=str(round(right - left)),
        height=str(round(bottom - top)),
        viewBox=f'{left:.0f} {top:.0f} {right - left:.0f} {bottom - top:.0f}',
    )
    SubElement(svg, f'{{{SVG_NS}}}rect', x=f'{left:.0f}', y=f'{top:.0f}', width='100%', height='100%', fill='#ffffff')
    containers, shapes, lines = [], [], []
    for key, (wrapper, cell) in cells.items():
        style = _style(cell)
        if cell.get('edge') == '1':
            lines.append((boxes.get(cell.get('source')), boxes.get(cell.get('target')), style))
        elif boxes.get(key) is not None:
            (containers if style.get('container') == '1' else shapes).append((boxes[key], _lines(wrapper, cell), style))
    for (x, y, w, h), label, style in containers:
        SubElement(
            svg,
            f'{{{SVG_NS}}}rect',
            x=f'{x:.0f}',
            y=f'{y:.0f}',
            width=f'{w:.0f}',
            height=f'{h:.0f}',
            rx='6',
            fill=style.get('fillColor', 'none') if style.get('fillColor') != 'none' else 'none',
            stroke=style.get('strokeColor', '#6c757d'),
            **{'stroke-dasharray': '6 4'},
        )
        text = SubElement(
            svg, f'{{{SVG_NS}}}text', x=f'{x + 8:.0f}', y=f'{y + 18:.0f}', style=FONT + ';font-weight:bold'
        )
        text.text = ' '.join(label)
    for source, target, style in lines:
        if source is None or target is None:
            continue
        x1, y1 = source[0] + source[2] / 2, source[1] + source[3] / 2
        x2, y2 = target[0] + target[2] / 2, target[1] + target[3] / 2
        middle = (y1 + y2) / 2
        SubElement(
            svg,
            f'{{{SVG_NS}}}polyline',
            points=f'{x1:.0f},{y1:.0f} {x1:.0f},{middle:.0f} {x2:.0f},{middle:.0f} {x2:.0f},{y2:.0f}',
            fill='none',
            stroke=style.get('strokeColor', '#495057'),
        )
    for (x, y, w, h), label, style in shapes:
        SubElement(
            svg,
            f'{{{SVG_NS}}}rect',
            x=f'{x:.0f}',
            y=f'{y:.0f}',
            width=f'{w:.0f}',
            height=f'{h:.0f}',
            rx='6',
            fill=style.get('fillColor', '#dae8fc') if style.get('fillColor') != 'none' else '#ffffff',
            stroke=style.get('strokeColor', '#6c8ebf'),
        )
        below = style.get('verticalLabelPosition') == 'bottom'
        for number, line in enumerate(label):
            text = SubElement(
                svg,
                f'{{{SVG_NS}}}text',
                x=f'{x + w / 2:.0f}',
                y=f'{(y + h + 13 if below else y + h / 2 + 4) + 13 * number:.0f}',
                style=FONT,
                **{'text-anchor': 'middle'},
            )
            text.text = line
    return tostring(svg, encoding='unicode')
