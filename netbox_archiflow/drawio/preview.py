"""A server-side SVG picture of a diagram's first page, drawn without a browser.

Every write stores one, so a diagram made by the API, an import, a template or the demo has a picture
before anyone opens the editor. It draws what a reader needs to recognise the drawing: vertices as
their basic shape (rectangle, rounded, ellipse, rhombus, triangle, swimlane) with fill, stroke and
label, containers with their children, edges as straight or orthogonal lines with arrows and labels.
Stencils, images and rich text are simplified; Draw.io's own export from the editor replaces the
picture with an exact one. Output is built with ElementTree from parsed values only (numbers, checked
colours, plain text), so it carries no markup from the document.
"""

import html
import math
import re
from xml.etree.ElementTree import Element, SubElement, tostring

from .pages import TAG, iter_cells
from .svg import SVG_NS

__all__ = ('render_preview',)

BORDER = 10
FONT_FAMILY = 'Helvetica, Arial, sans-serif'
DEFAULT_FONT_SIZE = 12
DEFAULT_TEXT_COLOUR = '#000000'
MAX_LINE = 120  # characters of one label line
MAX_OUTSIDE_LINES = 3  # lines of a label outside its shape (below an icon, on an edge)
CHAR_WIDTH = 0.6  # of the font size: a rough average glyph width, to wrap and to size the picture
LINE_HEIGHT = 1.2
COLOUR = re.compile(r'^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$')
LINE_BREAK = re.compile(r'<\s*(br|/div|/p|/li|/h[1-6])\b[^>]*>', re.IGNORECASE)
EMPTY_SVG_SIZE = (160, 90)


def _float(value, default=0.0):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _style(text):
    """Draw.io's ``name;key=value;…`` style as a dict; a bare name (``ellipse``, ``text``) maps to itself."""
    style = {}
    for part in (text or '').split(';'):
        if '=' in part:
            key, value = part.split('=', 1)
            style[key.strip()] = value.strip()
        elif part.strip():
            style.setdefault('shape', part.strip())
    return style


def _colour(style, key, default):
    value = style.get(key, default)
    if value in ('default', 'inherit', ''):
        return default
    return value if COLOUR.match(value) else default


def _text(wrapper, cell):
    """The label as lines of plain text (HTML labels lose their markup, keep their line breaks)."""
    label = wrapper.get('label') if wrapper is not cell else cell.get('value')
    if not label:
        return []
    if _style(cell.get('style')).get('html') == '1':
        label = html.unescape(TAG.sub('', LINE_BREAK.sub('\n', label)))
    return [' '.join(line.split()) for line in label.replace('\r', '').split('\n') if line.strip()]


def _wrap(lines, width, font_size, max_lines):
    """Word-wrap to ``width``; stops after ``max_lines + 1`` lines (enough to know the text is cut)."""
    per_line = max(1, int(width / (font_size * CHAR_WIDTH)))
    wrapped = []
    for line in lines:
        current = ''
        for word in line.split(' '):
            if current and len(current) + 1 + len(word) > per_line:
                wrapped.append(current)
                if len(wrapped) > max_lines:
                    return wrapped
                current = word
            else:
                current = f'{current} {word}' if current else word
        wrapped.append(current)
        if len(wrapped) > max_lines:
            break
    return wrapped


class _Page:
    """Cells of one page with absolute geometry."""

    def __init__(self, model):
        self.cells = {}
        self.order = []
        for wrapper, cell in iter_cells(model):
            cell_id = wrapper.get('id') or cell.get('id')
            if cell_id is None or cell_id in self.cells:
                continue
            self.cells[cell_id] = (wrapper, cell)
            self.order.append(cell_id)
        self._origins = {}

    def geometry(self, cell):
        return cell.find('mxGeometry')

    def visible(self, cell_id):
        """Hidden cells and cells in hidden layers or collapsed containers are not drawn."""
        seen = set()
        while cell_id in self.cells and cell_id not in seen:
            seen.add(cell_id)
            cell = self.cells[cell_id][1]
            if cell.get('visible') == '0':
                return False
            parent = cell.get('parent')
            if parent in self.cells and self.cells[parent][1].get('collapsed') == '1':
                return False
            cell_id = parent
        return True

    def origin(self, cell_id):
        """Absolute top-left of a cell's coordinate space: the sum of its vertex ancestors' positions."""
        if cell_id in self._origins:
            return self._origins[cell_id]
        x = y = 0.0
        seen = set()
        current = self.cells.get(cell_id, (None, None))[1]
        while current is not None:
            parent_id = current.get('parent')
            if parent_id is None or parent_id in seen or parent_id not in self.cells:
                break
            seen.add(parent_id)
            parent = self.cells[parent_id][1]
            geometry = self.geometry(parent)
            if parent.get('vertex') == '1' and geometry is not None and geometry.get('relative') != '1':
                x += _float(geometry.get('x'))
                y += _float(geometry.get('y'))
            current = parent
        self._origins[cell_id] = (x, y)
        return x, y

    def bounds(self, cell_id):
        """Absolute ``(x, y, width, height)`` of a vertex, or None."""
        wrapper_cell = self.cells.get(cell_id)
        if wrapper_cell is None or wrapper_cell[1].get('vertex') != '1':
            return None
        geometry = self.geometry(wrapper_cell[1])
        if geometry is None or geometry.get('relative') == '1':
            return None
        ox, oy = self.origin(cell_id)
        return (
            ox + _float(geometry.get('x')),
            oy + _float(geometry.get('y')),
            max(_float(geometry.get('width')), 0.0),
            max(_float(geometry.get('height')), 0.0),
        )

    def point(self, geometry, name, origin):
        for point in geometry.findall('mxPoint'):
            if point.get('as') == name:
                return origin[0] + _float(point.get('x')), origin[1] + _float(point.get('y'))
        return None

    def edge_points(self, cell_id):
        """The polyline of an edge: its ends on the border of the cells it connects, through its waypoints."""
        cell = self.cells[cell_id][1]
        geometry = self.geometry(cell)
        if geometry is None:
            geometry = Element('mxGeometry')
        origin = self.origin(cell_id)
        waypoints = []
        array = next((a for a in geometry.findall('Array') if a.get('as') == 'points'), None)
        if array is not None:
            waypoints = [(origin[0] + _float(p.get('x')), origin[1] + _float(p.get('y'))) for p in array]
        source_box = self.bounds(cell.get('source'))
        target_box = self.bounds(cell.get('target'))
        start = _centre(source_box) if source_box else self.point(geometry, 'sourcePoint', origin)
        end = _centre(target_box) if target_box else self.point(geometry, 'targetPoint', origin)
        if start is None or end is None:
            return []
        style = _style(cell.get('style'))
        if not waypoints and style.get('edgeStyle') in ('orthogonalEdgeStyle', 'elbowEdgeStyle'):
            if abs(end[0] - start[0]) >= abs(end[1] - start[1]):
                middle = (start[0] + end[0]) / 2
                waypoints = [(middle, start[1]), (middle, end[1])]
            else:
                middle = (start[1] + end[1]) / 2
                waypoints = [(start[0], middle), (end[0], middle)]
        points = [start, *waypoints, end]
        if source_box:
            points[0] = _clip(source_box, points[1])
        if target_box:
            points[-1] = _clip(target_box, points[-2])
        return points


def _centre(box):
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _clip(box, towards):
    """Where the line from the centre of ``box`` to ``towards`` leaves the box."""
    cx, cy = _centre(box)
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (box[2] / 2) / abs(dx) if dx else math.inf,
        (box[3] / 2) / abs(dy) if dy else math.inf,
    )
    scale = min(scale, 1.0)
    return cx + dx * scale, cy + dy * scale


def _fmt(number):
    return f'{number:.2f}'.rstrip('0').rstrip('.')


class _Canvas:
    def __init__(self):
        self.root = Element('svg', xmlns=SVG_NS)
        # Text defaults once for the whole picture; each label only says how it differs.
        self.group = SubElement(
            self.root,
            'g',
            {'font-family': FONT_FAMILY, 'font-size': str(DEFAULT_FONT_SIZE), 'text-anchor': 'middle'},
        )
        self.min_x = self.min_y = math.inf
        self.max_x = self.max_y = -math.inf

    def extend(self, x, y, width=0.0, height=0.0):
        self.min_x, self.min_y = min(self.min_x, x), min(self.min_y, y)
        self.max_x, self.max_y = max(self.max_x, x + width), max(self.max_y, y + height)

    def add(self, tag, parent=None, **attrs):
        attributes = {
            k.rstrip('_').replace('_', '-'): (_fmt(v) if isinstance(v, float) else str(v)) for k, v in attrs.items()
        }
        return SubElement(self.group if parent is None else parent, tag, attributes)

    def text(self, lines, x, y, font_size, colour, max_lines, background=None):
        """Lines centred on ``(x, y)``; beyond ``max_lines`` (what fits the shape) the text ends in an ellipsis."""
        if not lines:
            return
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], lines[max_lines - 1] + '…']
        lines = [line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + '…' for line in lines]
        height = len(lines) * font_size * LINE_HEIGHT
        width = max(len(line) for line in lines) * font_size * CHAR_WIDTH
        left, top = x - width / 2, y - height / 2
        self.extend(left, top, width, height)
        if background:
            self.add('rect', x=left - 2, y=top, width=width + 4, height=height, fill=background)
        attrs = {'x': x, 'y': top + font_size}
        if font_size != DEFAULT_FONT_SIZE:
            attrs['font_size'] = float(font_size)
        if colour != DEFAULT_TEXT_COLOUR:
            attrs['fill'] = colour
        element = self.add('text', **attrs)
        if len(lines) == 1:
            element.text = lines[0]
            return
        for index, line in enumerate(lines):
            span = self.add('tspan', element, x=x, dy=font_size * LINE_HEIGHT if index else 0.0)
            span.text = line

    def svg(self):
        if self.min_x is math.inf:
            width, height = EMPTY_SVG_SIZE
            self.root.set('viewBox', f'0 0 {width} {height}')
        else:
            x, y = self.min_x - BORDER, self.min_y - BORDER
            width, height = self.max_x - self.min_x + 2 * BORDER, self.max_y - self.min_y + 2 * BORDER
            self.root.set('viewBox', f'{_fmt(x)} {_fmt(y)} {_fmt(width)} {_fmt(height)}')
        self.root.set('width', _fmt(math.ceil(width)))
        self.root.set('height', _fmt(math.ceil(height)))
        return tostring(self.root, encoding='unicode')


def _draw_vertex(canvas, page, cell_id):
    wrapper, cell = page.cells[cell_id]
    box = page.bounds(cell_id)
    if box is None:
        return
    x, y, width, height = box
    style = _style(cell.get('style'))
    shape = style.get('shape', 'rect')
    font_size = _float(style.get('fontSize'), DEFAULT_FONT_SIZE) or DEFAULT_FONT_SIZE
    text_only = shape in ('text', 'label', 'edgeLabel')
    fill = _colour(style, 'fillColor', 'none' if text_only else '#ffffff')
    stroke = _colour(style, 'strokeColor', 'none' if text_only else '#000000')
    outline = {'fill': fill, 'stroke': stroke}
    if _float(style.get('strokeWidth'), 1.0) != 1.0:
        outline['stroke_width'] = _float(style.get('strokeWidth'), 1.0)
    if style.get('dashed') == '1':
        outline['stroke_dasharray'] = '6 4'
    if 'opacity' in style:
        outline['opacity'] = _float(style['opacity'], 100.0) / 100
    rotation = _float(style.get('rotation'))
    group = (
        canvas.add('g', transform=f'rotate({_fmt(rotation)} {_fmt(x + width / 2)} {_fmt(y + height / 2)})')
        if rotation
        else None
    )
    canvas.extend(x, y, width, height)
    if shape in ('ellipse', 'doubleEllipse'):
        canvas.add('ellipse', group, cx=x + width / 2, cy=y + height / 2, rx=width / 2, ry=height / 2, **outline)
    elif shape in ('rhombus', 'triangle', 'hexagon'):
        if shape == 'rhombus':
            points = [(x + width / 2, y), (x + width, y + height / 2), (x + width / 2, y + height), (x, y + height / 2)]
        elif shape == 'triangle':
            points = [(x, y), (x + width, y + height / 2), (x, y + height)]
        else:
            inset = width / 4
            points = [
                (x + inset, y),
                (x + width - inset, y),
                (x + width, y + height / 2),
                (x + width - inset, y + height),
                (x + inset, y + height),
                (x, y + height / 2),
            ]
        canvas.add('polygon', group, points=' '.join(f'{_fmt(px)},{_fmt(py)}' for px, py in points), **outline)
    elif not text_only:
        rounded = style.get('rounded') == '1' or shape in ('cylinder', 'cylinder3', 'process')
        radius = min(width, height) * 0.15 if rounded else 0.0
        if radius:
            outline['rx'] = radius
        canvas.add('rect', group, x=x, y=y, width=width, height=height, **outline)
        if shape == 'swimlane':
            header = _float(style.get('startSize'), 23.0)
            canvas.add('line', group, x1=x, y1=y + header, x2=x + width, y2=y + header, stroke=stroke)
        elif shape in ('image', 'mxgraph.cisco', 'label') or shape.startswith('mxgraph.'):
            canvas.add('line', group, x1=x, y1=y, x2=x + width, y2=y + height, stroke=stroke, stroke_opacity=0.2)
    lines = _text(wrapper, cell)
    if not lines:
        return
    line_height = font_size * LINE_HEIGHT
    max_lines = max(1, int(height / line_height))
    text_y = y + height / 2
    if shape == 'swimlane':
        max_lines, text_y = 1, y + _float(style.get('startSize'), 23.0) / 2
    elif style.get('verticalLabelPosition') in ('bottom', 'top'):
        max_lines = MAX_OUTSIDE_LINES
    if style.get('whiteSpace') == 'wrap' and width > 4:
        lines = _wrap(lines, width - 4, font_size, max_lines)
    half = min(len(lines), max_lines) * line_height / 2 + 2
    if style.get('verticalLabelPosition') == 'bottom':
        text_y = y + height + half
    elif style.get('verticalLabelPosition') == 'top':
        text_y = y - half
    elif style.get('verticalAlign') == 'top' and shape != 'swimlane':
        text_y = y + half
    canvas.text(lines, x + width / 2, text_y, font_size, _colour(style, 'fontColor', DEFAULT_TEXT_COLOUR), max_lines)


def _arrow(canvas, tip, tail, colour, width):
    dx, dy = tip[0] - tail[0], tip[1] - tail[1]
    length = math.hypot(dx, dy)
    if not length:
        return
    ux, uy = dx / length, dy / length
    size = 6 + width * 2
    left = (tip[0] - ux * size - uy * size / 2, tip[1] - uy * size + ux * size / 2)
    right = (tip[0] - ux * size + uy * size / 2, tip[1] - uy * size - ux * size / 2)
    points = ' '.join(f'{_fmt(px)},{_fmt(py)}' for px, py in (tip, left, right))
    canvas.add('polygon', points=points, fill=colour, stroke=colour)


def _draw_edge(canvas, page, cell_id, labels):
    wrapper, cell = page.cells[cell_id]
    points = page.edge_points(cell_id)
    if len(points) < 2:
        return
    style = _style(cell.get('style'))
    colour = _colour(style, 'strokeColor', '#000000')
    width = _float(style.get('strokeWidth'), 1.0)
    attrs = {'fill': 'none', 'stroke': colour}
    if width != 1.0:
        attrs['stroke_width'] = width
    if style.get('dashed') == '1':
        attrs['stroke_dasharray'] = '6 4'
    canvas.add('polyline', points=' '.join(f'{_fmt(px)},{_fmt(py)}' for px, py in points), **attrs)
    for px, py in points:
        canvas.extend(px, py)
    if colour != 'none':
        if style.get('endArrow', 'classic') != 'none':
            _arrow(canvas, points[-1], points[-2], colour, width)
        if style.get('startArrow', 'none') != 'none':
            _arrow(canvas, points[0], points[1], colour, width)
    lines = _text(wrapper, cell) + labels.get(cell_id, [])
    if lines:
        middle = len(points) // 2
        (ax, ay), (bx, by) = points[middle - 1], points[middle]
        font_size = _float(style.get('fontSize'), DEFAULT_FONT_SIZE - 1) or DEFAULT_FONT_SIZE
        colour = _colour(style, 'fontColor', DEFAULT_TEXT_COLOUR)
        canvas.text(lines, (ax + bx) / 2, (ay + by) / 2, font_size, colour, MAX_OUTSIDE_LINES, background='#ffffff')


def render_preview(parsed):
    """An SVG of the first page of a parsed diagram (an empty picture when it has no page)."""
    canvas = _Canvas()
    if parsed.pages:
        page = _Page(parsed.pages[0][2])
        # Labels drawn as child vertices of an edge (Draw.io's edge labels) go with their edge.
        edge_labels = {}
        for cell_id in page.order:
            wrapper, cell = page.cells[cell_id]
            parent = page.cells.get(cell.get('parent'), (None, None))[1]
            if cell.get('vertex') == '1' and parent is not None and parent.get('edge') == '1':
                edge_labels.setdefault(cell.get('parent'), []).extend(_text(wrapper, cell))
        for cell_id in page.order:
            cell = page.cells[cell_id][1]
            if not page.visible(cell_id):
                continue
            if cell.get('edge') == '1':
                _draw_edge(canvas, page, cell_id, edge_labels)
            elif cell.get('vertex') == '1':
                _draw_vertex(canvas, page, cell_id)
    return canvas.svg()
