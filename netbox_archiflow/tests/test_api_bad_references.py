"""A related object referenced as {"id": "x"} is a 400 naming the field on every write endpoint, never a 500."""

from dcim.models import Site
from django.urls import reverse
from ipam.models import Prefix
from rest_framework import status
from utilities.testing import APITestCase

from netbox_archiflow.models import Diagram, IPAllocation, IPPool

BAD = {'id': 'x'}


class BadReferenceTest(APITestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions(
            'netbox_archiflow.add_ippool',
            'netbox_archiflow.add_diagram',
            'ipam.view_prefix',
            'ipam.view_vlan',
            'dcim.view_site',
            'extras.view_tag',
        )
        self.prefix = Prefix.objects.create(prefix='10.77.0.0/24')

    def post(self, url_name, body):
        url = reverse(f'plugins-api:netbox_archiflow-api:{url_name}')
        return self.client.post(url, body, format='json', **self.header)

    def test_ip_pool_references(self):
        cases = {
            'prefix': {'name': 'p', 'prefix': BAD},
            'vlan': {'name': 'p', 'prefix': self.prefix.pk, 'vlan': BAD},
            'tags': {'name': 'p', 'prefix': self.prefix.pk, 'tags': [BAD]},
        }
        for field, body in cases.items():
            with self.subTest(field=field):
                response = self.post('ippool-list', body)
                self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
                self.assertIn(field, response.data)
        self.assertFalse(IPPool.objects.exists())

    def test_diagram_references(self):
        Site.objects.create(name='s', slug='s')
        response = self.post('diagram-list', {'name': 'd', 'site': BAD})
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('site', response.data)
        self.assertFalse(Diagram.objects.exists())

    def test_allocate_references(self):
        self.add_permissions('netbox_archiflow.view_ippool', 'netbox_archiflow.add_ipallocation', 'dcim.view_device')
        pool = IPPool.objects.create(name='p', prefix=self.prefix)
        url = reverse('plugins-api:netbox_archiflow-api:ippool-allocate', kwargs={'pk': pool.pk})
        for field in ('tags', 'device'):
            with self.subTest(field=field):
                body = {'asset_id': 'a', field: [BAD] if field == 'tags' else BAD}
                response = self.client.post(url, body, format='json', **self.header)
                self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
                self.assertIn(field, response.data)
        self.assertFalse(IPAllocation.objects.exists())
