from io import StringIO

from core.models import ObjectChange, ObjectType
from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from extras.models import CustomField
from ipam.models import VLAN, Prefix
from users.models import User
from utilities.testing import TestCase

from netbox_archiflow.models import Segment

from .segment_fixtures import make_pool


class AdoptSegmentsCommandTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = User.objects.create_superuser('adopter', 'a@example.com', 'x')
        cls.site_group, cls.vrf = make_pool('adopt', '10.90.0.0/16')
        prefix_type = ObjectType.objects.get_for_model(Prefix)
        for name, kind in (('DHCP', 'boolean'), ('Cluster', 'text')):
            field = CustomField.objects.create(name=name, type=kind)
            field.object_types.set([prefix_type])
        scope = {'scope_type': ContentType.objects.get_for_model(SiteGroup), 'scope_id': cls.site_group.pk}
        cls.free = Prefix.objects.create(
            prefix='10.90.1.0/24',
            vrf=cls.vrf,
            status='active',
            custom_field_data={'DHCP': True, 'Cluster': ''},
            **scope,
        )
        cls.held = Prefix.objects.create(
            prefix='10.90.2.0/24',
            vrf=cls.vrf,
            status='active',
            custom_field_data={'DHCP': False, 'Cluster': 'k8s-old'},
            **scope,
        )
        # Not candidates: no VRF, and a prefix without the custom fields set
        Prefix.objects.create(prefix='10.90.3.0/24', custom_field_data={'Cluster': 'x'}, **scope)

    def run_command(self, *args):
        out, err = StringIO(), StringIO()
        call_command('archiflow_adopt_segments', '--user', 'adopter', *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_dry_run_changes_nothing(self):
        changes = ObjectChange.objects.count()
        out, _ = self.run_command('--dry-run')
        self.assertIn('would adopt 2 segment(s) (1 allocated)', out)
        self.assertFalse(Segment.objects.exists())
        self.assertEqual(ObjectChange.objects.count(), changes)

    def test_adopt_is_idempotent_and_change_logged(self):
        out, err = self.run_command()
        self.assertIn('adopted 2 segment(s) (1 allocated)', out, err)
        free = Segment.objects.get(prefix=self.free)
        held = Segment.objects.get(prefix=self.held)
        self.assertEqual((free.status, free.cluster, free.dhcp), ('free', '', True))
        self.assertEqual((held.status, held.cluster, held.dhcp), ('allocated', 'k8s-old', False))
        self.assertIsNotNone(held.allocated_at)
        self.assertEqual(Prefix.objects.get(pk=self.held.pk).status, 'reserved')
        self.assertIsNotNone(free.vlan_id)
        self.assertEqual(Prefix.objects.get(pk=self.free.pk).vlan_id, free.vlan_id)
        logged = ObjectChange.objects.filter(changed_object_type=ObjectType.objects.get_for_model(Segment))
        self.assertEqual(logged.count(), 2)
        self.assertEqual(set(logged.values_list('user__username', flat=True)), {'adopter'})
        self.assertTrue(
            ObjectChange.objects.filter(
                changed_object_type=ObjectType.objects.get_for_model(VLAN), user__username='adopter'
            ).exists()
        )

        again, _ = self.run_command()
        self.assertIn('0 prefix(es) to adopt', again)
        self.assertEqual(Segment.objects.count(), 2)


class DemoSegmentsTest(TestCase):
    def test_demo_has_segments_in_both_states(self):
        User.objects.create_superuser('demo-admin', 'demo@example.com', 'x')
        call_command('archiflow_demo', stdout=StringIO())
        self.assertTrue(Segment.objects.filter(status='free').exists())
        self.assertTrue(Segment.objects.filter(status='allocated').exists())
        counts = (Segment.objects.count(), Segment.objects.filter(status='allocated').count())
        call_command('archiflow_demo', stdout=StringIO())
        self.assertEqual((Segment.objects.count(), Segment.objects.filter(status='allocated').count()), counts)

    def test_demo_kubernetes_clusters_hold_their_production_segments(self):
        User.objects.create_superuser('demo-admin', 'demo@example.com', 'x')
        call_command('archiflow_demo', stdout=StringIO())
        held = {
            name: sorted(Segment.objects.filter(netbox_cluster__name=name).values_list('site_group__slug', 'vrf__name'))
            for name in ('k8s-eu-west-prod', 'k8s-ams1', 'k8s-sin1')
        }
        self.assertEqual(
            held,
            {
                'k8s-eu-west-prod': [('eu-west', 'Production')] * 2,  # allocated under its name, then linked
                'k8s-ams1': [('eu-west', 'Production')],
                'k8s-sin1': [('apac', 'Production')],
            },
        )
