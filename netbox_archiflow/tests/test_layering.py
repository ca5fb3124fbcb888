"""Dependencies point one way: the UI sits beside the REST API, never on top of it (docs/development.md)."""

import ast
import unittest
from pathlib import Path

import netbox_archiflow

PACKAGE = Path(netbox_archiflow.__file__).parent
# The web UI: pages, forms, tables, panels, buttons and what the plugin injects into NetBox's own pages.
UI = ('views', 'forms', 'tables', 'ui', 'template_content.py', 'widgets.py', 'object_actions.py', 'navigation.py')


def imported_modules(source, package):
    """The absolute names of what a module of ``package`` imports (relative imports resolved; for ``from m import
    n`` both ``m`` and ``m.n``, since ``n`` may be a module)."""
    parts = package.split('.')
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level + 1] if node.level else []
            module = '.'.join([*base, node.module] if node.module else base)
            yield module
            yield from (f'{module}.{alias.name}' for alias in node.names)


def ui_files():
    for name in UI:
        path = PACKAGE / name
        yield from sorted(path.rglob('*.py')) if path.is_dir() else [path]


class LayeringTest(unittest.TestCase):
    def test_the_ui_does_not_import_the_api(self):
        files = list(ui_files())
        self.assertGreater(len(files), len(UI))
        for path in files:
            package = '.'.join(('netbox_archiflow', *path.relative_to(PACKAGE).parent.parts))
            for module in imported_modules(path.read_text(), package):
                with self.subTest(file=str(path.relative_to(PACKAGE)), imports=module):
                    self.assertFalse(module == 'netbox_archiflow.api' or module.startswith('netbox_archiflow.api.'))

    def test_relative_imports_are_resolved(self):
        source = 'from ..api import views\nfrom . import forms\nfrom .tables import x\nimport netbox_archiflow.api'
        self.assertEqual(
            set(imported_modules(source, 'netbox_archiflow.views')),
            {
                'netbox_archiflow.api',
                'netbox_archiflow.api.views',
                'netbox_archiflow.views',
                'netbox_archiflow.views.forms',
                'netbox_archiflow.views.tables',
                'netbox_archiflow.views.tables.x',
            },
        )
