"""Segments held by NetBox clusters: the link, allocation by name or reference, the setting, the data migration."""

from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.test import override_settings
from utilities.testing import TestCase
from virtualization.models import Cluster, ClusterGroup, ClusterType

from netbox_archiflow.models import Segment
from netbox_archiflow.plugin_settings import DEFAULT_SETTINGS, validate_settings
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import NotFound, ServiceError

from .segment_fixtures import make_pool, make_segments


class ClusterRulesSettingTest(TestCase):
    def errors(self, rules):
        return validate_settings({**DEFAULT_SETTINGS, 'cluster_segments': rules})

    def test_valid_rules(self):
        self.assertEqual(self.errors([]), [])
        self.assertEqual(self.errors([{'cluster_type': 'kubernetes', 'vrf': 'Production', 'count': 2}]), [])
        self.assertEqual(self.errors([{'cluster_group': 'edge', 'vrf': 'Production'}]), [])

    def test_bad_rules_are_named(self):
        for rules, problem in (
            ({'cluster_type': 'k'}, 'must be a list'),
            (['kubernetes'], 'rule 1 must be a dict'),
            ([{'vrf': 'Production'}], 'needs cluster_type and/or cluster_group'),
            ([{'cluster_type': 'k'}], 'needs vrf'),
            ([{'cluster_type': 'k', 'vrf': ''}], 'vrf must be a non-empty string'),
            ([{'cluster_type': 'k', 'vrf': 'P', 'count': 0}], 'count must be an integer from 1 to 1000'),
            ([{'cluster_type': 'k', 'vrf': 'P', 'count': True}], 'count must be an integer from 1 to 1000'),
            ([{'cluster_type': 'k', 'vrf': 'P', 'site_group': 'x'}], "unknown keys ['site_group']"),
        ):
            with self.subTest(rules=rules):
                errors = self.errors(rules)
                self.assertEqual(len(errors), 1, errors)
                self.assertTrue(errors[0].startswith('cluster_segments '), errors)
                self.assertIn(problem, errors[0])

    def test_start_up_refuses_bad_rules(self):
        bad = {'netbox_archiflow': {**DEFAULT_SETTINGS, 'cluster_segments': [{'vrf': 'Production'}]}}
        config = apps.get_app_config('netbox_archiflow')
        with override_settings(PLUGINS_CONFIG=bad), self.assertRaisesMessage(ImproperlyConfigured, 'cluster_segments'):
            config.validate_configuration()


class ClusterHolderTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('holder', '10.82.0.0/16')
        cls.segments = make_segments(cls.site_group, cls.vrf, 3)
        cls.cluster_type = ClusterType.objects.create(name='Holder type', slug='holder-type')
        cls.cluster = Cluster.objects.create(name='k8s-holder', type=cls.cluster_type)

    def allocate(self, cluster, count=1):
        return service.allocate_segments(self.site_group, self.vrf, cluster, count)

    def test_a_name_matching_one_cluster_links_it(self):
        [segment], created = self.allocate('k8s-holder')
        self.assertTrue(created)
        self.assertEqual((segment.cluster, segment.netbox_cluster), ('k8s-holder', self.cluster))
        # The same cluster by reference, by id or as an object, gets the same segment
        for holder in (self.cluster.pk, {'id': self.cluster.pk}, {'name': 'k8s-holder'}, self.cluster):
            [again], created = self.allocate(holder)
            self.assertEqual((again.pk, created), (segment.pk, False))

    def test_a_name_matching_no_cluster_or_several_stays_free_text(self):
        [segment], _ = self.allocate('not-a-netbox-cluster')
        self.assertIsNone(segment.netbox_cluster)
        group = ClusterGroup.objects.create(name='Other', slug='other')
        Cluster.objects.create(name='k8s-holder', type=self.cluster_type, group=group)
        [segment], _ = self.allocate('k8s-holder')
        self.assertEqual((segment.cluster, segment.netbox_cluster), ('k8s-holder', None))
        with self.assertRaises(ServiceError) as caught:
            self.allocate({'name': 'k8s-holder'})
        self.assertEqual((caught.exception.code, caught.exception.field), ('cluster_ambiguous', 'cluster'))

    def test_unknown_cluster_reference_is_named(self):
        with self.assertRaises(NotFound) as caught:
            self.allocate({'id': 999999})
        self.assertEqual((caught.exception.code, caught.exception.field), ('cluster_not_found', 'cluster'))
        for bad in (True, 1.5, ['x'], '   '):
            with self.subTest(bad=bad), self.assertRaises(ServiceError) as caught:
                self.allocate(bad)
            self.assertEqual(caught.exception.field, 'cluster')
        self.assertFalse(Segment.objects.filter(status='allocated').exists())

    def test_cluster_adopts_segments_held_under_its_name(self):
        # Allocated by name before the NetBox cluster existed (or when the name was ambiguous)
        Segment.objects.filter(pk=self.segments[0].pk).update(
            status='allocated', cluster='k8s-holder', allocated_at='2026-01-01T00:00Z'
        )
        [segment], created = self.allocate(self.cluster)
        self.assertFalse(created)
        self.assertEqual((segment.pk, segment.netbox_cluster), (self.segments[0].pk, self.cluster))
        self.assertEqual(Segment.objects.filter(netbox_cluster=self.cluster).count(), 1)

    def test_release_unlinks(self):
        [segment], _ = self.allocate(self.cluster)
        released = service.release_segment(segment)
        self.assertEqual((released.status, released.cluster, released.netbox_cluster), ('free', '', None))

    def test_database_refuses_a_free_segment_held_by_a_cluster(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Segment.objects.filter(pk=self.segments[0].pk).update(netbox_cluster=self.cluster)

    def test_list_segments_by_netbox_cluster(self):
        self.allocate(self.cluster, 2)
        self.assertEqual(service.list_segments(netbox_cluster=self.cluster.pk).count(), 2)
        self.assertEqual(service.list_segments(netbox_cluster={'name': 'k8s-holder'}).count(), 2)
        with self.assertRaises(NotFound) as caught:
            service.list_segments(netbox_cluster=999999)
        self.assertEqual(caught.exception.field, 'netbox_cluster')


class LinkSegmentsMigrationTest(TestCase):
    def test_links_holders_matching_exactly_one_cluster(self):
        site_group, vrf = make_pool('migr', '10.83.0.0/16')
        make_segments(site_group, vrf, 3)
        cluster_type = ClusterType.objects.create(name='Migr type', slug='migr-type')
        # Created before the clusters: held by name only
        service.allocate_segments(site_group, vrf, 'unique-c')
        service.allocate_segments(site_group, vrf, 'twin-c')
        service.allocate_segments(site_group, vrf, 'nobody')
        unique = Cluster.objects.create(name='unique-c', type=cluster_type)
        for group in ('g1', 'g2'):
            Cluster.objects.create(
                name='twin-c', type=cluster_type, group=ClusterGroup.objects.create(name=group, slug=group)
            )
        migration = import_module('netbox_archiflow.migrations.0006_link_segment_clusters')
        migration.link_segments(apps, None)
        holders = dict(Segment.objects.values_list('cluster', 'netbox_cluster'))
        self.assertEqual(holders, {'unique-c': unique.pk, 'twin-c': None, 'nobody': None})
