"""The link index: rebuilt from the current XML on every content write, whatever wrote it."""

from io import StringIO

from dcim.models import Device, Site
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from ipam.models import Prefix
from utilities.testing import APITestCase, TestCase, create_test_device

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramLink, DiagramTemplate, DiagramVersion
from netbox_archiflow.plugin_settings import (
    DEFAULT_LINKABLE_TYPES,
    DEFAULT_SETTINGS,
    linkable_types,
    validate_settings,
)
from netbox_archiflow.services import diagram_links
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import ServiceError

from .test_rpc import RPCTestCase


def plugin_config(**values):
    return override_settings(PLUGINS_CONFIG={'netbox_archiflow': {**DEFAULT_SETTINGS, **values}})


def linked(cell_id, obj, label=None, **kwargs):
    object_type = f'{obj._meta.app_label}.{obj._meta.model_name}'
    return samples.linked_cell(cell_id, label or str(obj), object_type, obj.pk, display=str(obj), **kwargs)


def index(diagram):
    """The diagram's index as {cell id: (object type, object id)}."""
    return {
        link.cell_id: (link.object_type.model, link.object_id)
        for link in DiagramLink.objects.filter(diagram=diagram).select_related('object_type')
    }


class LinkFixturesMixin:
    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='Site 1', slug='site-1')
        cls.device = create_test_device('core-sw-01', site=cls.site)
        cls.other = create_test_device('leaf-01', site=cls.site)
        cls.prefix = Prefix.objects.create(prefix='10.0.0.0/24')
        cls.xml = samples.mxfile(linked('sw', cls.device), linked('net', cls.prefix), samples.cell('x', 'plain'))


class IndexOnSaveTest(LinkFixturesMixin, TestCase):
    def test_save_indexes_every_linked_cell(self):
        diagram = service.create_diagram('Fabric', self.xml)
        link = DiagramLink.objects.get(diagram=diagram, cell_id='sw')
        self.assertEqual((link.page_id, link.page_name, link.label), ('p1', 'Page-1', 'core-sw-01'))
        self.assertEqual((link.object, link.netbox_display), (self.device, 'core-sw-01'))
        self.assertEqual(index(diagram), {'sw': ('device', self.device.pk), 'net': ('prefix', self.prefix.pk)})

    def test_resave_keeps_unchanged_rows_updates_and_removes_the_others(self):
        diagram = service.create_diagram('Fabric', self.xml)
        before = {link.cell_id: link.pk for link in DiagramLink.objects.filter(diagram=diagram)}
        service.save_diagram(diagram, samples.mxfile(linked('sw', self.device), linked('new', self.other)))
        after = {link.cell_id: link.pk for link in DiagramLink.objects.filter(diagram=diagram)}
        self.assertEqual(after['sw'], before['sw'])
        self.assertEqual(set(after), {'sw', 'new'})
        service.save_diagram(diagram, samples.mxfile(linked('sw', self.other, label='moved')))
        link = DiagramLink.objects.get(diagram=diagram)
        self.assertEqual((link.pk, link.object_id, link.label), (before['sw'], self.other.pk, 'moved'))

    def test_compressed_pages_are_indexed(self):
        diagram = service.create_diagram('Packed', samples.compressed_mxfile(linked('sw', self.device)))
        self.assertEqual(index(diagram), {'sw': ('device', self.device.pk)})

    def test_removing_every_link_empties_the_index(self):
        diagram = service.create_diagram('Fabric', self.xml)
        service.save_diagram(diagram, samples.mxfile(samples.cell('x', 'plain')))
        self.assertFalse(DiagramLink.objects.filter(diagram=diagram).exists())

    def test_deleting_the_diagram_deletes_its_links(self):
        diagram = service.create_diagram('Fabric', self.xml)
        diagram.delete()
        self.assertFalse(DiagramLink.objects.exists())

    def test_autosave_in_place_and_restore_reindex(self):
        diagram = service.create_diagram('Fabric', self.xml)
        for cell_id in ('a1', 'a2'):
            service.save_diagram(diagram, samples.mxfile(linked(cell_id, self.other)), self.user, kind='autosave')
            self.assertEqual(set(index(diagram)), {cell_id})
        self.assertEqual(diagram.version, 2)  # the second autosave rewrote the first in place
        service.restore_version(diagram, 1, self.user)
        self.assertEqual(set(index(diagram)), {'sw', 'net'})

    def test_template_instantiation_indexes(self):
        template = DiagramTemplate.objects.create(
            name='Pair',
            slug='pair',
            xml=samples.mxfile(samples.linked_cell('sw', '{{name}}', 'dcim.device', self.device.pk)),
            variables=[{'name': 'name'}],
        )
        diagram = service.instantiate_template(template, 'From template', {'name': 'core'})
        self.assertEqual(index(diagram), {'sw': ('device', self.device.pk)})


class RefusedLinksTest(LinkFixturesMixin, TestCase):
    def test_unlinkable_type_is_a_400_naming_the_cell_and_writes_nothing(self):
        diagram = service.create_diagram('Fabric', self.xml)
        bad = samples.mxfile(linked('sw', self.device), samples.linked_cell('u9', 'someone', 'users.user', 1))
        with self.assertRaises(ServiceError) as ctx:
            service.save_diagram(diagram, bad)
        error = ctx.exception
        self.assertEqual((error.status, error.code, error.extra['cell']), (400, 'link_type_not_linkable', 'u9'))
        self.assertIn("cell 'u9' (someone)", error.detail)
        diagram.refresh_from_db()
        self.assertEqual((diagram.version, diagram.xml), (1, self.xml))
        self.assertEqual(set(index(diagram)), {'sw', 'net'})

    def test_create_with_an_unlinkable_type_creates_nothing(self):
        with self.assertRaises(ServiceError):
            service.create_diagram('Bad', samples.mxfile(samples.linked_cell('u', 'x', 'users.user', 1)))
        self.assertFalse(Diagram.objects.exists())

    def test_settings_add_and_remove_types(self):
        self.assertIn('dcim.device', linkable_types())
        self.assertNotIn('dcim.platform', linkable_types())
        platform = samples.mxfile(samples.linked_cell('p', 'EOS', 'dcim.platform', 1))
        with self.assertRaisesMessage(ServiceError, 'dcim.platform, which is not a linkable type'):
            service.create_diagram('Platforms', platform)
        with plugin_config(diagram_link_types_add=['dcim.platform'], diagram_link_types_remove=['dcim.device']):
            self.assertEqual(
                linkable_types(),
                frozenset(DEFAULT_LINKABLE_TYPES) - {'dcim.device'} | {'dcim.platform'},
            )
            service.create_diagram('Platforms', platform)
            with self.assertRaisesMessage(ServiceError, 'dcim.device, which is not a linkable type'):
                service.create_diagram('Devices', samples.mxfile(linked('sw', self.device)))

    def test_link_type_settings_are_validated_at_start_up(self):
        errors = validate_settings(
            {
                **DEFAULT_SETTINGS,
                'diagram_link_types_add': ['dcim.nosuchmodel'],
                'diagram_link_types_remove': ['dcim.platform'],
            }
        )
        self.assertEqual(
            errors,
            [
                "diagram_link_types_add: 'dcim.nosuchmodel' is not an installed model",
                "diagram_link_types_remove: 'dcim.platform' is not one of the default linkable types",
            ],
        )
        shape = validate_settings({**DEFAULT_SETTINGS, 'diagram_link_types_add': 'dcim.device'})
        self.assertIn('diagram_link_types_add must be a list of "app_label.model" strings', shape[0])
        case = validate_settings({**DEFAULT_SETTINGS, 'diagram_link_types_remove': ['DCIM.Device']})
        self.assertIn('lower case', case[0])
        config = apps.get_app_config('netbox_archiflow')
        bad = plugin_config(diagram_link_types_add=['dcim.nosuchmodel'])
        with bad, self.assertRaisesMessage(ImproperlyConfigured, 'dcim.nosuchmodel'):
            config.validate_configuration()


class BrokenLinksTest(LinkFixturesMixin, TestCase):
    def test_links_to_missing_objects_are_kept_and_reported_broken(self):
        missing = samples.linked_cell('ghost', 'gone', 'dcim.device', 999999, display='old-sw')
        diagram = service.create_diagram('Fabric', samples.mxfile(linked('sw', self.device), missing))
        self.assertEqual(set(index(diagram)), {'sw', 'ghost'})
        self.other.delete()  # not linked: nothing changes
        links = diagram_links.resolve_objects(list(DiagramLink.objects.filter(diagram=diagram)), self.user)
        state = {link.cell_id: (link.broken, link.linked_object) for link in links}
        self.assertEqual(state, {'sw': (False, None), 'ghost': (True, None)})  # the user may not view devices
        self.user.is_superuser = True
        links = diagram_links.resolve_objects(list(DiagramLink.objects.filter(diagram=diagram)), self.user)
        self.assertEqual({link.cell_id: link.linked_object for link in links}, {'sw': self.device, 'ghost': None})

    def test_deleting_a_linked_object_keeps_the_link(self):
        diagram = service.create_diagram('Fabric', self.xml)
        Device.objects.filter(pk=self.device.pk).delete()
        self.assertEqual(set(index(diagram)), {'sw', 'net'})
        broken = DiagramLink.objects.filter(diagram_links.broken_condition())
        self.assertEqual([link.cell_id for link in broken], ['sw'])

    def test_resolve_queries_are_bounded_by_types(self):
        cells = [samples.linked_cell(f'd{n}', 'x', 'dcim.device', 1000 + n) for n in range(50)]
        cells += [samples.linked_cell(f'p{n}', 'x', 'ipam.prefix', self.prefix.pk) for n in range(50)]
        diagram = service.create_diagram('Many', samples.mxfile(*cells))
        links = list(DiagramLink.objects.filter(diagram=diagram))
        self.user.is_superuser = True
        with self.assertNumQueries(3):  # devices (none found), their existence, prefixes
            diagram_links.resolve_objects(links, self.user)


class WritePathsTest(LinkFixturesMixin, APITestCase):
    """Every API that writes content goes through the service that indexes it."""

    def grant(self, *names):
        for name in names:
            self.add_permissions(name)

    def test_rest_create_update_and_restore(self):
        self.grant('netbox_archiflow.add_diagram', 'netbox_archiflow.change_diagram', 'netbox_archiflow.view_diagram')
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        response = self.client.post(url, {'name': 'REST', 'xml': self.xml}, format='json', **self.header)
        self.assertHttpStatus(response, 201)
        diagram = Diagram.objects.get(pk=response.data['id'])
        self.assertEqual(set(index(diagram)), {'sw', 'net'})
        detail = reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[diagram.pk])
        response = self.client.patch(
            detail, {'xml': samples.mxfile(linked('b', self.other))}, format='json', **self.header
        )
        self.assertHttpStatus(response, 200)
        self.assertEqual(set(index(diagram)), {'b'})
        restore = reverse('plugins-api:netbox_archiflow-api:diagram-restore', args=[diagram.pk])
        self.assertHttpStatus(self.client.post(restore, {'version': 1}, format='json', **self.header), 200)
        self.assertEqual(set(index(diagram)), {'sw', 'net'})

    def test_rest_refuses_an_unlinkable_type_naming_the_cell(self):
        self.grant('netbox_archiflow.add_diagram', 'netbox_archiflow.view_diagram')
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        xml = samples.mxfile(samples.linked_cell('u9', 'someone', 'users.user', 1))
        response = self.client.post(url, {'name': 'REST', 'xml': xml}, format='json', **self.header)
        self.assertHttpStatus(response, 400)
        self.assertEqual((response.data['code'], response.data['cell']), ('link_type_not_linkable', 'u9'))
        self.assertFalse(Diagram.objects.exists())

    def test_ui_form_and_file_import(self):
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_add'), {'name': 'Form', 'status': 'draft', 'xml': self.xml}
        )
        self.assertHttpStatus(response, 302)
        self.assertEqual(set(index(Diagram.objects.get(name='Form'))), {'sw', 'net'})
        upload = SimpleUploadedFile('site.drawio', samples.compressed_mxfile(linked('sw', self.device)).encode())
        response = self.client.post(reverse('plugins:netbox_archiflow:diagram_import_files'), {'files': [upload]})
        self.assertHttpStatus(response, 302)
        self.assertEqual(set(index(Diagram.objects.get(name='site'))), {'sw'})
        bad = samples.mxfile(samples.linked_cell('u9', 'someone', 'users.user', 1))
        response = self.client.post(
            reverse('plugins:netbox_archiflow:diagram_add'), {'name': 'Bad', 'status': 'draft', 'xml': bad}
        )
        self.assertContains(response, 'users.user, which is not a linkable type')
        self.assertFalse(Diagram.objects.filter(name='Bad').exists())


class RPCWritePathsTest(LinkFixturesMixin, RPCTestCase):
    def test_rpc_save_apply_template_and_restore(self):
        for name in ('add_diagram', 'change_diagram', 'view_diagram', 'view_diagramtemplate', 'view_diagramversion'):
            self.add_permissions(f'netbox_archiflow.{name}')
        saved = self.result('save-diagram', {'name': 'RPC', 'xml': self.xml})['structuredContent']
        diagram = Diagram.objects.get(pk=saved['diagram']['id'])
        self.assertEqual(set(index(diagram)), {'sw', 'net'})
        self.result('save-diagram', {'id': diagram.pk, 'xml': samples.mxfile(linked('b', self.other))})
        self.assertEqual(set(index(diagram)), {'b'})
        self.result('restore-diagram-version', {'id': diagram.pk, 'version': 1})
        self.assertEqual(set(index(diagram)), {'sw', 'net'})
        bad = self.result('save-diagram', {'id': diagram.pk, 'xml': samples.mxfile(linked('u', self.user))})
        self.assertEqual(
            (bad['structuredContent']['code'], bad['structuredContent']['cell']), ('link_type_not_linkable', 'u')
        )
        DiagramTemplate.objects.create(
            name='T', slug='t', xml=samples.mxfile(samples.linked_cell('t', 'x', 'dcim.device', self.device.pk))
        )
        made = self.result('apply-template', {'templateId': 't', 'name': 'From T'})['structuredContent']
        self.assertEqual(set(index(Diagram.objects.get(pk=made['diagram']['id']))), {'t'})


class ReindexTest(LinkFixturesMixin, TestCase):
    def test_command_rebuilds_the_index_and_names_refused_diagrams(self):
        diagram = service.create_diagram('Fabric', self.xml)
        DiagramLink.objects.all().delete()
        refused = Diagram.objects.create(name='Old', xml=samples.mxfile(samples.linked_cell('u', 'x', 'users.user', 1)))
        out, err = StringIO(), StringIO()
        with self.assertRaisesMessage(CommandError, '1 diagrams have links that are refused'):
            call_command('archiflow_reindex_diagrams', stdout=out, stderr=err)
        self.assertEqual(set(index(diagram)), {'sw', 'net'})
        self.assertIn(f'Old (#{refused.pk}): The cell', err.getvalue())
        self.assertIn('1 diagrams indexed, 2 links.', out.getvalue())
        call_command('archiflow_reindex_diagrams', diagram.pk, stdout=StringIO())
        self.assertEqual(DiagramVersion.objects.filter(diagram=diagram).count(), 1)  # indexing writes no version
