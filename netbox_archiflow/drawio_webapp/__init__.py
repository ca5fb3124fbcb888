"""Where the Draw.io editor comes from, and the walls around it.

``netbox archiflow_drawio install`` puts a pinned, current Draw.io web app (see ``release``) into
``<STATIC_ROOT>/netbox_archiflow/drawio/`` (outside the source tree and the wheel). The plugin serves that
folder under its own URL (``/plugins/archiflow/drawio/``) with a Content-Security-Policy that sandboxes every
page of it into an opaque origin, so Draw.io never runs with NetBox's origin or the user's session.
Without an installed copy the editor falls back to the ``drawio_url`` setting (another origin).
"""

from pathlib import Path
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.urls import reverse

from netbox_archiflow import plugin_settings

from .install import read_marker
from .release import MINIMUM_VERSION, RELEASE

__all__ = ('MINIMUM_VERSION', 'RELEASE')

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
OFFLINE_PARAMS = {'stealth': '1', 'lockdown': '1', 'local': '1', 'math': '0', 'pwa': '0', 'ui': 'kennedy'}
# The iframe's sandbox: scripts run, but in an opaque origin (no allow-same-origin): no NetBox cookies, storage
# or DOM; no forms, no top-level navigation, no pop-ups. Downloads stay possible (Draw.io's own export menu).
SANDBOX = 'allow-scripts allow-downloads'
# The origin of messages from a sandboxed frame.
OPAQUE_ORIGIN = 'null'


def install_dir():
    return Path(settings.STATIC_ROOT) / 'netbox_archiflow' / 'drawio'


def is_installed():
    folder = install_dir()
    return (folder / 'index.html').is_file() and (folder / 'js' / 'app.min.js').is_file()


def installed_version():
    """The installed Draw.io version, or None (not installed, or installed without a marker)."""
    return read_marker(install_dir()).get('version') if is_installed() else None


def version_tuple(version):
    try:
        return tuple(int(part) for part in str(version).split('.'))
    except ValueError:
        return ()


def base_path():
    return reverse('plugins:netbox_archiflow:drawio', kwargs={'path': ''})


def editor_base_url(request=None):
    """Absolute-path or absolute URL of the editor's index page (ends with '/')."""
    if is_installed():
        return base_path()
    return plugin_settings.get('drawio_url')


def editor_origin(request):
    """The origin postMessage events from the editor come from (the host page checks it, and the source)."""
    if is_installed():
        return OPAQUE_ORIGIN
    parsed = urlparse(editor_base_url(request))
    return f'{parsed.scheme}://{parsed.netloc}'


def editor_url(request, **extra):
    params = dict(EMBED_PARAMS)
    if is_installed():
        params.update(OFFLINE_PARAMS)
    params.update(extra)
    return f'{editor_base_url(request)}?{urlencode(params)}'


def viewer_url():
    """Draw.io's read-only viewer page, only from the self-hosted copy (a third-party viewer is never embedded)."""
    if is_installed():
        return reverse('plugins:netbox_archiflow:drawio', kwargs={'path': 'viewer.html'})
    return None


def frame_src(request):
    """The CSP source a page that frames Draw.io allows: only the Draw.io folder (or the external origin)."""
    if is_installed():
        return request.build_absolute_uri(base_path())
    return editor_origin(request)


def content_security_policy(request):
    """The policy of every Draw.io file: its own folder only, sandboxed, framed only by NetBox pages.

    The ``sandbox`` directive gives the document an opaque origin even when it is opened outside our iframe.
    Paths in the sources keep Draw.io from fetching, framing or posting to any other NetBox URL.
    """
    own = request.build_absolute_uri(base_path())
    return '; '.join(
        (
            "default-src 'none'",
            f'script-src {own}',
            f"style-src {own} 'unsafe-inline'",
            f'img-src {own} data: blob:',
            f'font-src {own} data:',
            f'connect-src {own}',
            f'worker-src {own} blob:',
            "frame-src 'none'",
            "object-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self'",
            f'sandbox {SANDBOX}',
        )
    )
