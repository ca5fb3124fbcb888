"""Diagram templates: variable declarations, placeholders and their substitution."""

import re
from html import escape as html_escape
from xml.sax.saxutils import escape as xml_escape

from .errors import DrawioError
from .pages import expand_compressed, parse_diagram

__all__ = ('PLACEHOLDER', 'VARIABLE_NAME', 'placeholders', 'render_template', 'validate_template_definition')

VARIABLE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]{0,63}$')
# {{ name }} and ${name}; names as VARIABLE_NAME.
PLACEHOLDER = re.compile(r'\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}')


def placeholders(text):
    """The variable names used in ``text``."""
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def validate_template_definition(xml, variables, limit):
    """Check a template: valid Draw.io XML, well-formed variable declarations, every placeholder declared.

    Returns the XML with compressed pages inflated, so placeholders can be substituted.
    """
    if not isinstance(variables, list):
        raise DrawioError('variables must be a list of {"name", "default", "description"} objects.', field='variables')
    names = []
    for index, item in enumerate(variables):
        if not isinstance(item, dict) or not isinstance(item.get('name'), str):
            raise DrawioError(f'variables[{index}] must be an object with a "name" string.', field='variables')
        unknown_keys = set(item) - {'name', 'default', 'description'}
        if unknown_keys:
            raise DrawioError(
                f'variables[{index}] has unknown keys: {", ".join(sorted(unknown_keys))}.', field='variables'
            )
        if not VARIABLE_NAME.match(item['name']):
            raise DrawioError(
                f'variables[{index}]: {item["name"]!r} is not a valid name (letters, digits, _ . -).',
                field='variables',
            )
        if item.get('default') is not None and not isinstance(item['default'], str | int | float):
            raise DrawioError(f'variables[{index}]: the default must be text or a number.', field='variables')
        names.append(item['name'])
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DrawioError(f'Variables declared twice: {", ".join(duplicates)}.', field='variables')
    expanded = expand_compressed(xml, limit)
    undeclared = sorted(placeholders(expanded) - set(names))
    if undeclared:
        raise DrawioError(
            f'The template uses undeclared variables: {", ".join(undeclared)}.', field='variables', names=undeclared
        )
    return expanded


def render_template(xml, variables, values, limit, name=''):
    """The template's XML with every placeholder replaced by its XML- and HTML-escaped value.

    ``variables`` are the template's declarations, ``values`` the caller's name → value; a declared
    default fills a missing value. ``name`` names the template in messages.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise DrawioError('variables must be an object of name → value.', field='variables')
    declared = {item['name']: item for item in variables or []}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise DrawioError(
            f'Unknown variables for template {name!r}: {", ".join(unknown)}.',
            code='unknown_variables',
            field='variables',
            names=unknown,
        )
    resolved = {}
    missing = []
    for variable, item in declared.items():
        value = values.get(variable, item.get('default'))
        if value is None or value == '':
            missing.append(variable)
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise DrawioError(f'Variable {variable!r} must be text or a number.', field='variables', names=[variable])
        resolved[variable] = str(value)
    if missing:
        raise DrawioError(
            f'Missing values for variables: {", ".join(missing)}.',
            code='missing_variables',
            field='variables',
            names=missing,
        )
    expanded = validate_template_definition(xml, variables or [], limit)

    def replace(match):
        # Plain text only: HTML-escaped (Draw.io renders html=1 labels as HTML), then XML-escaped.
        value = html_escape(resolved[match.group(1) or match.group(2)], quote=True)
        return xml_escape(value, {'"': '&quot;', "'": '&apos;'})

    rendered = PLACEHOLDER.sub(replace, expanded)
    parse_diagram(rendered, limit)
    return rendered
