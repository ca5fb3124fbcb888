"""The built wheel carries every template and static file of the source tree, and the Draw.io overlay."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / 'netbox_archiflow'


def test_wheel_contains_templates_and_static_files(tmp_path):
    subprocess.run(
        [sys.executable, '-m', 'build', '--wheel', '--no-isolation', '--outdir', str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob('netbox_archiflow-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        str(path.relative_to(REPO))
        for folder in ('templates', 'static', 'drawio_webapp/overlay')
        for path in (PACKAGE / folder).rglob('*')
        if path.is_file() and 'drawio' not in path.relative_to(PACKAGE / folder).parts
    }
    assert any('/templates/' in name for name in expected), 'the package has no templates'
    assert any('/static/' in name for name in expected), 'the package has no static files'
    assert expected <= names, sorted(expected - names)
    assert 'netbox_archiflow/drawio_webapp/overlay/js/PreConfig.js' in names
    assert 'netbox_archiflow/migrations/__init__.py' in names
