"""Automatic layout of a generated diagram: nested boxes, tiers, and python-igraph's Sugiyama layering.

igraph does the graph work (assigning layers where no tier is given, ordering each layer to cut edge
crossings). This module only turns that order into rectangles of the items' real sizes: items of one row
are placed left to right in igraph's order, never closer than a gap, so no two shapes overlap. Containers
(site → location → rack) are laid out inside-out: a container's contents first, then the container as one
block of that size among its siblings, so every container encloses its contents.
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


def _rows(count, edges, tiers):
    """igraph's Sugiyama layering: ``(layer, order)`` per item, order being the x position in its layer."""
    graph = igraph.Graph(n=count, edges=edges, directed=True)
    layers = None
    if tiers is not None:
        rank = {tier: index for index, tier in enumerate(sorted(set(tiers)))}
        layers = [rank[tier] for tier in tiers]
    coords = graph.layout_sugiyama(layers=layers, hgap=1, vgap=1, maxiter=50).coords[:count]
    return [(round(y), x) for x, y in coords]


def _place(blocks, edges):
    """Positions (left, top) of sibling blocks, relative to their common origin, and the total size."""
    if not blocks:
        return [], (0, 0)
    tiers = [b.tier for b in blocks]
    known = [t for t in tiers if t is not None]
    if known:
        fallback = max(known) + 1
        tiers = [fallback if t is None else t for t in tiers]
    else:
        tiers = None
    rows = _rows(len(blocks), edges, tiers)

    layers = {}
    for index, (layer, order) in enumerate(rows):
        layers.setdefault(layer, []).append((order, index))
    # A layer of many unconnected shapes would be one endless row: wrap it.
    wrap = max(6, math.ceil(math.sqrt(len(blocks)) * 1.5))
    unit = max(b.width for b in blocks) + HGAP
    positions = [None] * len(blocks)
    top = 0
    width = 0
    for layer in sorted(layers):
        members = [index for _order, index in sorted(layers[layer])]
        for start in range(0, len(members), wrap):
            row = members[start : start + wrap]
            right = -HGAP
            for column, index in enumerate(row):
                block = blocks[index]
                wanted = rows[index][1] * unit if len(members) <= wrap else column * unit
                left = max(right + HGAP, wanted)
                positions[index] = (left, top)
                right = left + block.width
            width = max(width, right)
            top += max(blocks[index].height for index in row) + VGAP
    height = top - VGAP
    shift = min(left for left, _top in positions)
    return [(left - shift, t) for left, t in positions], (width - shift, height)


def _size(block, edges_between):
    """Lay out ``block``'s children (recursively) and size it to enclose them."""
    if not block.children:
        return
    for child in block.children:
        _size(child, edges_between)
    index = {child.key: n for n, child in enumerate(block.children)}
    pairs = sorted({(index[a], index[b]) for a, b in edges_between.get(block.key, ()) if index[a] != index[b]})
    placed, (width, height) = _place(block.children, pairs)
    block.width = width + 2 * PADDING
    block.height = height + HEADER + PADDING
    block.placed = [
        (child, left + PADDING, top + HEADER) for child, (left, top) in zip(block.children, placed, strict=True)
    ]


def _absolute(block, left, top, positions):
    positions[block.key] = (left, top, block.width, block.height)
    for child, x, y in block.placed:
        _absolute(child, left + x, top + y, positions)


def layout(roots, edges):
    """Absolute ``{key: (x, y, width, height)}`` for ``roots`` (Blocks, nested) and everything inside them.

    ``edges`` are ``(key, key)`` pairs between leaf blocks; each pulls the two blocks (or the containers
    holding them, at the level where they part) towards neighbouring positions and into successive layers.
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

    positions = {}
    _size(root, edges_between)
    for child, x, y in root.placed:
        _absolute(child, x - PADDING + MARGIN, y - HEADER + MARGIN, positions)
    return positions
