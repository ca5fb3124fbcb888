"""Reading Draw.io documents: safe parsing, size limits and compressed pages.

XML is parsed with ``defusedxml`` and DTDs are refused outright, which stops external entities (XXE)
and entity expansion (billion laughs) before they start. Compressed ``<diagram>`` pages (Draw.io's
base64 → raw deflate → URL-encoded form) are inflated within the same size limit, so a deflate bomb is
refused too. Every function takes the limit in bytes: the caller owns the setting.
"""

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, unquote
from xml.etree.ElementTree import Element, ParseError, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .errors import DrawioError

TAG = re.compile(r'<[^>]*>')

__all__ = (
    'ParsedDiagram',
    'cell_label',
    'check_size',
    'compress_page',
    'expand_compressed',
    'inflate_page',
    'iter_cells',
    'parse_diagram',
    'parse_xml',
)


def check_size(text, limit, what='xml'):
    """Refuse text over ``limit`` bytes (413) or text that is not valid Unicode (400)."""
    try:
        size = len(text.encode('utf-8')) if isinstance(text, str) else len(text)
    except UnicodeEncodeError as exc:
        raise DrawioError(
            f'The {what} contains characters that are not valid Unicode: {exc.reason} at {exc.start}.',
            code='xml_malformed',
            field=what,
        ) from exc
    if size > limit:
        raise DrawioError(
            f'The {what} is {size} bytes; the limit is {limit} bytes (setting diagram_max_bytes).',
            code='diagram_too_large',
            field=what,
            status=413,
            size=size,
            limit=limit,
        )


def parse_xml(text, what='xml'):
    """Parse untrusted XML safely; a clear 400 naming the problem otherwise."""
    try:
        return SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DrawioError(
            f'The {what} was refused: DTDs, entities and external references are not allowed '
            f'({exc.__class__.__name__}).',
            code='xml_forbidden',
            field=what,
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, 'position', (None, None))
        raise DrawioError(
            f'The {what} is not well-formed XML: {exc}', code='xml_malformed', field=what, line=line, column=column
        ) from exc
    except (ValueError, TypeError) as exc:
        raise DrawioError(f'The {what} could not be read: {exc}', code='xml_malformed', field=what) from exc


def inflate_page(text, limit):
    """Decode a compressed Draw.io page: base64 → raw deflate → URL-decoding, within the size limit."""
    try:
        data = base64.b64decode(text.strip(), validate=False)
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(data, limit + 1)
        if len(raw) > limit or inflater.unconsumed_tail:
            raise DrawioError(
                f'A compressed page inflates beyond the limit of {limit} bytes (setting diagram_max_bytes).',
                code='diagram_too_large',
                field='xml',
                status=413,
                limit=limit,
            )
        decoded = unquote(raw.decode('utf-8'))
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise DrawioError(
            f'A compressed <diagram> page could not be decoded (base64 → deflate → URL-encoding): {exc}',
            code='xml_malformed',
            field='xml',
        ) from exc
    check_size(decoded, limit)
    return decoded


def compress_page(xml):
    """Draw.io's compressed page form of an ``<mxGraphModel>`` text (URL-encode → raw deflate → base64)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(quote(xml, safe="~()*!.'").encode()) + compressor.flush()
    return base64.b64encode(data).decode()


def iter_cells(model):
    """``(wrapper, mxCell)`` for every cell of a page; the wrapper is the ``<object>``/``<UserObject>`` or the cell."""
    root = model.find('root')
    if root is None:
        return
    for child in root:
        if child.tag == 'mxCell':
            yield child, child
        elif child.tag in ('object', 'UserObject'):
            inner = child.find('mxCell')
            if inner is not None:
                yield child, inner


def cell_label(wrapper, cell):
    """A cell's label without HTML tags, whitespace collapsed."""
    label = wrapper.get('label') if wrapper is not cell else cell.get('value')
    return ' '.join(TAG.sub(' ', label or '').split())


@dataclass
class ParsedDiagram:
    """The pages of a diagram as ``(page id, page name, <mxGraphModel> element)``."""

    root_tag: str
    pages: list = field(default_factory=list)


def parse_diagram(xml, limit, what='xml'):
    """Validate Draw.io XML (``<mxfile>`` or a bare ``<mxGraphModel>``) and return its pages.

    Raises DrawioError: 413 beyond ``limit`` bytes, 400 when malformed, forbidden (DTD, entities) or
    not a Draw.io document.
    """
    if not isinstance(xml, str):
        raise DrawioError(f'The {what} must be a string.', code='invalid', field=what)
    if not xml.strip():
        raise DrawioError(f'The {what} is empty.', code='xml_empty', field=what)
    check_size(xml, limit, what)
    root = parse_xml(xml, what)
    parsed = ParsedDiagram(root_tag=root.tag)
    if root.tag == 'mxGraphModel':
        parsed.pages.append(('', '', root))
    elif root.tag == 'mxfile':
        for index, page in enumerate(root.findall('diagram')):
            page_id = page.get('id') or str(index)
            model = page.find('mxGraphModel')
            if model is None:
                text = (page.text or '').strip()
                if not text:
                    model = Element('mxGraphModel')
                else:
                    model = parse_xml(inflate_page(text, limit), what)
                    if model.tag != 'mxGraphModel':
                        raise DrawioError(
                            f'Compressed page {page_id!r} holds <{model.tag}>, expected <mxGraphModel>.',
                            code='xml_not_drawio',
                            field=what,
                        )
            parsed.pages.append((page_id, page.get('name', ''), model))
    else:
        raise DrawioError(
            f'The {what} is not a Draw.io diagram: the root element is <{root.tag}>, expected <mxfile> or '
            '<mxGraphModel>.',
            code='xml_not_drawio',
            field=what,
        )
    return parsed


def expand_compressed(xml, limit):
    """Return the XML with every compressed ``<diagram>`` page inflated to a plain ``<mxGraphModel>``."""
    parsed = parse_diagram(xml, limit)
    if parsed.root_tag != 'mxfile':
        return xml
    root = parse_xml(xml)
    changed = False
    for page, (_id, _name, model) in zip(root.findall('diagram'), parsed.pages, strict=True):
        if page.find('mxGraphModel') is None and (page.text or '').strip():
            page.text = None
            page.append(model)
            changed = True
    return tostring(root, encoding='unicode') if changed else xml
