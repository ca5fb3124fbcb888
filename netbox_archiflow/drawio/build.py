"""Building a Draw.io document from a plain description of shapes, containers and edges.

The generator describes *what* to draw (``Topology``); this module lays it out (``layout``) and writes
the XML. Every cell that stands for a NetBox object is an ``<object>`` carrying ``netbox_type``
(``app_label.model``), ``netbox_id`` and ``netbox_display``: the link format the Diagrams tab, the link
index and the viewer read. Cell ids are derived from the object (``nb:dcim.device:42``), so a later
generation of the same scope names the same object the same way and a refresh can merge by id.
Labels are plain text (no ``html=1``): a NetBox name is never interpreted as markup.
Edges are Draw.io orthogonal edges; those the layout routed (across layers, or along a layer) carry its
waypoints, so Draw.io draws them around the other shapes instead of through them.
"""

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, tostring

from .layout import Block, layout

__all__ = (
    'ID_PREFIX',
    'PAGE_ID',
    'Container',
    'Edge',
    'EndLabel',
    'Link',
    'Node',
    'Topology',
    'build_diagram',
    'build_page',
    'cell_id',
    'page_name',
)

ID_PREFIX = 'nb:'
PAGE_ID = 'netbox'
LABEL_LINE = 14  # height of one line of a label drawn under a shape
PARALLEL_SPACING = 6  # between the routed columns of parallel edges

NODE_STYLE = 'html=0;verticalLabelPosition=bottom;verticalAlign=top;aspect=fixed;'
CONTAINER_STYLE = (
    'rounded=1;arcSize=4;html=0;whiteSpace=wrap;container=1;collapsible=0;recursiveResize=0;'
    'verticalAlign=top;align=left;spacingLeft=8;fontStyle=1;dashed=1;'
)
EDGE_STYLE = 'edgeStyle=orthogonalEdgeStyle;rounded=1;orthogonalLoop=1;html=0;endArrow=none;'
END_LABEL_STYLE = 'edgeLabel;html=0;resizable=0;points=[];fontSize=10;labelBackgroundColor=#ffffff;'


def cell_id(netbox_type, netbox_id, suffix=''):
    """The id of the cell that stands for a NetBox object (``suffix`` for secondary cells of it)."""
    return f'{ID_PREFIX}{netbox_type}:{netbox_id}{suffix}'


@dataclass(frozen=True)
class Link:
    netbox_type: str
    netbox_id: int
    display: str

    @property
    def key(self):
        return cell_id(self.netbox_type, self.netbox_id)


@dataclass
class Node:
    """A shape: a device, a virtual machine, a network, a circuit, a provider."""

    key: str
    label: str
    link: Link | None = None
    style: str = 'rounded=1;'
    width: int = 60
    height: int = 60
    tier: int | None = None
    container: str | None = None  # key of the Container it sits in


@dataclass
class Container:
    """A boundary box (site, location, rack) around nodes and other containers."""

    key: str
    label: str
    link: Link | None = None
    style: str = ''
    parent: str | None = None


@dataclass
class EndLabel:
    """Text at one end of an edge (an interface name), optionally linked to its object."""

    text: str
    link: Link | None = None


@dataclass
class Edge:
    key: str
    source: str
    target: str
    label: str = ''
    link: Link | None = None
    source_label: EndLabel | None = None
    target_label: EndLabel | None = None
    style: str = ''


@dataclass
class Topology:
    name: str
    nodes: list = field(default_factory=list)
    containers: list = field(default_factory=list)
    edges: list = field(default_factory=list)


def _footprint(node):
    """Room a shape needs: the shape, its label underneath and some air on either side of the label."""
    lines = node.label.count('\n') + 1
    width = max(node.width, min(260, 7 * max(len(line) for line in node.label.split('\n'))))
    return width, node.height + LABEL_LINE * lines + 6


def _blocks(topology):
    blocks = {}
    for container in topology.containers:
        blocks[container.key] = Block(container.key)
    roots = []
    for container in topology.containers:
        (blocks[container.parent].children if container.parent in blocks else roots).append(blocks[container.key])
    for node in topology.nodes:
        width, height = _footprint(node)
        block = Block(node.key, width, height, node.tier)
        blocks[node.key] = block
        (blocks[node.container].children if node.container in blocks else roots).append(block)
    # Empty containers still get a size.
    for container in topology.containers:
        block = blocks[container.key]
        if not block.children:
            block.children.append(Block(f'{container.key}\x00empty', 120, 20))
    return roots


def _cell(parent_element, cell_key, label, link, **attrs):
    """An ``<mxCell>`` (under an ``<object>`` carrying the link when there is one)."""
    if link is None:
        cell = SubElement(parent_element, 'mxCell', id=cell_key, value=label)
    else:
        wrapper = SubElement(
            parent_element,
            'object',
            id=cell_key,
            label=label,
            netbox_type=link.netbox_type,
            netbox_id=str(link.netbox_id),
            netbox_display=link.display,
        )
        cell = SubElement(wrapper, 'mxCell')
    for name, value in attrs.items():
        if value is not None:
            cell.set(name, str(value))
    return cell


def _geometry(cell, x, y, width, height):
    SubElement(cell, 'mxGeometry', x=_n(x), y=_n(y), width=_n(width), height=_n(height), **{'as': 'geometry'})


def _n(value):
    return str(round(value))


def _ports(topology, positions):
    """Exit/entry points that keep parallel edges (several cables between the same two shapes) apart."""
    groups = {}
    for edge in topology.edges:
        groups.setdefault(frozenset((edge.source, edge.target)), []).append(edge)
    ports = {}
    for edges in groups.values():
        if len(edges) < 2:
            continue
        for index, edge in enumerate(edges):
            offset = (index + 1) / (len(edges) + 1)
            sx, sy, sw, sh = positions.get(edge.source, (0, 0, 0, 0))
            tx, ty, tw, th = positions.get(edge.target, (0, 0, 0, 0))
            if abs((sy + sh / 2) - (ty + th / 2)) >= abs((sx + sw / 2) - (tx + tw / 2)):
                down = ty > sy
                ports[edge.key] = (
                    f'exitX={offset:.3g};exitY={int(down)};entryX={offset:.3g};entryY={int(not down)};'
                    'exitPerimeter=0;entryPerimeter=0;'
                )
            else:
                right = tx > sx
                ports[edge.key] = (
                    f'exitX={int(right)};exitY={offset:.3g};entryX={int(not right)};entryY={offset:.3g};'
                    'exitPerimeter=0;entryPerimeter=0;'
                )
    return ports


def _spread(topology):
    """Horizontal offsets that keep the routed columns of parallel edges (same two shapes) side by side."""
    groups = {}
    for edge in topology.edges:
        groups.setdefault(frozenset((edge.source, edge.target)), []).append(edge.key)
    return {
        key: (index - (len(keys) - 1) / 2) * PARALLEL_SPACING
        for keys in groups.values()
        if len(keys) > 1
        for index, key in enumerate(keys)
    }


def build_cells(topology):
    """The cells of a laid-out topology, as ``(root element, positions)``: ``<root>`` with its layer."""
    nodes = {node.key: node for node in topology.nodes}
    roots = _blocks(topology)
    pairs = [(e.source, e.target) for e in topology.edges if e.source in nodes and e.target in nodes]
    positions, routes = layout(roots, pairs)

    root = Element('root')
    SubElement(root, 'mxCell', id='0')
    SubElement(root, 'mxCell', id='1', parent='0')

    def offset(parent_key):
        if parent_key in positions and parent_key not in nodes:
            return positions[parent_key][:2]
        return (0, 0)

    containers = {c.key for c in topology.containers}
    for container in topology.containers:
        x, y, width, height = positions[container.key]
        px, py = offset(container.parent)
        parent = container.parent if container.parent in containers else '1'
        style = CONTAINER_STYLE + container.style
        cell = _cell(root, container.key, container.label, container.link, style=style, vertex=1, parent=parent)
        _geometry(cell, x - px, y - py, width, height)
    for node in topology.nodes:
        x, y, width, _height = positions[node.key]
        footprint_width = width
        px, py = offset(node.container)
        parent = node.container if node.container in containers else '1'
        cell = _cell(root, node.key, node.label, node.link, style=NODE_STYLE + node.style, vertex=1, parent=parent)
        _geometry(cell, x - px + (footprint_width - node.width) / 2, y - py, node.width, node.height)
    ports = _ports(topology, positions)
    spread = _spread(topology)
    for edge in topology.edges:
        if edge.source not in nodes or edge.target not in nodes:
            continue
        style = EDGE_STYLE + ports.get(edge.key, '') + edge.style
        cell = _cell(
            root,
            edge.key,
            edge.label,
            edge.link,
            style=style,
            edge=1,
            parent='1',
            source=edge.source,
            target=edge.target,
        )
        geometry = SubElement(cell, 'mxGeometry', relative='1', **{'as': 'geometry'})
        route = routes.get((edge.source, edge.target))
        if route:
            shift = spread.get(edge.key, 0)
            points = SubElement(geometry, 'Array', **{'as': 'points'})
            for x, y in route:
                SubElement(points, 'mxPoint', x=_n(x + shift), y=_n(y))
        for suffix, end, position in (('#a', edge.source_label, '-0.7'), ('#b', edge.target_label, '0.7')):
            if end is None:
                continue
            label = _cell(
                root,
                edge.key + suffix,
                end.text,
                end.link,
                style=END_LABEL_STYLE,
                vertex=1,
                connectable=0,
                parent=edge.key,
            )
            geometry = SubElement(label, 'mxGeometry', x=position, relative='1', **{'as': 'geometry'})
            SubElement(geometry, 'mxPoint', **{'as': 'offset'})
    return root, positions


def build_page(topology):
    """The laid-out ``<mxGraphModel>`` element of the topology."""
    root, _positions = build_cells(topology)
    model = Element('mxGraphModel', grid='1', gridSize='10', page='0')
    model.append(root)
    return model


def build_diagram(topology, page_id=PAGE_ID):
    """A complete ``<mxfile>`` for the topology, laid out."""
    mxfile = Element('mxfile', host='netbox-archiflow')
    diagram = SubElement(mxfile, 'diagram', id=page_id, name=page_name(topology))
    diagram.append(build_page(topology))
    return tostring(mxfile, encoding='unicode')


def page_name(topology):
    return topology.name[:100] or 'NetBox'
