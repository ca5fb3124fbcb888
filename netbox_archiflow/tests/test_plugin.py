from io import StringIO

from dcim.models import Cable, Device, Interface, Site, SiteGroup
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import ManyToOneRel
from django.test import override_settings
from django.urls import reverse
from ipam.models import VRF, Prefix, VLANGroup
from users.models import User
from utilities.testing import TestCase

from netbox_archiflow.plugin_settings import DEFAULT_SETTINGS, validate_settings


class PluginRegistrationTest(TestCase):
    def test_plugin_is_installed_with_its_base_url(self):
        config = apps.get_app_config('netbox_archiflow')
        self.assertEqual(config.base_url, 'archiflow')
        self.assertEqual(config.verbose_name, 'ArchiFlow')
        self.assertTrue(config.version)

    def test_default_settings_are_valid(self):
        self.assertEqual(validate_settings(dict(DEFAULT_SETTINGS)), [])

    def test_bad_settings_are_named(self):
        errors = validate_settings({**DEFAULT_SETTINGS, 'drawio_url': 'ftp://x', 'segment_vid_min': 0, 'bogus': 1})
        text = ' '.join(errors)
        self.assertIn('bogus: unknown setting', text)
        self.assertIn('drawio_url', text)
        self.assertIn('segment_vid_min', text)

    def test_vid_range_must_be_ordered(self):
        errors = validate_settings({**DEFAULT_SETTINGS, 'segment_vid_min': 100, 'segment_vid_max': 10})
        self.assertEqual(errors, ['segment_vid_min must not be greater than segment_vid_max'])

    def test_vlan_name_pattern_placeholders_are_checked(self):
        errors = validate_settings({**DEFAULT_SETTINGS, 'segment_vlan_name': 'vlan-{cluster}'})
        self.assertEqual(len(errors), 1)
        self.assertIn('segment_vlan_name may only use the placeholders {vrf}, {site_group}, {vid}', errors[0])

    def test_start_up_refuses_bad_configuration(self):
        # ready() runs this check; calling ready() itself again would register the model views twice.
        config = apps.get_app_config('netbox_archiflow')
        bad = {'netbox_archiflow': {'pool_alert_threshold': 150}}
        message = 'pool_alert_threshold must be an integer from 1 to 100'
        with override_settings(PLUGINS_CONFIG=bad), self.assertRaisesMessage(ImproperlyConfigured, message):
            config.validate_configuration()
        config.validate_configuration()  # the real configuration passes


class MenuTest(TestCase):
    def test_menu_renders_for_logged_in_user(self):
        self.user.is_superuser = True
        self.user.save()
        response = self.client.get(reverse('home'))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertTrue('aria-label="ArchiFlow"' in html, 'the ArchiFlow menu is missing from the navigation')


class DemoDataTest(TestCase):
    models = (SiteGroup, Site, VRF, Prefix, VLANGroup, Device, Interface, Cable)

    def counts(self):
        return {model.__name__: model.objects.count() for model in self.models}

    def test_demo_command_is_idempotent(self):
        User.objects.create_superuser('demo-admin', 'demo@example.com', 'x')
        call_command('archiflow_demo', verbosity=0, stdout=StringIO())
        first = self.counts()
        self.assertGreaterEqual(first['SiteGroup'], 3)
        self.assertGreaterEqual(first['VRF'], 2)
        self.assertGreater(first['Cable'], 0)
        call_command('archiflow_demo', verbosity=0, stdout=StringIO())
        self.assertEqual(self.counts(), first)


class CoreModelFieldsTest(TestCase):
    """Core's filterset coverage check (``test_missing_filters``) walks ``Model._meta.get_fields()`` and skips only
    reverse foreign keys: any other relation the plugin adds to a core model would fail NetBox's own suite."""

    def test_the_plugin_adds_only_reverse_foreign_keys_to_core_models(self):
        plugin_models = set(apps.get_app_config('netbox_archiflow').get_models())
        for model in apps.get_models():
            if model in plugin_models:
                continue
            for field in model._meta.get_fields():
                if getattr(field, 'related_model', None) in plugin_models and field.auto_created:
                    with self.subTest(model=model._meta.label, field=field.name):
                        self.assertIs(type(field), ManyToOneRel)
