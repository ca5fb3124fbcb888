"""Diagram rules, once: versioning, restore, templates, diffs and SVG previews.

Request-free: every function takes plain values and the acting user, so REST, the UI, GraphQL and
JSON-RPC share the same behaviour. Errors are ``ServiceError`` subclasses carrying a ``code``. The XML
itself is read by the pure ``netbox_archiflow.drawio`` package; this module binds it to the
``diagram_max_bytes`` setting and to the database.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.http import HttpResponse
from django.utils.text import slugify
from netbox.context import query_cache

from netbox_archiflow import __version__, plugin_settings
from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.drawio import content, diff, pages, templates
from netbox_archiflow.drawio import preview as drawio_preview
from netbox_archiflow.drawio import svg as drawio_svg
from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.models.diagrams import format_digest, text_sha256
from netbox_archiflow.services import diagram_links
from netbox_archiflow.services.errors import Conflict, NotFound, ServiceError
from netbox_archiflow.services.locks import prefetch_tags

__all__ = (
    'Conflict',
    'NotFound',
    'SaveResult',
    'ServiceError',
    'create_diagram',
    'create_with_content',
    'diff_versions',
    'diff_xml',
    'expand_compressed',
    'export_response',
    'instantiate_template',
    'max_bytes',
    'max_request_bytes',
    'parse_diagram_xml',
    'preview_svg',
    'restore_version',
    'sanitize_svg',
    'save_diagram',
    'store_preview',
    'validate_diagram_xml',
    'validate_template_definition',
)

# NetBox's per-request cache holds the last validated document under this key.
VALIDATED_KEY = 'netbox_archiflow.validated_diagram'
# How long the content key of a written document is kept (seconds): about as long as a diagram is edited.
CONTENT_KEY_TIMEOUT = 7 * 24 * 3600


def export_response(diagram):
    """The diagram's XML as a ``.drawio`` file download (the REST ``export`` action and the UI's Download)."""
    response = HttpResponse(diagram.xml, content_type='application/vnd.jgraph.mxfile; charset=utf-8')
    filename = ''.join(c if c.isalnum() or c in '-_.' else '_' for c in diagram.name) or f'diagram-{diagram.pk}'
    response['Content-Disposition'] = f'attachment; filename="{filename}.drawio"'
    response['X-Content-Type-Options'] = 'nosniff'
    return response


def max_bytes():
    return plugin_settings.get('diagram_max_bytes')


def max_request_bytes():
    """The largest request body that may carry a diagram: its XML, JSON escaping and the other fields."""
    return max_bytes() * 2 + 65536


def parse_diagram_xml(xml, what='xml'):
    """Validate Draw.io XML within ``diagram_max_bytes`` and return its pages (see ``drawio.pages``)."""
    return pages.parse_diagram(xml, max_bytes(), what)


def validate_diagram_xml(xml, what='xml'):
    """Everything a save checks before writing: the document and its links (a 400 names the cell).

    In a request, the result for the last document is kept until the request ends: the save that follows
    a form's or serializer's validation of the same text does not parse megabytes of XML again.
    """
    cache = query_cache.get()
    kept = cache.get(VALIDATED_KEY) if cache is not None else None
    if kept is not None and kept[0] == (what, xml):
        return kept[1]
    parsed = parse_diagram_xml(xml, what)
    result = parsed, diagram_links.links_in(parsed)
    if cache is not None:
        cache[VALIDATED_KEY] = ((what, xml), result)
    return result


def expand_compressed(xml):
    return pages.expand_compressed(xml, max_bytes())


def validate_template_definition(xml, variables):
    return templates.validate_template_definition(xml, variables, max_bytes())


def sanitize_svg(text):
    return drawio_svg.sanitize_svg(text, max_bytes())


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


def _lock(diagram, queryset=None):
    try:
        return (queryset if queryset is not None else Diagram.objects).select_for_update().get(pk=diagram.pk)
    except Diagram.DoesNotExist as exc:
        raise NotFound(f'Diagram {diagram.pk} does not exist.', field='id') from exc


def _lock_without_content(diagram):
    """The locked row without its XML and preview: PostgreSQL answers the stored XML's digest and size instead of
    sending megabytes that a save replaces (the change log's digest and the content comparison need no more)."""
    xml = f'"{Diagram._meta.db_table}"."xml"'
    queryset = Diagram.objects.defer_large().annotate(
        stored_xml_sha256=RawSQL(f"encode(sha256(convert_to({xml}, 'UTF8')), 'hex')", ()),
        stored_xml_bytes=RawSQL(f'octet_length({xml})', ()),
    )
    locked = _lock(diagram, queryset)
    locked.stored_digests = {'xml': format_digest(locked.stored_xml_sha256, locked.stored_xml_bytes)}
    return locked


def _user(user):
    return user if user is not None and getattr(user, 'is_authenticated', False) else None


def save_diagram(
    diagram,
    xml,
    user=None,
    *,
    base_version=None,
    kind=DiagramVersionKindChoices.KIND_MANUAL,
    summary='',
    preview='',
    metadata=None,
):
    """Store new XML for a saved diagram, versioned, with its preview.

    - identical content: nothing is written (``result.modified`` is False);
    - ``base_version`` given and not the current version: ``Conflict('version_conflict', current_version=n)``;
    - ``kind='autosave'``: rewrites the newest version in place when it is the same user's autosave,
      otherwise appends a new one, so autosaves never pile up;
    - anything else appends version n+1;
    - the link index is rebuilt from the new XML in the same transaction; a malformed link or one to a
      type that is not linkable refuses the save (400 naming the cell).

    The diagram and the version get ``preview`` (an SVG already sanitized, e.g. the restored version's). Without
    one the picture is drawn on the server when it is first asked for (``preview_svg``): drawing a large diagram
    costs more than writing it, and the editor replaces the drawn picture with Draw.io's own export anyway.
    ``metadata(version_number)``, when given, returns the diagram's metadata to store with the new content.

    This is the only function that writes diagram content. The diagram row is locked (``SELECT … FOR
    UPDATE``) for the whole check-and-write. ``diagram`` is updated in place to the saved state.
    """
    if kind not in DiagramVersionKindChoices.values():
        raise ServiceError(f'Unknown version kind {kind!r}.', field='kind')
    if base_version is not None:
        try:
            base_version = int(base_version)
        except (TypeError, ValueError) as exc:
            raise ServiceError('base_version must be an integer.', field='base_version') from exc
    parsed, links = validate_diagram_xml(xml)  # before any write: a refused document changes nothing
    summary = (summary or '')[:200]
    user = _user(user)
    with transaction.atomic():
        locked = _lock_without_content(diagram)
        same = locked.stored_xml_sha256 == text_sha256(xml)
        if not same:
            new_key = _content_key_of(xml, parsed)  # also kept for the next save's comparison
            same = bool(locked.stored_xml_bytes) and _stored_content_key(locked) == new_key
        if same:
            if locked.stored_xml_sha256 == text_sha256(xml):
                locked.xml = xml
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
            latest.preview_svg = preview
            latest.change_summary = summary or latest.change_summary
            latest.save()
            version, created = latest, False
        else:
            version = DiagramVersion(
                diagram=locked,
                version_number=locked.version + 1,
                xml=xml,
                preview_svg=preview,
                change_summary=summary,
                kind=kind,
                author=user,
            )
            # The diagram is locked and the author is the acting user: no existence checks. The number is the
            # locked row's next one; the unique constraint still backs it.
            version.full_clean(exclude=['diagram', 'author'], validate_unique=False, validate_constraints=False)
            version.save()
            created = True

        _reuse_tags(locked, diagram)
        locked.snapshot()
        locked.xml = xml
        locked.version = version.version_number
        locked.preview_svg = preview
        locked.updated_by = user
        if metadata is not None:
            locked.metadata = metadata(version.version_number)
        locked._writing_content = True
        # The message a view or serializer attached to its copy (NetBox's ``_changelog_message``) goes with the
        # content change it asked for.
        locked._changelog_message = getattr(diagram, '_changelog_message', None)
        locked.save()
        diagram_links.write_index(locked.pk, links)
        _refresh(diagram, locked)
    return SaveResult(diagram, version, created)


def _content_key_name(xml_sha256):
    # The plugin version is part of the name: a release that changes what counts as content reuses no older key.
    return f'netbox_archiflow.content_key.{__version__}.{xml_sha256}'


def _content_key_of(xml, parsed):
    """A digest of the document's content key (``drawio.content``), kept in NetBox's cache by the digest of the
    text, so the next save compares with it without reading or parsing the stored document."""
    key = hashlib.sha256(content.content_key(parsed).encode()).hexdigest()
    cache.set(_content_key_name(text_sha256(xml)), key, CONTENT_KEY_TIMEOUT)
    return key


def _stored_content_key(locked):
    """The content key of the locked row's XML: from NetBox's cache, else read and parsed (e.g. content written
    before this cache existed, or evicted)."""
    key = cache.get(_content_key_name(locked.stored_xml_sha256))
    return key if key is not None else _content_key_of(locked.xml, parse_diagram_xml(locked.xml))


def _reuse_tags(locked, diagram):
    """Give the locked row the tags its change log snapshots need: those the caller's copy already holds
    (NetBox's views read them with the object, and setting tags drops them), else read once for both
    snapshots."""
    cached = getattr(diagram, '_prefetched_objects_cache', {}).get('tags')
    if cached is not None and cached._result_cache is not None:
        locked._prefetched_objects_cache = {**getattr(locked, '_prefetched_objects_cache', {}), 'tags': cached}
    else:
        prefetch_tags([locked])


def _refresh(target, source):
    if target is source:
        return
    deferred = source.get_deferred_fields()
    for name in ('xml', 'version', 'preview_svg', 'metadata', 'updated_by_id', 'last_updated'):
        if name in deferred:
            target.__dict__.pop(name, None)  # read again if asked for
        else:
            setattr(target, name, getattr(source, name))


def create_diagram(name, xml='', user=None, *, summary='', **fields):
    """Create a diagram; with content it starts at version 1, without at version 0."""
    user = _user(user)

    def insert(content):
        diagram = Diagram(name=name, created_by=user, updated_by=user, **fields, **content)
        diagram.full_clean()
        diagram.save()
        return diagram

    if xml:
        return create_with_content(xml, user, summary=summary or 'Created', insert=insert).diagram
    return insert({})


def create_with_content(xml, user=None, *, summary='Created', insert):
    """A new diagram that starts with content, at version 1.

    ``insert(content_fields)`` writes the row once, with its XML (the REST serializer passes its own create, which
    adds tags and custom fields); version 1 and the link index follow in the same transaction. An insert and then
    a save of the content would write megabytes of XML twice and log two changes of the diagram.
    """
    parsed, links = validate_diagram_xml(xml)  # before any write: a refused document creates nothing
    user = _user(user)
    with transaction.atomic():
        diagram = insert({'xml': xml, 'version': 1, 'preview_svg': ''})
        version = DiagramVersion(
            diagram=diagram,
            version_number=1,
            xml=xml,
            change_summary=(summary or '')[:200],
            kind=DiagramVersionKindChoices.KIND_MANUAL,
            author=user,
        )
        version.full_clean(exclude=['diagram', 'author'], validate_unique=False, validate_constraints=False)
        version.save()
        diagram_links.write_index(diagram.pk, links)
        _content_key_of(xml, parsed)  # for the first save's comparison
    return SaveResult(diagram, version, created=True)


def restore_version(diagram, version_number, user=None, *, base_version=None):
    """Restore version n: a new version (kind ``restore``) with n's content and picture.

    Nothing when n is the current content.
    """
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
        preview=source.preview_svg,
    )


#
# Differences between versions
#


def diff_xml(old_xml, new_xml):
    """Cells added / removed / changed between two documents (see ``drawio.diff``)."""
    old = parse_diagram_xml(old_xml) if old_xml else None
    new = parse_diagram_xml(new_xml) if new_xml else None
    return diff.diff_diagrams(old, new)


def diff_versions(diagram, from_number, to_number):
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


def render_template(template, values):
    """The template's XML with every placeholder replaced by its escaped value (see ``drawio.templates``)."""
    return templates.render_template(template.xml, template.variables or [], values, max_bytes(), template.name)


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


def preview_svg(obj):
    """The SVG preview of a diagram or of a version, drawn from its XML and kept when it has none yet.

    Saves leave the picture to be drawn here, on its first request, so a write never pays for a picture that
    Draw.io's export replaces or that nobody looks at. The picture is kept only for the content it was drawn
    from: a save in between (another version number) keeps its own.
    """
    if obj.preview_svg:
        return obj.preview_svg
    try:
        svg = drawio_preview.render_preview(parse_diagram_xml(obj.xml)) if obj.xml else ''
    except ServiceError:  # content stored before today's rules: no picture rather than an error page
        svg = ''
    if svg:
        if isinstance(obj, DiagramVersion):
            diagram_id, number = obj.diagram_id, obj.version_number
        else:
            diagram_id, number = obj.pk, obj.version
        DiagramVersion.objects.filter(diagram_id=diagram_id, version_number=number, preview_svg='').update(
            preview_svg=svg
        )
        Diagram.objects.filter(pk=diagram_id, version=number, preview_svg='').update(preview_svg=svg)
    obj.preview_svg = svg
    return svg


def store_preview(diagram, svg, user=None, *, version=None):
    """Replace the current version's preview with a sanitized SVG, e.g. Draw.io's own export from the editor.

    Derived data: not change-logged. The version keeps it too, so restoring that version brings it back.
    """
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
        DiagramVersion.objects.filter(diagram=locked, version_number=locked.version).update(preview_svg=clean)
    diagram.preview_svg = clean
    return clean


def default_status():
    return DiagramStatusChoices.STATUS_DRAFT
