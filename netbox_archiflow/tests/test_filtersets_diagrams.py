from dcim.models import Site
from ipam.models import Prefix
from users.models import User
from utilities.testing import BaseFilterSetTestMixin, ChangeLoggedFilterSetTestMixin, TestCase

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.filtersets import (
    DiagramFilterSet,
    DiagramLinkFilterSet,
    DiagramTemplateFilterSet,
    DiagramVersionFilterSet,
)
from netbox_archiflow.models import Diagram, DiagramLink, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagrams as service

from .base import ONE, TWO, make_template


class DiagramFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = Diagram.objects.all()
    filterset = DiagramFilterSet
    ignore_fields = ('xml', 'preview_svg', 'metadata', 'status')

    @classmethod
    def setUpTestData(cls):
        cls.author = User.objects.create_user('diagram-filters', is_superuser=True)
        cls.site = Site.objects.create(name='diagram-filters', slug='diagram-filters')
        service.create_diagram('First', ONE, site=cls.site, user=cls.author)
        service.create_diagram('Second', TWO, status='live')
        service.create_diagram('Third', ONE, description='spare')

    def test_site_status_author_and_search(self):
        self.assertEqual(self.filterset({'site_id': [self.site.pk]}, self.queryset).qs.get().name, 'First')
        self.assertEqual(self.filterset({'site': [self.site.slug]}, self.queryset).qs.get().name, 'First')
        self.assertEqual(self.filterset({'status': ['live']}, self.queryset).qs.get().name, 'Second')
        self.assertEqual(self.filterset({'created_by_id': [self.author.pk]}, self.queryset).qs.get().name, 'First')
        self.assertEqual(self.filterset({'q': 'spare'}, self.queryset).qs.get().name, 'Third')


class DiagramVersionFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = DiagramVersion.objects.all()
    filterset = DiagramVersionFilterSet
    ignore_fields = ('xml', 'preview_svg', 'kind')

    @classmethod
    def setUpTestData(cls):
        cls.diagram = service.create_diagram('Versioned', ONE)
        service.save_diagram(cls.diagram, TWO, summary='second page')
        service.create_diagram('Other', ONE)

    def test_diagram_kind_and_search(self):
        self.assertEqual(self.filterset({'diagram_id': [self.diagram.pk]}, self.queryset).qs.count(), 2)
        self.assertEqual(self.filterset({'q': 'second page'}, self.queryset).qs.get().version_number, 2)
        self.assertEqual(self.filterset({'version_number': [2]}, self.queryset).qs.get().diagram, self.diagram)


class DiagramTemplateFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = DiagramTemplate.objects.all()
    filterset = DiagramTemplateFilterSet
    ignore_fields = ('xml', 'variables')

    @classmethod
    def setUpTestData(cls):
        make_template()
        DiagramTemplate.objects.create(name='Rack', slug='rack', xml=ONE, category='dc')
        DiagramTemplate.objects.create(name='Old', slug='old', xml=ONE, category='dc', is_active=False)

    def test_category_and_active(self):
        self.assertEqual(self.filterset({'category': ['dc']}, self.queryset).qs.count(), 2)
        self.assertEqual(self.filterset({'is_active': False}, self.queryset).qs.get().slug, 'old')


class DiagramLinkFilterSetTest(BaseFilterSetTestMixin, TestCase):
    queryset = DiagramLink.objects.all()
    filterset = DiagramLinkFilterSet

    @classmethod
    def setUpTestData(cls):
        cls.site = Site.objects.create(name='link-filters', slug='link-filters')
        cls.prefix = Prefix.objects.create(prefix='10.121.0.0/24')
        ghost = samples.linked_cell('ghost', 'gone', 'dcim.site', 999999, display='old site')
        cells = (
            samples.linked_cell('s', 'site', 'dcim.site', cls.site.pk, display=str(cls.site)),
            samples.linked_cell('p', 'net', 'ipam.prefix', cls.prefix.pk, display=str(cls.prefix)),
            ghost,
        )
        cls.diagram = service.create_diagram('Linked', samples.mxfile(*cells))

    def test_object_type_object_and_broken(self):
        self.assertEqual(self.filterset({'object_type': ['ipam.prefix']}, self.queryset).qs.get().cell_id, 'p')
        self.assertEqual(self.filterset({'object_id': [self.site.pk]}, self.queryset).qs.get().cell_id, 's')
        self.assertEqual(self.filterset({'broken': True}, self.queryset).qs.get().cell_id, 'ghost')
        self.assertEqual(self.filterset({'diagram_id': [self.diagram.pk]}, self.queryset).qs.count(), 3)
