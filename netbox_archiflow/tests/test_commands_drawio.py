import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings

from netbox_archiflow import checks, drawio_webapp
from netbox_archiflow.drawio_webapp import install
from netbox_archiflow.drawio_webapp.release import Release

PREFIX = 'vendor/static/drawio'
WEB_APP = {
    'index.html': b'<html>upstream, with inline script</html>',
    'js/app.min.js': b'//app',
    'js/bootstrap.js': b'//bootstrap',
    'js/main.js': b'//main',
    'js/viewer-static.min.js': b'//viewer',
    'js/PreConfig.js': b'//upstream online config',
    'js/dropbox/Dropbox-sdk.min.js': b'//cloud',
    'js/integrate.min.js': b'//atlassian',
    'dropbox.html': b'<html></html>',
    'plugins/trello.js': b'//trello',
    'stencils/basic.xml': b'<shapes/>',
}


def make_wheel(path, files, prefix=PREFIX):
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('vendor/__init__.py', b'')
        for name, data in files.items():
            archive.writestr(f'{prefix}/{name}', data)
    return Release('99.1.0', 'vendor-wheel==1.0', hashlib.sha256(path.read_bytes()).hexdigest(), PREFIX)


class DrawioInstallTest(SimpleTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.settings = override_settings(STATIC_ROOT=str(self.root / 'static'))
        self.settings.enable()
        self.target = drawio_webapp.install_dir()
        self.wheel = self.root / 'vendor_wheel-1.0-py3-none-any.whl'
        self.release = make_wheel(self.wheel, WEB_APP)
        self.log = []

    def tearDown(self):
        self.settings.disable()
        self.tmp.cleanup()

    def install(self, **kwargs):
        return install.install(self.target, release=self.release, wheel=self.wheel, log=self.log.append, **kwargs)

    def test_keeps_the_web_app_drops_online_parts_and_adds_the_overlay(self):
        self.assertEqual(self.install(), '99.1.0')
        self.assertTrue(drawio_webapp.is_installed())
        self.assertEqual(drawio_webapp.installed_version(), '99.1.0')
        self.assertTrue((self.target / 'stencils' / 'basic.xml').is_file())
        for dropped in ('js/dropbox', 'js/integrate.min.js', 'dropbox.html', 'plugins'):
            self.assertFalse((self.target / dropped).exists(), dropped)
        index = (self.target / 'index.html').read_text()
        self.assertNotIn('inline script', index)
        self.assertNotIn('<script>', index)  # only external scripts: the CSP forbids inline ones
        self.assertIn('EXPORT_URL = null', (self.target / 'js' / 'PreConfig.js').read_text())
        self.assertTrue((self.target / 'viewer.html').is_file())
        marker = json.loads((self.target / install.MARKER).read_text())
        self.assertEqual((marker['source'], marker['sha256']), ('vendor-wheel==1.0', self.release.sha256))
        (self.target / 'viewer.html').write_text('an older overlay')
        self.install()
        self.assertIn('already installed', self.log[-1])
        self.assertNotEqual((self.target / 'viewer.html').read_text(), 'an older overlay')

    def test_a_wheel_with_another_hash_is_refused(self):
        other = Release('99.1.0', 'vendor-wheel==1.0', '0' * 64, PREFIX)
        with self.assertRaisesMessage(install.InstallError, 'pinned SHA-256'):
            install.install(self.target, release=other, wheel=self.wheel, log=self.log.append)
        self.assertFalse(drawio_webapp.is_installed())

    def test_path_tricks_or_a_missing_web_app_install_nothing(self):
        self.release = make_wheel(self.wheel, {**WEB_APP, '../../evil.js': b'x'})
        with self.assertRaisesMessage(install.InstallError, 'unsafe member'):
            self.install()
        self.release = make_wheel(self.wheel, {'index.html': b'x'})
        with self.assertRaisesMessage(install.InstallError, 'does not contain the Draw.io web app'):
            self.install()
        self.assertFalse(self.target.exists())
        self.assertFalse(any(self.root.rglob('evil.js')))

    def test_download_asks_pip_for_exactly_the_pinned_hash(self):
        def fake_pip(command, **kwargs):
            requirements = Path(command[command.index('-r') + 1]).read_text()
            self.assertEqual(requirements, f'vendor-wheel==1.0 --hash=sha256:{self.release.sha256}\n')
            self.assertIn('--require-hashes', command)
            self.assertIn('--no-deps', command)
            dest = Path(command[command.index('--dest') + 1])
            (dest / self.wheel.name).write_bytes(self.wheel.read_bytes())
            return mock.Mock(returncode=0)

        with mock.patch.object(install.subprocess, 'run', side_effect=fake_pip):
            install.install(self.target, release=self.release, log=self.log.append)
        self.assertEqual(drawio_webapp.installed_version(), '99.1.0')

    def test_status_names_the_version_and_the_check_warns_when_too_old(self):
        out = io.StringIO()
        call_command('archiflow_drawio', 'status', stdout=out)
        self.assertIn('not installed', out.getvalue())
        self.install()
        out = io.StringIO()
        call_command('archiflow_drawio', 'status', stdout=out)
        self.assertIn('installed: Draw.io 99.1.0 from vendor-wheel==1.0', out.getvalue())
        self.assertNotIn('netbox_archiflow.W005', [w.id for w in checks.check_diagram_editor()])
        self.release = Release('14.6.12', 'old==1', self.release.sha256, PREFIX)
        self.install(force=True)
        self.assertIn('netbox_archiflow.W005', [w.id for w in checks.check_diagram_editor()])
        out = io.StringIO()
        call_command('archiflow_drawio', 'status', stdout=out)
        self.assertIn('older than the minimum 18.0.0', out.getvalue())
        call_command('archiflow_drawio', 'remove', stdout=io.StringIO())
        self.assertFalse(drawio_webapp.is_installed())

    def test_command_reports_a_failed_install(self):
        with self.assertRaisesMessage(CommandError, 'does not exist'):
            call_command('archiflow_drawio', 'install', '--wheel', str(self.root / 'missing.whl'), stdout=io.StringIO())
