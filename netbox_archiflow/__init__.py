"""netbox-archiflow: ArchiFlow's segments, IP pools, alerts and diagrams as a NetBox plugin."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from netbox.plugins import PluginConfig

from .plugin_settings import DEFAULT_SETTINGS, validate_settings

try:
    __version__ = _distribution_version('netbox-archiflow')
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = '0.0.0'


class ArchiFlowConfig(PluginConfig):
    name = 'netbox_archiflow'
    verbose_name = 'ArchiFlow'
    description = 'Network segments, IP pools and allocations, alerts and Draw.io diagrams for NetBox'
    version = __version__
    author = 'netbox-archiflow developers'
    base_url = 'archiflow'
    # 0001_initial depends on the newest core migrations that NetBox 4.7.0 ships.
    min_version = '4.7.0'
    max_version = '4.7.99'
    default_settings = DEFAULT_SETTINGS

    def ready(self):
        super().ready()
        self.validate_configuration()
        from . import checks, request_processors, signal_receivers, widgets  # noqa: F401  (registered on import)

        if settings.METRICS_ENABLED:
            from .metrics import register

            register()

    def validate_configuration(self):
        """Stop NetBox at start-up, naming every bad key, rather than failing a request later."""
        # NetBox has already merged default_settings into PLUGINS_CONFIG[name].
        errors = validate_settings({**DEFAULT_SETTINGS, **settings.PLUGINS_CONFIG.get(self.name, {})})
        if errors:
            raise ImproperlyConfigured("Invalid PLUGINS_CONFIG['netbox_archiflow']: " + '; '.join(errors))


config = ArchiFlowConfig
