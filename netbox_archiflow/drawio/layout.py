"""Automatic layout of a generated diagram: nested boxes, tiers, and python-igraph's Sugiyama layering.

igraph does the graph work (assigning layers where no tier is given, ordering each layer to cut edge
crossings). This module only turns that order into rectangles of the items' real sizes: items of one row
are placed left to right in igraph's order, never closer than a gap, so no two shapes overlap. Containers
(site → location → rack) are laid out inside-out: a container's contents first, then the container as one
block of that size among its siblings, so every container encloses its contents.

Edges are routed at the level where their ends part (between two devices of a rack, or between the racks
holding them): an edge crossing layers gets a dummy item in each layer between (ordered by igraph with
the others, so it gets a free column), and waypoints down that column and along the gaps between layers;
an edge along a layer past other items runs in the gap under it. Inside the boxes an edge starts and ends
in, Draw.io's own orthogonal routing draws it.
"""

import math
from dataclasses import dataclass, field

import igraph

__all__ = ('Block', 'layout')

HGAP = 60
VGAP = 90
PADDING = 24
HEADER = 36
MARGIN = 40


@dataclass
class Block:
    """Something to place: a shape (no children) or a container around ``children``."""

    key: str
    width: float = 0
    height: float = 0
    tier: int | None = None
    children: list = field(default_factory=list)
    placed: list = field(default_factory=list)  # (child, left, top) relative to this block, once laid out
    routes: dict = field(default_factory=dict)  # (child key, child key): waypoints relative to this block


def _sugiyama(count, edges, layers):
    """igraph's Sugiyama layering: ``(layer, order)`` per item, order being the x position in its layer."""
    graph = igraph.Graph(n=count, edges=edges, directed=True)
    coords = graph.layout_sugiyama(layers=layers, hgap=1, vgap=1, maxiter=50).coords[:count]
    return [(round(y), x) for x, y in coords]


def _rows(count, edges, tiers):
    """Layer and order of each item, and the chains of dummy items (one per layer crossed) of long edges.

    Items ``count`` and up are the dummies: igraph orders them with the items, so a long edge gets a free
    column in every layer it crosses. (igraph adds such dummies itself, but its ``edge_routing`` does not
    always report them for the right edge, so they are made here, on the layers igraph assigned.)
    """
    layers = None
    if tiers is not None:
        rank = {tier: index for index, tier in enumerate(sorted(set(tiers)))}
        layers = [rank[tier] for tier in tiers]
    rows = _sugiyama(count, edges, layers)
    layers = [layer for layer, _order in rows]
    chains = {}
    extended = []
    for a, b in edges:
        step = 1 if layers[b] > layers[a] else -1
        chain = []
        previous = a
        for layer in range(layers[a] + step, layers[b], step):
            layers.append(layer)
            chain.append(len(layers) - 1)
            extended.append((previous, chain[-1]))
            previous = chain[-1]
        extended.append((previous, b))
        if chain:
            chains[(a, b)] = chain
    if not chains:
        return rows, chains
    return _sugiyama(len(layers), extended, layers), chains


def _place(blocks, edges):
    """Positions (left, top) of sibling blocks relative to their common origin, the total size, and the
    waypoints ``{(index, index): [(x, y)]}`` that keep edges between them off the other blocks: long edges
    pass each layer they cross in a column of their own and change columns in the gaps between layers;
    an edge within a layer runs in the gap under it."""
    if not blocks:
        return [], (0, 0), {}
    tiers = [b.tier for b in blocks]
    known = [t for t in tiers if t is not None]
    if known:
        fallback = max(known) + 1
        tiers = [fallback if t is None else t for t in tiers]
    else:
        tiers = None
    rows, chains = _rows(len(blocks), edges, tiers)
    count = len(blocks)

    layers = {}
    for index, (layer, order) in enumerate(rows):
        layers.setdefault(layer, []).append((order, index))
    # A layer of many unconnected shapes would be one endless row: wrap it.
    wrap = max(6, math.ceil(math.sqrt(len(blocks)) * 1.5))
    unit = max(b.width for b in blocks) + HGAP
    positions = [None] * len(rows)
    extent = {}  # layer: (top, bottom, wrapped)
    top = 0
    width = 0
    for layer in sorted(layers):
        members = [index for _order, index in sorted(layers[layer])]
        shapes = [index for index in members if index < count]
        wrapped = len(shapes) > wrap
        layer_top = top
        if wrapped:  # dummies go right of the wrapped rows
            members = shapes
        right_most = 0
        for start in range(0, len(members), wrap if wrapped else max(len(members), 1)):
            row = members[start : start + wrap] if wrapped else members
            right = -HGAP
            for column, index in enumerate(row):
                block_width = blocks[index].width if index < count else 0
                wanted = column * unit if wrapped else rows[index][1] * unit
                left = max(right + HGAP, wanted)
                positions[index] = (left, top)
                right = left + block_width
            right_most = max(right_most, right)
            heights = [blocks[index].height for index in row if index < count]
            top += (max(heights) if heights else 0) + VGAP
        if wrapped:
            dummies = [index for _order, index in sorted(layers[layer]) if index >= count]
            for offset, index in enumerate(dummies, start=1):
                positions[index] = (right_most + offset * HGAP, layer_top)
                right_most = max(right_most, positions[index][0])
        width = max(width, right_most)
        extent[layer] = (layer_top, top - VGAP, wrapped)
    height = top - VGAP
    shift = min(left for left, _top in positions)
    positions = [(left - shift, t) for left, t in positions]

    def centre(index):
        return positions[index][0] + blocks[index].width / 2

    routes = {}
    for a, b in edges:
        if (a, b) in chains:
            points = []
            for index in chains[(a, b)]:
                layer_top, layer_bottom, _wrapped = extent[rows[index][0]]
                above, below = layer_top - VGAP / 2, layer_bottom + VGAP / 2
                x = positions[index][0]
                points.extend([(x, above), (x, below)] if rows[b][0] > rows[a][0] else [(x, below), (x, above)])
            routes[(a, b)] = points
        elif rows[a][0] == rows[b][0] and not extent[rows[a][0]][2]:
            between = sorted((positions[a][0], positions[b][0]))
            if any(
                between[0] < positions[i][0] < between[1]
                for i, (layer, _o) in enumerate(rows[:count])
                if layer == rows[a][0]
            ):
                below = extent[rows[a][0]][1] + VGAP / 2
                routes[(a, b)] = [(centre(a), below), (centre(b), below)]
    return positions[:count], (width - shift, height), routes


def _size(block, edges_between):
    """Lay out ``block``'s children (recursively) and size it to enclose them."""
    if not block.children:
        return
    for child in block.children:
        _size(child, edges_between)
    index = {child.key: n for n, child in enumerate(block.children)}
    pairs = sorted({(index[a], index[b]) for a, b in edges_between.get(block.key, ()) if index[a] != index[b]})
    placed, (width, height), routes = _place(block.children, pairs)
    block.width = width + 2 * PADDING
    block.height = height + HEADER + PADDING
    block.placed = [
        (child, left + PADDING, top + HEADER) for child, (left, top) in zip(block.children, placed, strict=True)
    ]
    block.routes = {
        (block.children[a].key, block.children[b].key): [(x + PADDING, y + HEADER) for x, y in points]
        for (a, b), points in routes.items()
    }


def _absolute(block, left, top, positions, routes):
    positions[block.key] = (left, top, block.width, block.height)
    for pair, points in block.routes.items():
        routes[pair] = [(left + x, top + y) for x, y in points]
    for child, x, y in block.placed:
        _absolute(child, left + x, top + y, positions, routes)


def layout(roots, edges):
    """Absolute ``{key: (x, y, width, height)}`` for ``roots`` (Blocks, nested) and everything inside them,
    and absolute waypoints ``{(key, key): [(x, y)]}`` for the edges that need them to pass other shapes.

    ``edges`` are ``(key, key)`` pairs between leaf blocks; each pulls the two blocks (or the containers
    holding them, at the level where they part) towards neighbouring positions and into successive layers,
    and is routed between the blocks of that level.
    Tiers order the layers of siblings top to bottom; a container takes the smallest tier inside it.
    """
    root = Block(key='\x00root', children=list(roots))
    parent = {}

    def walk(block, up):
        parent[block.key] = up
        for child in block.children:
            walk(child, block.key)
        if block.children and block.tier is None:
            tiers = [c.tier for c in block.children if c.tier is not None]
            block.tier = min(tiers) if tiers else None

    walk(root, None)

    def path(key):
        chain = []
        while key is not None:
            chain.append(key)
            key = parent[key]
        return chain[::-1]

    edges_between = {}
    level_pair = {}
    for a, b in edges:
        if a not in parent or b not in parent or a == b:
            continue
        pa, pb = path(a), path(b)
        depth = 0
        while depth < min(len(pa), len(pb)) and pa[depth] == pb[depth]:
            depth += 1
        if depth >= len(pa) or depth >= len(pb):
            continue  # one contains the other
        edges_between.setdefault(pa[depth - 1], []).append((pa[depth], pb[depth]))
        level_pair[(a, b)] = (pa[depth], pb[depth])

    positions = {}
    level_routes = {}
    _size(root, edges_between)
    _absolute(root, MARGIN - PADDING, MARGIN - HEADER, positions, level_routes)
    del positions[root.key]
    routes = {}
    for (a, b), (pa, pb) in level_pair.items():
        if (pa, pb) in level_routes:
            routes[(a, b)] = level_routes[(pa, pb)]
        elif (pb, pa) in level_routes:
            routes[(a, b)] = level_routes[(pb, pa)][::-1]
    return positions, routes
