"""Diagram rules, once: XML validation, versioning, restore, templates, diffs and SVG previews.

Request-free: every function takes plain values and the acting user, so REST, the UI, GraphQL and
JSON-RPC share the same behaviour. Errors are ``ServiceError`` subclasses carrying a ``code``.

XML is parsed with ``defusedxml`` and DTDs are refused outright, which stops external entities (XXE)
and entity expansion (billion laughs) before they start. Compressed ``<diagram>`` pages (Draw.io's
base64 → raw deflate → URL-encoded form) are inflated with the same size limit, so a deflate bomb is
refused too.
"""

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field
from html import escape as html_escape
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError, tostring
from xml.sax.saxutils import escape as xml_escape

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.db import transaction
from django.utils.text import slugify

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.services.errors import Conflict, NotFound, ServiceError

__all__ = (
    'Conflict',
    'NotFound',
    'SaveResult',
    'ServiceError',
    'create_diagram',
    'diff_versions',
    'diff_xml',
    'expand_compressed',
    'instantiate_template',
    'max_bytes',
    'max_request_bytes',
    'parse_diagram_xml',
    'restore_version',
    'sanitize_svg',
    'save_diagram',
    'store_preview',
    'validate_template_definition',
)

SVG_NS = 'http://www.w3.org/2000/svg'
XLINK_NS = 'http://www.w3.org/1999/xlink'
VARIABLE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]{0,63}$')
# {{ name }} and ${name}; names as VARIABLE_NAME.
PLACEHOLDER = re.compile(r'\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}')
TAG = re.compile(r'<[^>]*>')


def max_bytes():
    return plugin_settings.get('diagram_max_bytes')


def max_request_bytes():
    """The largest request body that may carry a diagram: its XML, JSON escaping and the other fields."""
    return max_bytes() * 2 + 65536


def _size_check(text, what='xml'):
    limit = max_bytes()
    try:
        size = len(text.encode('utf-8')) if isinstance(text, str) else len(text)
    except UnicodeEncodeError as exc:
        raise ServiceError(
            f'The {what} contains characters that are not valid Unicode: {exc.reason} at {exc.start}.',
            code='xml_malformed',
            field=what,
        ) from exc
    if size > limit:
        raise ServiceError(
            f'The {what} is {size} bytes; the limit is {limit} bytes (setting diagram_max_bytes).',
            code='diagram_too_large',
            field=what,
            status=413,
            size=size,
            limit=limit,
        )


def _parse(text, what='xml'):
    """Parse untrusted XML safely; a clear 400 naming the problem otherwise."""
    try:
        return SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ServiceError(
            f'The {what} was refused: DTDs, entities and external references are not allowed '
            f'({exc.__class__.__name__}).',
            code='xml_forbidden',
            field=what,
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, 'position', (None, None))
        raise ServiceError(
            f'The {what} is not well-formed XML: {exc}', code='xml_malformed', field=what, line=line, column=column
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ServiceError(f'The {what} could not be read: {exc}', code='xml_malformed', field=what) from exc


def _inflate(text):
    """Decode a compressed Draw.io page: base64 → raw deflate → URL-decoding, within the size limit."""
    limit = max_bytes()
    try:
        data = base64.b64decode(text.strip(), validate=False)
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(data, limit + 1)
        if len(raw) > limit or inflater.unconsumed_tail:
            raise ServiceError(
                f'A compressed page inflates beyond the limit of {limit} bytes (setting diagram_max_bytes).',
                code='diagram_too_large',
                field='xml',
                status=413,
                limit=limit,
            )
        decoded = unquote(raw.decode('utf-8'))
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ServiceError(
            f'A compressed <diagram> page could not be decoded (base64 → deflate → URL-encoding): {exc}',
            code='xml_malformed',
            field='xml',
        ) from exc
    _size_check(decoded)
    return decoded


@dataclass
class ParsedDiagram:
    """The pages of a diagram as ``(page id, page name, <mxGraphModel> element)``."""

    root_tag: str
    pages: list = field(default_factory=list)

    def cells(self):
        """Drawn cells (vertices and edges) as {(page, id): (label, signature)}."""
        result = {}
        for page_id, _name, model in self.pages:
            for wrapper, cell in _iter_cells(model):
                if cell.get('vertex') != '1' and cell.get('edge') != '1':
                    continue
                cell_id = wrapper.get('id') or cell.get('id')
                label = wrapper.get('label') if wrapper is not cell else cell.get('value')
                label = TAG.sub(' ', label or '').strip()
                label = re.sub(r'\s+', ' ', label)
                signature = _canonical(wrapper)
                result[(page_id, cell_id)] = (label, signature)
        return result


def _canonical(element):
    """Attribute order and whitespace do not count as a change."""
    children = ''.join(_canonical(child) for child in element)
    attrs = ' '.join(f'{k}={v!r}' for k, v in sorted(element.attrib.items()))
    return f'<{element.tag} {attrs}>{(element.text or "").strip()}{children}</{element.tag}>'


# Attributes Draw.io rewrites on every save or scroll: they are not content.
VOLATILE = {'mxfile': {'modified', 'agent', 'etag', 'version', 'host', 'type', 'pages'}, 'mxGraphModel': {'dx', 'dy'}}


def content_key(parsed):
    """A canonical form of the drawing itself, for 'identical content' checks."""
    parts = []
    for page_id, name, model in parsed.pages:
        attrs = {k: v for k, v in model.attrib.items() if k not in VOLATILE['mxGraphModel']}
        parts.append(f'{page_id}|{name}|{sorted(attrs.items())}|' + ''.join(_canonical(c) for c in model))
    return '\n'.join(parts)


def _iter_cells(model):
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


def parse_diagram_xml(xml, what='xml'):
    """Validate Draw.io XML (``<mxfile>`` or a bare ``<mxGraphModel>``) and return its pages.

    Raises ServiceError: 413 beyond ``diagram_max_bytes``, 400 when malformed, forbidden (DTD,
    entities) or not a Draw.io document.
    """
    if not isinstance(xml, str):
        raise ServiceError(f'The {what} must be a string.', code='invalid', field=what)
    if not xml.strip():
        raise ServiceError(f'The {what} is empty.', code='xml_empty', field=what)
    _size_check(xml, what)
    root = _parse(xml, what)
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
                    model = _parse(_inflate(text), what)
                    if model.tag != 'mxGraphModel':
                        raise ServiceError(
                            f'Compressed page {page_id!r} holds <{model.tag}>, expected <mxGraphModel>.',
                            code='xml_not_drawio',
                            field=what,
                        )
            parsed.pages.append((page_id, page.get('name', ''), model))
    else:
        raise ServiceError(
            f'The {what} is not a Draw.io diagram: the root element is <{root.tag}>, expected <mxfile> or '
            '<mxGraphModel>.',
            code='xml_not_drawio',
            field=what,
        )
    return parsed


def expand_compressed(xml):
    """Return the XML with every compressed ``<diagram>`` page inflated to a plain ``<mxGraphModel>``."""
    parsed = parse_diagram_xml(xml)
    if parsed.root_tag != 'mxfile':
        return xml
    root = _parse(xml)
    changed = False
    for page, (_id, _name, model) in zip(root.findall('diagram'), parsed.pages, strict=True):
        if page.find('mxGraphModel') is None and (page.text or '').strip():
            page.text = None
            page.append(model)
            changed = True
    return tostring(root, encoding='unicode') if changed else xml


#
# Versioning
#


@dataclass
class SaveResult:
    diagram: object
    version: object = None  # the DiagramVersion written, None when nothing changed
    created: bool = False  # a new version number was allocated (False for an in-place autosave)

    @property
    def modified(self):
        return self.version is not None


def _lock(diagram):
    from netbox_archiflow.models import Diagram

    try:
        return Diagram.objects.select_for_update().get(pk=diagram.pk)
    except Diagram.DoesNotExist as exc:
        raise NotFound(f'Diagram {diagram.pk} does not exist.', field='id') from exc


def _user(user):
    return user if user is not None and getattr(user, 'is_authenticated', False) else None


def save_diagram(diagram, xml, user=None, *, base_version=None, kind=DiagramVersionKindChoices.KIND_MANUAL, summary=''):
    """Store new XML for a saved diagram, versioned.

    - identical content: nothing is written (``result.modified`` is False);
    - ``base_version`` given and not the current version: ``Conflict('version_conflict', current_version=n)``;
    - ``kind='autosave'``: rewrites the newest version in place when it is the same user's autosave,
      otherwise appends a new one, so autosaves never pile up;
    - anything else appends version n+1 and clears the (now stale) preview.

    The diagram row is locked (``SELECT … FOR UPDATE``) for the whole check-and-write. ``diagram`` is
    updated in place to the saved state.
    """
    if kind not in DiagramVersionKindChoices.values():
        raise ServiceError(f'Unknown version kind {kind!r}.', field='kind')
    if base_version is not None:
        try:
            base_version = int(base_version)
        except (TypeError, ValueError) as exc:
            raise ServiceError('base_version must be an integer.', field='base_version') from exc
    parsed = parse_diagram_xml(xml)  # before any write: a refused document changes nothing
    summary = (summary or '')[:200]
    user = _user(user)

    from netbox_archiflow.models import DiagramVersion

    with transaction.atomic():
        locked = _lock(diagram)
        if locked.xml == xml or (locked.xml and content_key(parse_diagram_xml(locked.xml)) == content_key(parsed)):
            _refresh(diagram, locked)
            return SaveResult(diagram)
        if base_version is not None and base_version != locked.version:
            raise Conflict(
                f'The diagram was saved by someone else: you edited version {base_version}, '
                f'the current version is {locked.version}.',
                code='version_conflict',
                field='base_version',
                current_version=locked.version,
            )
        latest = None
        if kind == DiagramVersionKindChoices.KIND_AUTOSAVE and locked.version:
            latest = DiagramVersion.objects.filter(diagram=locked, version_number=locked.version).first()
            if latest is not None and (latest.kind != kind or latest.author_id != getattr(user, 'pk', None)):
                latest = None
        if latest is not None:
            latest.snapshot()
            latest.xml = xml
            latest.change_summary = summary or latest.change_summary
            latest.save()
            version, created = latest, False
        else:
            version = DiagramVersion(
                diagram=locked,
                version_number=locked.version + 1,
                xml=xml,
                change_summary=summary,
                kind=kind,
                author=user,
            )
            version.full_clean()
            version.save()
            created = True

        locked.snapshot()
        locked.xml = xml
        locked.version = version.version_number
        locked.preview_svg = ''
        locked.updated_by = user
        locked._writing_content = True
        locked.save()
        _refresh(diagram, locked)
    return SaveResult(diagram, version, created)


def _refresh(target, source):
    if target is source:
        return
    for name in ('xml', 'version', 'preview_svg', 'updated_by_id', 'last_updated'):
        setattr(target, name, getattr(source, name))


def create_diagram(name, xml='', user=None, *, summary='', **fields):
    """Create a diagram; with content it starts at version 1, without at version 0."""
    from netbox_archiflow.models import Diagram

    if xml:
        parse_diagram_xml(xml)
    user = _user(user)
    with transaction.atomic():
        diagram = Diagram(name=name, created_by=user, updated_by=user, **fields)
        diagram.full_clean()
        diagram.save()
        if xml:
            save_diagram(diagram, xml, user, summary=summary or 'Created')
    return diagram


def restore_version(diagram, version_number, user=None, *, base_version=None):
    """Restore version n: a new version (kind ``restore``) with n's content. Nothing when n is current content."""
    from netbox_archiflow.models import DiagramVersion

    try:
        version_number = int(version_number)
    except (TypeError, ValueError) as exc:
        raise ServiceError('version must be an integer.', field='version') from exc
    source = DiagramVersion.objects.filter(diagram_id=diagram.pk, version_number=version_number).first()
    if source is None:
        raise NotFound(f'Diagram {diagram.pk} has no version {version_number}.', field='version')
    return save_diagram(
        diagram,
        source.xml,
        user,
        base_version=base_version,
        kind=DiagramVersionKindChoices.KIND_RESTORE,
        summary=f'Restored version {version_number}',
    )


#
# Differences between versions
#


def diff_xml(old_xml, new_xml):
    """Cells added / removed / changed between two documents, by label (the cell id when unlabelled)."""
    old = parse_diagram_xml(old_xml).cells() if old_xml else {}
    new = parse_diagram_xml(new_xml).cells() if new_xml else {}

    def name(key, cells):
        return cells[key][0] or f'#{key[1]}'

    return {
        'added': sorted(name(k, new) for k in new.keys() - old.keys()),
        'removed': sorted(name(k, old) for k in old.keys() - new.keys()),
        'changed': sorted(name(k, new) for k in new.keys() & old.keys() if new[k][1] != old[k][1]),
    }


def diff_versions(diagram, from_number, to_number):
    from netbox_archiflow.models import DiagramVersion

    versions = {
        v.version_number: v
        for v in DiagramVersion.objects.filter(diagram_id=diagram.pk, version_number__in=(from_number, to_number))
    }
    for number in (from_number, to_number):
        if number not in versions:
            raise NotFound(f'Diagram {diagram.pk} has no version {number}.', field='version')
    return diff_xml(versions[from_number].xml, versions[to_number].xml)


#
# Templates
#


def _placeholders(text):
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def validate_template_definition(xml, variables):
    """Check a template: valid Draw.io XML, well-formed variable declarations, every placeholder declared."""
    if not isinstance(variables, list):
        raise ServiceError('variables must be a list of {"name", "default", "description"} objects.', field='variables')
    names = []
    for index, item in enumerate(variables):
        if not isinstance(item, dict) or not isinstance(item.get('name'), str):
            raise ServiceError(f'variables[{index}] must be an object with a "name" string.', field='variables')
        unknown_keys = set(item) - {'name', 'default', 'description'}
        if unknown_keys:
            raise ServiceError(
                f'variables[{index}] has unknown keys: {", ".join(sorted(unknown_keys))}.', field='variables'
            )
        if not VARIABLE_NAME.match(item['name']):
            raise ServiceError(
                f'variables[{index}]: {item["name"]!r} is not a valid name (letters, digits, _ . -).',
                field='variables',
            )
        if item.get('default') is not None and not isinstance(item['default'], str | int | float):
            raise ServiceError(f'variables[{index}]: the default must be text or a number.', field='variables')
        names.append(item['name'])
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ServiceError(f'Variables declared twice: {", ".join(duplicates)}.', field='variables')
    expanded = expand_compressed(xml)
    undeclared = sorted(_placeholders(expanded) - set(names))
    if undeclared:
        raise ServiceError(
            f'The template uses undeclared variables: {", ".join(undeclared)}.', field='variables', names=undeclared
        )
    return expanded


def render_template(template, values):
    """The template's XML with every placeholder replaced by its XML- and HTML-escaped value."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ServiceError('variables must be an object of name → value.', field='variables')
    declared = {item['name']: item for item in template.variables or []}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ServiceError(
            f'Unknown variables for template {template.name!r}: {", ".join(unknown)}.',
            code='unknown_variables',
            field='variables',
            names=unknown,
        )
    resolved = {}
    missing = []
    for name, item in declared.items():
        value = values.get(name, item.get('default'))
        if value is None or value == '':
            missing.append(name)
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ServiceError(f'Variable {name!r} must be text or a number.', field='variables', names=[name])
        resolved[name] = str(value)
    if missing:
        raise ServiceError(
            f'Missing values for variables: {", ".join(missing)}.',
            code='missing_variables',
            field='variables',
            names=missing,
        )
    xml = validate_template_definition(template.xml, template.variables or [])

    def replace(match):
        # Plain text only: HTML-escaped (Draw.io renders html=1 labels as HTML), then XML-escaped.
        value = html_escape(resolved[match.group(1) or match.group(2)], quote=True)
        return xml_escape(value, {'"': '&quot;', "'": '&apos;'})

    rendered = PLACEHOLDER.sub(replace, xml)
    parse_diagram_xml(rendered)
    return rendered


def instantiate_template(template, name, variables=None, user=None, **fields):
    """Create a diagram (version 1) from a template with the given variable values."""
    if not template.is_active:
        raise ServiceError(f'Template {template.name!r} is not active.', code='template_inactive', field='template')
    if not isinstance(name, str) or not name.strip():
        raise ServiceError('A diagram name is required.', field='name')
    xml = render_template(template, variables)
    metadata = dict(fields.pop('metadata', None) or {})
    metadata.setdefault('template', template.slug)
    return create_diagram(
        name.strip(), xml, user, summary=f'From template {template.name}', metadata=metadata, **fields
    )


def template_slug(name):
    return slugify(name)[:100]


#
# SVG previews
#

_EVENT_ATTRIBUTE = re.compile(r'^on', re.IGNORECASE)
_FORBIDDEN_ELEMENTS = {'script', 'iframe', 'embed', 'object', 'audio', 'video', 'handler', 'listener'}


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def sanitize_svg(svg):
    """A stored preview: valid SVG, within the size limit, without scripts, event handlers or external links.

    Previews are also served with ``Content-Security-Policy: default-src 'none'; sandbox`` and only shown
    through ``<img>``; this is the second line of defence.
    """
    if not isinstance(svg, str) or not svg.strip():
        raise ServiceError('The SVG is empty.', code='svg_empty', field='svg')
    _size_check(svg, 'svg')
    root = _parse(svg, 'svg')
    if root.tag != f'{{{SVG_NS}}}svg':
        raise ServiceError(f'The preview must be an <svg> document, not <{_local(root.tag)}>.', field='svg')
    removed = 0
    for parent in root.iter():
        for child in list(parent):
            if _local(child.tag).lower() in _FORBIDDEN_ELEMENTS:
                parent.remove(child)
                removed += 1
    for element in root.iter():
        for name in list(element.attrib):
            local = _local(name)
            value = element.attrib[name].strip().lower()
            external_link = local == 'href' and not value.startswith(('#', 'data:image/'))
            if _EVENT_ATTRIBUTE.match(local) or external_link or 'javascript:' in value:
                del element.attrib[name]
    from xml.etree.ElementTree import register_namespace

    register_namespace('', SVG_NS)
    register_namespace('xlink', XLINK_NS)
    return tostring(root, encoding='unicode')


def store_preview(diagram, svg, user=None, *, version=None):
    """Store a sanitized SVG preview for the diagram's current version (derived data: not change-logged)."""
    from netbox_archiflow.models import Diagram

    clean = sanitize_svg(svg)
    with transaction.atomic():
        locked = _lock(diagram)
        if version is not None and int(version) != locked.version:
            raise Conflict(
                f'The preview is for version {version}, the diagram is at version {locked.version}.',
                code='version_conflict',
                field='version',
                current_version=locked.version,
            )
        Diagram.objects.filter(pk=locked.pk).update(preview_svg=clean)
    diagram.preview_svg = clean
    return clean


def default_status():
    return DiagramStatusChoices.STATUS_DRAFT
