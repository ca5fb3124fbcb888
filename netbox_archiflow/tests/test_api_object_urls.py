from django.urls import get_script_prefix, set_script_prefix
from netbox.api.serializers import BaseModelSerializer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from utilities.testing import TestCase

from netbox_archiflow.api.serializers import DiagramSerializer, DiagramTemplateSerializer, IPPoolSerializer
from netbox_archiflow.models import IPPool
from netbox_archiflow.services import diagrams as service

from .base import ONE, make_pools, make_template


def netbox_urls(obj, request):
    """``url`` and ``display_url`` as NetBox's own serializer fields answer them (one URL reversal each)."""

    class Reference(BaseModelSerializer):
        class Meta:
            model = type(obj)
            fields = ('url', 'display_url')

    return dict(Reference(obj, context={'request': request}).data)


class ObjectURLsTest(TestCase):
    """The plugin's serializers build ``url`` and ``display_url`` from a pattern reversed once: the same URLs."""

    @classmethod
    def setUpTestData(cls):
        make_pools('URL VRF', 171, 3)
        cls.objects = [
            (DiagramSerializer, service.create_diagram('URL diagram', ONE)),
            (DiagramTemplateSerializer, make_template()),
            (IPPoolSerializer, IPPool.objects.first()),
        ]

    def assert_same_urls(self, request):
        for serializer, obj in self.objects:
            with self.subTest(model=type(obj).__name__):
                data = serializer(obj, context={'request': request}, fields=['url', 'display_url']).data
                self.assertEqual(dict(data), netbox_urls(obj, request))

    def test_same_urls_as_netbox(self):
        self.assert_same_urls(Request(APIRequestFactory().get('/api/plugins/archiflow/diagrams/')))

    def test_format_override_is_kept(self):
        request = Request(APIRequestFactory().get('/api/plugins/archiflow/diagrams/', {'format': 'json'}))
        self.assert_same_urls(request)
        data = DiagramSerializer(self.objects[0][1], context={'request': request}, fields=['url']).data
        self.assertTrue(data['url'].endswith('?format=json'))

    def test_script_prefix(self):
        """NetBox served under a path (``BASE_PATH``): the pattern is reversed again for that prefix."""
        previous = get_script_prefix()
        set_script_prefix('/netbox/')
        try:
            request = Request(APIRequestFactory().get('/netbox/api/plugins/archiflow/diagrams/'))
            self.assert_same_urls(request)
            data = DiagramSerializer(self.objects[0][1], context={'request': request}, fields=['url']).data
            self.assertIn('/netbox/api/plugins/archiflow/', data['url'])
        finally:
            set_script_prefix(previous)

    def test_without_request(self):
        for serializer, obj in self.objects:
            with self.subTest(model=type(obj).__name__):
                data = serializer(obj, context={'request': None}, fields=['url', 'display_url']).data
                self.assertEqual(dict(data), netbox_urls(obj, None))
                self.assertTrue(data['url'].startswith('/api/plugins/archiflow/'))
