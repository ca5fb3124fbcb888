"""What a REST list serializes per row, without per-row URL reversals or tag querysets."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, reverse, set_script_prefix
from extras.models import Tag, TaggedItem
from netbox.api.serializers import BaseModelSerializer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from utilities.testing import APITestCase, TestCase

from netbox_archiflow.api.serializers import DiagramSerializer, DiagramTemplateSerializer, IPPoolSerializer
from netbox_archiflow.models import Diagram, IPPool
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


class ListedTagsTest(APITestCase):
    """A list reads its rows' tags from one prefetch into a list: the same tags as the detail, no query per row."""

    @classmethod
    def setUpTestData(cls):
        cls.tags = [Tag.objects.create(name=f'Row tag {n}', slug=f'row-tag-{n}') for n in range(3)]
        for n in range(4):
            service.create_diagram(f'Tagged {n}', ONE).tags.set(cls.tags[: n % 3 + 1])
        service.create_diagram('Untagged', ONE)

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()

    def test_list_carries_the_tags_of_the_detail(self):
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        rows = self.client.get(f'{url}?limit=0', **self.header).json()['results']
        self.assertEqual(len(rows), 5)
        for row in rows:
            detail = self.client.get(row['url'], **self.header).json()
            self.assertEqual(row['tags'], detail['tags'])
        self.assertEqual(
            sorted((row['name'], len(row['tags'])) for row in rows),
            [('Tagged 0', 1), ('Tagged 1', 2), ('Tagged 2', 3), ('Tagged 3', 1), ('Untagged', 0)],
        )

    def test_tags_are_read_once_per_list(self):
        """One query for the tags of all rows, and taggit builds no tag queryset per row to hold them."""
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        with (
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(TaggedItem, 'tags_for', side_effect=TaggedItem.tags_for) as tags_for,
        ):
            self.assertEqual(self.client.get(url, **self.header).status_code, 200)
        tag_reads = [query['sql'] for query in queries if 'extras_taggeditem' in query['sql']]
        self.assertEqual(len(tag_reads), 1, tag_reads)
        self.assertEqual(tags_for.call_count, 1)

    def test_tag_filter_and_write_answer(self):
        url = reverse('plugins-api:netbox_archiflow-api:diagram-list')
        rows = self.client.get(f'{url}?tag=row-tag-2', **self.header).json()['results']
        self.assertEqual(sorted(row['name'] for row in rows), ['Tagged 2'])
        diagram = Diagram.objects.get(name='Untagged')
        answer = self.client.patch(
            reverse('plugins-api:netbox_archiflow-api:diagram-detail', args=[diagram.pk]),
            {'tags': [{'slug': 'row-tag-1'}]},
            format='json',
            **self.header,
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual([tag['slug'] for tag in answer.json()['tags']], ['row-tag-1'])
