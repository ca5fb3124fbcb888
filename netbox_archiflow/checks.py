"""System checks: a usable, current Draw.io editor and request-size limits that allow a full diagram save."""

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Warning, register

from netbox_archiflow import drawio_webapp, plugin_settings


@register()
def check_diagram_editor(app_configs=None, **kwargs):
    warnings = []
    max_bytes = plugin_settings.get('diagram_max_bytes')
    upload_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if upload_limit is not None and upload_limit < max_bytes:
        warnings.append(
            Warning(
                f'DATA_UPLOAD_MAX_MEMORY_SIZE ({upload_limit} bytes) is below diagram_max_bytes ({max_bytes} bytes): '
                'form and API saves of large diagrams will be refused by Django before the plugin sees them.',
                hint=f'Set DATA_UPLOAD_MAX_MEMORY_SIZE = {2 * max_bytes + 65536} in configuration.py '
                '(XML plus its SVG preview), or lower diagram_max_bytes.',
                id='netbox_archiflow.W001',
            )
        )
    if drawio_webapp.is_installed():
        version = drawio_webapp.installed_version()
        minimum = drawio_webapp.MINIMUM_VERSION
        if drawio_webapp.version_tuple(version or '0') < drawio_webapp.version_tuple(minimum):
            warnings.append(
                Warning(
                    f'The self-hosted Draw.io is version {version or "unknown"}, older than {minimum}: older versions '
                    'let a crafted diagram run script in the editor.',
                    hint=f'Run `netbox archiflow_drawio install` (Draw.io {drawio_webapp.RELEASE.drawio_version}).',
                    id='netbox_archiflow.W005',
                )
            )
    else:
        url = plugin_settings.get('drawio_url')
        parsed = urlparse(url or '')
        if parsed.scheme not in ('http', 'https') or not parsed.netloc:
            warnings.append(
                Warning(
                    f'The Draw.io editor URL {url!r} is unusable and no self-hosted copy is installed.',
                    hint='Run `netbox archiflow_drawio install` or set drawio_url to an http(s) URL.',
                    id='netbox_archiflow.W002',
                )
            )
        elif parsed.scheme == 'http' and parsed.hostname not in ('localhost', '127.0.0.1'):
            warnings.append(
                Warning(
                    f'The Draw.io editor is loaded over plain http ({url}).',
                    hint='Use https, or install the self-hosted copy: `netbox archiflow_drawio install`.',
                    id='netbox_archiflow.W003',
                )
            )
        else:
            warnings.append(
                Warning(
                    f'No self-hosted Draw.io is installed: the editor loads from {url}, which needs internet access.',
                    hint='Run `netbox archiflow_drawio install` for an offline editor.',
                    id='netbox_archiflow.W004',
                )
            )
    return warnings
