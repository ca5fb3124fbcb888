"""Stored SVG previews: valid SVG without scripts, event handlers or external links."""

import re
from xml.etree.ElementTree import register_namespace, tostring

from .errors import DrawioError
from .pages import check_size, parse_xml

__all__ = ('SVG_NS', 'XLINK_NS', 'sanitize_svg')

SVG_NS = 'http://www.w3.org/2000/svg'
XLINK_NS = 'http://www.w3.org/1999/xlink'
_EVENT_ATTRIBUTE = re.compile(r'^on', re.IGNORECASE)
_FORBIDDEN_ELEMENTS = {'script', 'iframe', 'embed', 'object', 'audio', 'video', 'handler', 'listener'}

register_namespace('', SVG_NS)
register_namespace('xlink', XLINK_NS)


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def sanitize_svg(svg, limit):
    """A preview fit to store: valid SVG, within ``limit`` bytes, without active content.

    Previews are also served with ``Content-Security-Policy: default-src 'none'; sandbox`` and only shown
    through ``<img>``; this is the second line of defence.
    """
    if not isinstance(svg, str) or not svg.strip():
        raise DrawioError('The SVG is empty.', code='svg_empty', field='svg')
    check_size(svg, limit, 'svg')
    root = parse_xml(svg, 'svg')
    if root.tag != f'{{{SVG_NS}}}svg':
        raise DrawioError(f'The preview must be an <svg> document, not <{_local(root.tag)}>.', field='svg')
    for parent in root.iter():
        for child in list(parent):
            if _local(child.tag).lower() in _FORBIDDEN_ELEMENTS:
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            local = _local(name)
            value = element.attrib[name].strip().lower()
            external_link = local == 'href' and not value.startswith(('#', 'data:image/'))
            if _EVENT_ATTRIBUTE.match(local) or external_link or 'javascript:' in value:
                del element.attrib[name]
    return tostring(root, encoding='unicode')
