"""The plugin's ObjectAction buttons on detail pages: shown for the permission they need (on another model or
object where it applies), only where they apply, and their forms carry a CSRF token."""

import re

from core.models import ObjectType
from django.test import Client
from django.urls import reverse
from ipam.models import Prefix
from users.models import ObjectPermission
from utilities.testing import TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramTemplate, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import diagrams as diagram_service
from netbox_archiflow.services import pools as pool_service

ONE = samples.mxfile(samples.cell('a', 'alpha'))
TWO = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'))


def url(name, **kwargs):
    return reverse(f'plugins:netbox_archiflow:{name}', kwargs=kwargs)


class ButtonsTest(TestCase):
    def test_pool_allocate_needs_add_on_allocations_and_an_active_pool(self):
        pool = IPPool.objects.create(name='buttons', prefix=Prefix.objects.create(prefix='10.67.0.0/29'))
        allocate = url('ippool_allocate', pk=pool.pk)
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ippool')
        self.assertNotContains(self.client.get(pool.get_absolute_url()), allocate)
        self.add_permissions('netbox_archiflow.add_ipallocation')
        self.assertContains(self.client.get(pool.get_absolute_url()), allocate)
        IPPool.objects.filter(pk=pool.pk).update(is_active=False)
        self.assertNotContains(self.client.get(pool.get_absolute_url()), allocate)

    def test_allocation_release_comes_back_to_the_allocation_until_released(self):
        pool = IPPool.objects.create(name='buttons', prefix=Prefix.objects.create(prefix='10.67.0.0/29'))
        allocation, _created = pool_service.allocate_ip(pool, 'asset')
        self.add_permissions('netbox_archiflow.view_ipallocation', 'netbox_archiflow.change_ipallocation')
        release = f'{url("ipallocation_release", pk=allocation.pk)}?return_url={allocation.get_absolute_url()}'
        self.assertContains(self.client.get(allocation.get_absolute_url()), f'href="{release}"')
        pool_service.release_ip(allocation)
        page = self.client.get(allocation.get_absolute_url())
        self.assertNotContains(page, url('ipallocation_release', pk=allocation.pk))

    def test_alert_acknowledge_then_resolve(self):
        pool = IPPool.objects.create(name='buttons', prefix=Prefix.objects.create(prefix='10.67.0.0/29'))
        alert, _created = alert_service.raise_alert('pool_threshold', pool, severity='warning', message='m')
        acknowledge, resolve = url('alert_acknowledge', pk=alert.pk), url('alert_resolve', pk=alert.pk)
        self.add_permissions('netbox_archiflow.view_alert')
        page = self.client.get(alert.get_absolute_url())
        self.assertNotContains(page, acknowledge)
        self.assertNotContains(page, resolve)
        self.add_permissions('netbox_archiflow.change_alert')
        page = self.client.get(alert.get_absolute_url())
        self.assertContains(page, f'<form action="{acknowledge}" method="post"')
        self.assertContains(page, f'href="{resolve}"')
        alert_service.acknowledge(alert)
        page = self.client.get(alert.get_absolute_url())
        self.assertNotContains(page, acknowledge)
        self.assertContains(page, f'href="{resolve}"')
        alert_service.resolve(alert)
        self.assertNotContains(self.client.get(alert.get_absolute_url()), resolve)

    def test_diagram_editor_follows_object_permissions_and_refresh_only_generated(self):
        diagram = diagram_service.create_diagram('Buttons', ONE)
        self.add_permissions('netbox_archiflow.view_diagram')
        page = self.client.get(diagram.get_absolute_url())
        self.assertContains(page, url('diagram_download', pk=diagram.pk))
        self.assertContains(page, f'{url("diagram_preview", pk=diagram.pk)}?download=1')
        self.assertNotContains(page, 'id="open-editor"')
        self.assertNotContains(page, url('diagram_refresh', pk=diagram.pk))
        permission = ObjectPermission.objects.create(
            name='other diagrams', actions=['change'], constraints={'name': 'Other'}
        )
        permission.users.add(self.user)
        permission.object_types.add(ObjectType.objects.get_for_model(Diagram))
        # The Editor tab is shown on the model permission; the button only where this diagram may be changed.
        self.assertNotContains(self.client.get(diagram.get_absolute_url()), 'id="open-editor"')
        permission.constraints = {'name': 'Buttons'}
        permission.save()
        editor = f'href="{url("diagram_editor", pk=diagram.pk)}" class="btn btn-primary" role="button" id="open-editor"'
        self.assertContains(self.client.get(diagram.get_absolute_url()), editor)
        Diagram.objects.filter(pk=diagram.pk).update(metadata={'generator': {'kind': 'physical'}})
        self.assertContains(self.client.get(diagram.get_absolute_url()), url('diagram_refresh', pk=diagram.pk))

    def test_template_create_needs_add_on_diagrams_and_an_active_template(self):
        template = DiagramTemplate.objects.create(name='Buttons', slug='buttons', xml=ONE)
        create = f'{url("diagram_from_template")}?template={template.pk}'
        self.add_permissions('netbox_archiflow.view_diagramtemplate', 'netbox_archiflow.add_diagramtemplate')
        self.assertNotContains(self.client.get(template.get_absolute_url()), create)
        self.add_permissions('netbox_archiflow.add_diagram')
        self.assertContains(self.client.get(template.get_absolute_url()), create)
        DiagramTemplate.objects.filter(pk=template.pk).update(is_active=False)
        self.assertNotContains(self.client.get(template.get_absolute_url()), create)

    def test_version_restore_posts_with_a_csrf_token_and_not_for_the_current_version(self):
        diagram = diagram_service.create_diagram('Buttons', ONE)
        diagram_service.save_diagram(diagram, TWO)
        first, current = diagram.versions.get(version_number=1), diagram.versions.get(version_number=2)
        restore = url('diagram_restore', pk=diagram.pk, number=1)
        self.add_permissions('netbox_archiflow.view_diagram', 'netbox_archiflow.view_diagramversion')
        self.assertNotContains(self.client.get(first.get_absolute_url()), restore)
        self.add_permissions('netbox_archiflow.change_diagram')
        self.assertNotContains(self.client.get(current.get_absolute_url()), 'mdi-restore')
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user)
        page = client.get(first.get_absolute_url()).content.decode()
        form = re.search(rf'<form action="{restore}".*?</form>', page, re.S).group(0)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = client.post(restore, {'csrfmiddlewaretoken': token})
        self.assertRedirects(response, url('diagram_versions', pk=diagram.pk), fetch_redirect_response=False)
        self.assertEqual(Diagram.objects.get(pk=diagram.pk).version, 3)
