"""Issue 18, goal 5: what one REST save of a large linked diagram costs, in queries and in XML parses."""

import json
from unittest import mock

from utilities.testing import APITestCase
from utilities.testing.query_counts import assert_expected_query_count

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.drawio import pages
from netbox_archiflow.models import Diagram, DiagramLink
from netbox_archiflow.services import diagrams as service

LINKS = 1000


class DiagramSaveCountsTest(APITestCase):
    model = Diagram

    def setUp(self):
        super().setUp()
        self.user.is_superuser = True
        self.user.save()
        self.xml = samples.big_diagram(LINKS, label_size=40, links=[('dcim.site', n + 1) for n in range(LINKS)])
        self.diagram = service.create_diagram('counted', self.xml, self.user)
        self.url = f'/api/plugins/archiflow/diagrams/{self.diagram.pk}/'
        self.version = 1

    def save(self, label):
        self.version += 1
        body = {'xml': self.xml.replace('node-0 ', f'node-0 {label} '), 'base_version': self.version - 1}
        response = self.client.patch(self.url, json.dumps(body), content_type='application/json', **self.header)
        self.assertEqual(response.status_code, 200, response.content[:500])
        self.assertEqual(response.json()['version'], self.version)
        return body['xml']

    def test_queries_of_a_save_with_1000_linked_cells(self):
        self.save('warm-up')  # the process's first save fills Django's and NetBox's caches
        with assert_expected_query_count(self, 'api_save_1000_links'):
            self.save('counted')
        self.assertEqual(DiagramLink.objects.filter(diagram=self.diagram).count(), LINKS)
        self.assertTrue(DiagramLink.objects.filter(diagram=self.diagram, label__startswith='node-0 counted').exists())

    def test_a_save_parses_the_new_document_once(self):
        """The serializer validates the document and the service writes it: one parse for both. The stored
        document is not parsed again: the content key of what the last save wrote is known."""
        parsed = []

        def parse(xml, *args, **kwargs):
            parsed.append(xml)
            return parse_diagram(xml, *args, **kwargs)

        parse_diagram = pages.parse_diagram
        with mock.patch.object(pages, 'parse_diagram', side_effect=parse):
            new = self.save('parsed')
        self.assertEqual([xml == new for xml in parsed].count(True), 1)
        self.assertEqual(len(parsed), 1)

    def test_a_stored_document_of_unknown_content_key_is_parsed(self):
        """Without the key (written before the cache, or evicted), the stored document is parsed: a save
        with the same content in other words still writes nothing, one with other content a version."""
        same = self.xml.replace('<mxfile ', '<mxfile modified="2030-01-01" ', 1)
        parsed = []

        def parse(xml, *args, **kwargs):
            parsed.append(xml)
            return parse_diagram(xml, *args, **kwargs)

        parse_diagram = pages.parse_diagram
        with (
            mock.patch.object(service.cache, 'get', return_value=None),
            mock.patch.object(pages, 'parse_diagram', side_effect=parse),
        ):
            response = self.client.patch(
                self.url, json.dumps({'xml': same}), content_type='application/json', **self.header
            )
            self.assertEqual(response.json()['version'], 1)
            self.save('changed')
        self.assertEqual([xml == self.xml for xml in parsed].count(True), 2)  # the stored document, in each save
