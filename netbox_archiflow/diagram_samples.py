"""Small Draw.io documents used by the demo data, the tests and the benchmark."""

import base64
import zlib
from urllib.parse import quote
from xml.sax.saxutils import quoteattr


def cell(cell_id, label, x=40, y=40, width=120, height=60, style='rounded=1;whiteSpace=wrap;html=1;'):
    return (
        f'<mxCell id="{cell_id}" value={quoteattr(label)} style="{style}" vertex="1" parent="1">'
        f'<mxGeometry x="{x}" y="{y}" width="{width}" height="{height}" as="geometry"/></mxCell>'
    )


def edge(cell_id, source, target, label=''):
    return (
        f'<mxCell id="{cell_id}" value={quoteattr(label)} style="endArrow=none;html=1;" edge="1" parent="1" '
        f'source="{source}" target="{target}"><mxGeometry relative="1" as="geometry"/></mxCell>'
    )


def graph_model(*cells):
    return (
        '<mxGraphModel dx="800" dy="600" grid="1" gridSize="10" page="1" pageWidth="850" pageHeight="1100">'
        '<root><mxCell id="0"/><mxCell id="1" parent="0"/>' + ''.join(cells) + '</root></mxGraphModel>'
    )


def mxfile(*cells, page='Page-1'):
    return f'<mxfile host="netbox-archiflow"><diagram id="p1" name="{page}">{graph_model(*cells)}</diagram></mxfile>'


def compressed_mxfile(*cells, page='Page-1'):
    """The same document with its page compressed as Draw.io does (URL-encode → raw deflate → base64)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(quote(graph_model(*cells), safe="~()*!.'").encode()) + compressor.flush()
    return (
        f'<mxfile host="netbox-archiflow"><diagram id="p1" name="{page}">{base64.b64encode(data).decode()}'
        '</diagram></mxfile>'
    )


def network(site='AMS1'):
    return mxfile(
        cell('core', f'{site.lower()}-core-01', 300, 40),
        cell('leaf', f'{site.lower()}-leaf-01', 300, 200),
        cell('srv1', f'{site.lower()}-srv-01', 200, 360),
        cell('srv2', f'{site.lower()}-srv-02', 400, 360),
        edge('e1', 'leaf', 'core'),
        edge('e2', 'srv1', 'leaf'),
        edge('e3', 'srv2', 'leaf'),
    )


def big_diagram(cells=5000, label_size=830, seed=1, links=()):
    """About ``cells`` × 1 KB of XML (5,000 cells ≈ 5 MB), with labels that compress about as badly as real ones.

    ``links`` (``(netbox_type, netbox_id)`` pairs) link the first cells; the labels stay the same.
    """
    import random

    rng = random.Random(seed)
    words = ['core', 'leaf', 'spine', 'edge', 'rack', 'port', 'vlan', 'uplink', 'server', 'firewall', 'router', 'lag']

    def label(n):
        text = f'node-{n}'
        while len(text) < label_size:
            text += f' {rng.choice(words)}-{rng.randrange(100000)}'
        return text[:label_size]

    def make(n):
        x, y = (n % 50) * 130, (n // 50) * 80
        if n < len(links):
            return linked_cell(f'c{n}', label(n), *links[n], x=x, y=y)
        return cell(f'c{n}', label(n), x, y)

    return mxfile(*(make(n) for n in range(cells)))


TEMPLATE_XML = mxfile(
    cell('core', '{{site}}-core-01', 300, 40),
    cell('leaf', '{{site}}-leaf-01', 300, 200),
    cell('rack', 'Rack ${rack}', 540, 200),
    edge('e1', 'leaf', 'core', '{{uplink}}'),
)
TEMPLATE_VARIABLES = [
    {'name': 'site', 'default': None, 'description': 'Site code, e.g. ams1'},
    {'name': 'rack', 'default': 'R01', 'description': 'Rack name'},
    {'name': 'uplink', 'default': '100G', 'description': 'Uplink speed label'},
]


def linked_cell(cell_id, label, netbox_type, netbox_id, display='', tag='object', x=40, y=40, **attributes):
    """A vertex wrapped in ``<object>``/``<UserObject>`` carrying a link to a NetBox object."""
    extra = ''.join(f' {name}={quoteattr(str(value))}' for name, value in attributes.items())
    return (
        f'<{tag} id="{cell_id}" label={quoteattr(label)} netbox_type={quoteattr(netbox_type)} '
        f'netbox_id={quoteattr(str(netbox_id))} netbox_display={quoteattr(display)}{extra}>'
        f'<mxCell style="rounded=1;whiteSpace=wrap;html=1;" vertex="1" parent="1">'
        f'<mxGeometry x="{x}" y="{y}" width="120" height="60" as="geometry"/></mxCell></{tag}>'
    )
