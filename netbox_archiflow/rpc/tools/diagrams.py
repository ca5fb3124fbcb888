"""Diagram tools: save-diagram, load-diagram, list-diagrams, list-templates, apply-template,
get-diagram-versions, restore-diagram-version (the predecessor's names; the REST API's services), and
generate-diagram, refresh-diagram (diagrams drawn from NetBox)."""

from dcim.models import Site
from django.db import transaction

from netbox_archiflow.models import Diagram, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagrams as diagram_service
from netbox_archiflow.services import generate as generator
from netbox_archiflow.services.errors import NotFound, PermissionDenied, ServiceError
from netbox_archiflow.services.lookups import load, require_permission

from ..registry import (
    BOOLEAN,
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    STRING,
    TIMESTAMP,
    array_of,
    object_schema,
    tool,
)

# Service field names -> the camelCase argument that carried them.
ARGUMENT_NAMES = {'id': 'id', 'base_version': 'baseVersion', 'version': 'version', 'template': 'templateId'}

DIAGRAM_ID = {'type': 'integer', 'minimum': 1, 'description': 'ID of the diagram'}


DIAGRAM_SUMMARY = object_schema(
    {
        'id': INTEGER,
        'name': STRING,
        'description': STRING,
        'status': {'type': 'string', 'enum': ['draft', 'live', 'archived']},
        'version': INTEGER,
        'siteId': NULLABLE_INTEGER,
        'lastUpdated': TIMESTAMP,
    }
)
DIAGRAM = object_schema(
    {**DIAGRAM_SUMMARY['properties'], 'xml': STRING, 'metadata': {'type': 'object'}},
)
VERSION = object_schema(
    {
        'version': INTEGER,
        'kind': {'type': 'string', 'enum': ['manual', 'autosave', 'restore']},
        'changeSummary': STRING,
        'author': NULLABLE_STRING,
        'created': TIMESTAMP,
    }
)
TEMPLATE = object_schema(
    {
        'id': INTEGER,
        'name': STRING,
        'slug': STRING,
        'category': STRING,
        'description': STRING,
        'variables': {'type': 'array', 'items': {'type': 'object'}},
        'isActive': BOOLEAN,
    }
)


def _renamed(exc):
    exc.field = ARGUMENT_NAMES.get(exc.field, exc.field)
    return exc


def _diagram(user, pk, action='view'):
    queryset = Diagram.objects.restrict(user, action)
    if action == 'view':
        queryset = queryset.select_related('site')
    diagram = queryset.filter(pk=pk).first()
    if diagram is None:
        if action != 'view' and Diagram.objects.restrict(user, 'view').filter(pk=pk).exists():
            raise PermissionDenied(f'You do not have the permission to {action} diagram {pk}', field='id')
        raise NotFound(f'Diagram {pk} does not exist.', code='diagram_not_found', field='id')
    return diagram


def _site(user, pk):
    if pk is None:
        return None
    return load(Site.objects.restrict(user, 'view'), f'Site {pk} does not exist.', field='siteId', pk=pk)


def _created(user, diagram):
    """Refuse (and roll back) a new diagram outside the user's object permission constraints."""
    if not Diagram.objects.restrict(user, 'add').filter(pk=diagram.pk).exists():
        raise PermissionDenied('The new diagram is outside the objects you may add')


def diagram_summary(diagram):
    return {
        'id': diagram.pk,
        'name': diagram.name,
        'description': diagram.description,
        'status': diagram.status,
        'version': diagram.version,
        'siteId': diagram.site_id,
        'lastUpdated': diagram.last_updated.isoformat() if diagram.last_updated else None,
    }


def diagram_dict(diagram):
    return {**diagram_summary(diagram), 'xml': diagram.xml, 'metadata': diagram.metadata}


def version_dict(version):
    return {
        'version': version.version_number,
        'kind': version.kind,
        'changeSummary': version.change_summary,
        'author': version.author.username if version.author_id else None,
        'created': version.created.isoformat() if version.created else None,
    }


@tool(
    'save-diagram',
    'Save a diagram: with id, store new XML as the next version (409-style version_conflict when baseVersion is '
    'stale); without id, create a diagram.',
    {
        'type': 'object',
        'properties': {
            'id': DIAGRAM_ID,
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'xml': {'type': 'string', 'minLength': 1},
            'metadata': {'type': 'object'},
            'baseVersion': {'type': 'integer', 'minimum': 0},
            'summary': {'type': 'string', 'maxLength': 200},
            'siteId': {'type': 'integer', 'minimum': 1},
        },
        'required': ['xml'],
        'additionalProperties': False,
    },
    write=True,
    output_schema=object_schema(
        {'success': BOOLEAN, 'created': BOOLEAN, 'modified': BOOLEAN, 'diagram': DIAGRAM_SUMMARY}
    ),
    title='Save a diagram',
    destructive=True,
)
def save_diagram(user, arguments):
    try:
        with transaction.atomic():
            if 'id' not in arguments:
                require_permission(user, Diagram, 'add')
                if not arguments.get('name'):
                    raise ServiceError('name is required to create a diagram', code='required', field='name')
                diagram = diagram_service.create_diagram(
                    arguments['name'],
                    arguments['xml'],
                    user,
                    summary=arguments.get('summary', ''),
                    metadata=arguments.get('metadata', {}),
                    site=_site(user, arguments.get('siteId')),
                )
                _created(user, diagram)
                return {'success': True, 'created': True, 'modified': True, 'diagram': diagram_summary(diagram)}
            diagram = _diagram(user, arguments['id'], 'change')
            renamed = {key: arguments[key] for key in ('name', 'metadata') if key in arguments}
            if renamed:
                diagram.snapshot()
                for key, value in renamed.items():
                    setattr(diagram, key, value)
                diagram.full_clean()
                diagram.save()
            result = diagram_service.save_diagram(
                diagram,
                arguments['xml'],
                user,
                base_version=arguments.get('baseVersion'),
                summary=arguments.get('summary', ''),
            )
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {
        'success': True,
        'created': False,
        'modified': result.modified,
        'diagram': diagram_summary(result.diagram),
    }


@tool(
    'load-diagram',
    'Load a diagram with its current XML and version.',
    {'type': 'object', 'properties': {'id': DIAGRAM_ID}, 'required': ['id'], 'additionalProperties': False},
    output_schema=object_schema({'diagram': DIAGRAM}),
    title='Load a diagram',
)
def load_diagram(user, arguments):
    return {'diagram': diagram_dict(_diagram(user, arguments['id']))}


@tool(
    'list-diagrams',
    'List the diagrams you may see (without their XML).',
    {
        'type': 'object',
        'properties': {
            'status': {'type': 'string', 'enum': ['draft', 'live', 'archived']},
            'siteId': {'type': 'integer', 'minimum': 1},
            'limit': {'type': 'integer', 'minimum': 1, 'maximum': 1000, 'default': 100},
        },
        'additionalProperties': False,
    },
    output_schema=object_schema({'diagrams': array_of(DIAGRAM_SUMMARY)}),
    title='List diagrams',
)
def list_diagrams(user, arguments):
    queryset = Diagram.objects.restrict(user, 'view').defer_large().order_by('name', 'pk')
    if 'status' in arguments:
        queryset = queryset.filter(status=arguments['status'])
    if 'siteId' in arguments:
        queryset = queryset.filter(site_id=arguments['siteId'])
    return {'diagrams': [diagram_summary(diagram) for diagram in queryset[: arguments.get('limit', 100)]]}


@tool(
    'list-templates',
    'List the diagram templates you may see, with the variables each declares.',
    {
        'type': 'object',
        'properties': {'category': {'type': 'string'}, 'includeInactive': {'type': 'boolean', 'default': False}},
        'additionalProperties': False,
    },
    output_schema=object_schema({'templates': array_of(TEMPLATE)}),
    title='List diagram templates',
)
def list_templates(user, arguments):
    queryset = DiagramTemplate.objects.restrict(user, 'view').defer_large().order_by('name')
    if not arguments.get('includeInactive'):
        queryset = queryset.filter(is_active=True)
    if 'category' in arguments:
        queryset = queryset.filter(category=arguments['category'])
    return {
        'templates': [
            {
                'id': template.pk,
                'name': template.name,
                'slug': template.slug,
                'category': template.category,
                'description': template.description,
                'variables': template.variables,
                'isActive': template.is_active,
            }
            for template in queryset
        ]
    }


@tool(
    'apply-template',
    'Create a diagram from a template, filling its variables (plain, escaped substitution).',
    {
        'type': 'object',
        'properties': {
            'templateId': {'type': ['integer', 'string'], 'description': 'Template id or slug'},
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'variables': {'type': 'object', 'additionalProperties': {'type': ['string', 'number', 'boolean']}},
            'siteId': {'type': 'integer', 'minimum': 1},
        },
        'required': ['templateId', 'name'],
        'additionalProperties': False,
    },
    write=True,
    output_schema=object_schema({'success': BOOLEAN, 'diagram': DIAGRAM_SUMMARY}),
    title='Create a diagram from a template',
)
def apply_template(user, arguments):
    require_permission(user, Diagram, 'add')
    reference = arguments['templateId']
    lookup = {'pk': reference} if isinstance(reference, int) else {'slug': reference}
    template = load(
        DiagramTemplate.objects.restrict(user, 'view'),
        f'Diagram template {reference!r} does not exist.',
        field='templateId',
        code='template_not_found',
        **lookup,
    )
    try:
        with transaction.atomic():
            diagram = diagram_service.instantiate_template(
                template,
                arguments['name'],
                arguments.get('variables', {}),
                user,
                site=_site(user, arguments.get('siteId')),
            )
            _created(user, diagram)
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {'success': True, 'diagram': diagram_summary(diagram)}


@tool(
    'get-diagram-versions',
    'List the versions of a diagram, newest first (without their XML).',
    {'type': 'object', 'properties': {'id': DIAGRAM_ID}, 'required': ['id'], 'additionalProperties': False},
    output_schema=object_schema({'id': INTEGER, 'currentVersion': INTEGER, 'versions': array_of(VERSION)}),
    title='List diagram versions',
)
def get_diagram_versions(user, arguments):
    diagram = _diagram(user, arguments['id'])
    versions = (
        DiagramVersion.objects.restrict(user, 'view')
        .filter(diagram=diagram)
        .select_related('author')
        .defer_large()
        .order_by('-version_number')
    )
    return {'id': diagram.pk, 'currentVersion': diagram.version, 'versions': [version_dict(v) for v in versions]}


@tool(
    'restore-diagram-version',
    "Restore version n of a diagram: a new version with n's content.",
    {
        'type': 'object',
        'properties': {
            'id': DIAGRAM_ID,
            'version': {'type': 'integer', 'minimum': 1},
            'baseVersion': {'type': 'integer', 'minimum': 0},
        },
        'required': ['id', 'version'],
        'additionalProperties': False,
    },
    write=True,
    output_schema=object_schema({'success': BOOLEAN, 'modified': BOOLEAN, 'diagram': DIAGRAM_SUMMARY}),
    title='Restore a diagram version',
    destructive=True,
    idempotent=True,
)
def restore_diagram_version(user, arguments):
    diagram = _diagram(user, arguments['id'], 'change')
    try:
        result = diagram_service.restore_version(
            diagram, arguments['version'], user, base_version=arguments.get('baseVersion')
        )
    except ServiceError as exc:
        raise _renamed(exc) from None
    return {'success': True, 'modified': result.modified, 'diagram': diagram_summary(result.diagram)}


GENERATOR_ARGUMENTS = {'scope_type': 'scopeType', 'scope_id': 'scopeId'}


def _generator_renamed(exc):
    """Service fields (``scope_type``, ``options.x``) as this API spells its arguments."""
    field = exc.field or ''
    exc.field = GENERATOR_ARGUMENTS.get(field, field)
    return _renamed(exc)


@tool(
    'generate-diagram',
    'Create a diagram drawn from NetBox: "physical" (devices and cables of a site, location, rack or filtered '
    'devices) or "l3" (networks of a VRF or site with the devices and VMs addressed in them), laid out and linked.',
    {
        'type': 'object',
        'properties': {
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 100},
            'kind': {'type': 'string', 'enum': ['physical', 'l3']},
            'scopeType': {
                'type': 'string',
                'enum': ['dcim.site', 'dcim.location', 'dcim.rack', 'dcim.device', 'ipam.vrf'],
                'description': 'dcim.device selects devices with options.filters (NetBox device filters)',
            },
            'scopeId': {'type': 'integer', 'minimum': 1},
            'options': {'type': 'object'},
        },
        'required': ['name', 'kind', 'scopeType'],
        'additionalProperties': False,
    },
    write=True,
    output_schema=object_schema({'success': BOOLEAN, 'diagram': DIAGRAM_SUMMARY}),
    title='Generate a diagram from NetBox',
)
def generate_diagram(user, arguments):
    require_permission(user, Diagram, 'add')
    try:
        spec = generator.parse_spec(
            user, arguments['kind'], arguments['scopeType'], arguments.get('scopeId'), arguments.get('options')
        )
        diagram = generator.generate_diagram(arguments['name'], spec, user)
    except ServiceError as exc:
        raise _generator_renamed(exc) from None
    return {'success': True, 'diagram': diagram_summary(diagram)}


@tool(
    'refresh-diagram',
    'Regenerate a generated diagram from NetBox and merge it into the current content, keeping the layout: '
    'a new version (kind refresh) with a summary, or none when nothing changed.',
    {
        'type': 'object',
        'properties': {
            'id': DIAGRAM_ID,
            'baseVersion': {'type': 'integer', 'minimum': 0},
            'markRemoved': {'type': 'boolean'},
        },
        'required': ['id'],
        'additionalProperties': False,
    },
    write=True,
    output_schema=object_schema(
        {'success': BOOLEAN, 'modified': BOOLEAN, 'summary': STRING, 'diagram': DIAGRAM_SUMMARY}
    ),
    title='Refresh a generated diagram from NetBox',
    destructive=True,
    idempotent=True,
)
def refresh_diagram(user, arguments):
    diagram = _diagram(user, arguments['id'], 'change')
    try:
        saved, merged = generator.refresh_diagram(
            diagram, user, base_version=arguments.get('baseVersion'), mark_removed=arguments.get('markRemoved')
        )
    except ServiceError as exc:
        raise _generator_renamed(exc) from None
    return {
        'success': True,
        'modified': saved.modified,
        'summary': merged.summary,
        'diagram': diagram_summary(saved.diagram),
    }
