from io import StringIO

from django.core.management import call_command
from users.models import User
from utilities.testing import TestCase

from netbox_archiflow.models import Alert, IPAllocation, IPPool


class PoolDemoTest(TestCase):
    def test_demo_pools_allocations_and_alerts_are_idempotent(self):
        User.objects.create_superuser('demo-admin', 'demo@example.com', 'x')
        call_command('archiflow_demo', verbosity=0, stdout=StringIO())
        counts = (IPPool.objects.count(), IPAllocation.objects.count(), Alert.objects.count())
        self.assertGreaterEqual(counts[0], 6)
        self.assertTrue(IPPool.objects.filter(prefix__prefix__family=6).exists())
        self.assertTrue(IPAllocation.objects.filter(is_active=False).exists())
        self.assertEqual(
            set(Alert.objects.filter(resolved_at__isnull=True).values_list('alert_type', flat=True)),
            {'pool_threshold', 'ip_conflict', 'device_down'},
        )
        call_command('archiflow_demo', verbosity=0, stdout=StringIO())
        self.assertEqual((IPPool.objects.count(), IPAllocation.objects.count(), Alert.objects.count()), counts)
