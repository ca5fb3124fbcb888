from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import ObjectChange
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from ipam.models import VRF, IPAddress, Prefix
from netbox_archiflow.models import Alert, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import Conflict, PermissionDenied
from netbox_archiflow.widgets import OpenAlertsWidget
from users.models import User
from utilities.testing import TestCase


class AlertTestCase(TestCase):
    def committed(self):
        """Run the on_commit callbacks of the block, as a real commit would."""
        return self.captureOnCommitCallbacks(execute=True)

    def open_alerts(self, alert_type):
        return Alert.objects.filter(alert_type=alert_type, resolved_at__isnull=True)


class PoolAlertTest(AlertTestCase):
    def setUp(self):
        super().setUp()
        self.pool = IPPool.objects.create(
            name='p', prefix=Prefix.objects.create(prefix='10.90.0.0/29'), alert_threshold=50
        )  # six usable addresses

    def test_threshold_raised_once_and_auto_resolved(self):
        allocations = []
        for n in range(4):
            with self.committed():
                allocations.append(pool_service.allocate_ip(self.pool, f'a{n}')[0])
            expected = 1 if n >= 2 else 0
            self.assertEqual(self.open_alerts('pool_threshold').count(), expected, n)
        alert = self.open_alerts('pool_threshold').get()
        self.assertEqual((alert.severity, alert.object), ('warning', self.pool))
        self.assertEqual(alert.details['usage']['allocated'], 3)
        for allocation in allocations[:2]:
            with self.committed():
                pool_service.release_ip(allocation)
        self.assertEqual(self.open_alerts('pool_threshold').count(), 0)
        alert.refresh_from_db()
        self.assertIsNotNone(alert.resolved_at)
        self.assertIn('below', alert.details['resolution'])

    def test_exhausted_raised_on_failed_allocation_and_resolved(self):
        self.pool.alert_threshold = 90
        self.pool.save()
        allocations = []
        for n in range(6):
            with self.committed():
                allocations.append(pool_service.allocate_ip(self.pool, f'a{n}')[0])
        self.assertEqual(self.open_alerts('pool_exhausted').count(), 0)
        for _attempt in range(2):
            with self.committed(), self.assertRaises(Conflict):
                pool_service.allocate_ip(self.pool, 'one-too-many')
        alert = self.open_alerts('pool_exhausted').get()
        self.assertEqual(alert.severity, 'critical')
        self.assertEqual(self.open_alerts('pool_threshold').count(), 1)
        with self.committed():
            pool_service.release_ip(allocations[0])
        self.assertEqual(self.open_alerts('pool_exhausted').count(), 0)
        self.assertEqual(self.open_alerts('pool_threshold').count(), 0)

    def test_alerting_never_fails_an_allocation(self):
        with mock.patch.object(alert_service, 'evaluate_pool', side_effect=RuntimeError('broken')), self.committed():
            allocation, created = pool_service.allocate_ip(self.pool, 'a')
        self.assertTrue(created)
        self.assertTrue(allocation.pk)

    def test_database_allows_one_open_alert_per_type_and_object(self):
        alert_service.raise_alert('pool_threshold', self.pool, severity='warning', message='x')
        duplicate = Alert(
            alert_type='pool_threshold',
            severity='warning',
            object_type=ContentType.objects.get_for_model(IPPool),
            object_id=self.pool.pk,
            message='y',
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            duplicate.save()
        self.assertEqual(
            alert_service.raise_alert('pool_threshold', self.pool, severity='warning', message='z')[1], False
        )


class IPConflictAlertTest(AlertTestCase):
    def test_conflict_raised_deduplicated_and_resolved(self):
        vrf = VRF.objects.create(name='loose', enforce_unique=False)
        pool = IPPool.objects.create(name='c', prefix=Prefix.objects.create(prefix='10.91.0.0/29', vrf=vrf))
        with self.committed():
            allocation, _ = pool_service.allocate_ip(pool, 'owner')
        self.assertEqual(self.open_alerts('ip_conflict').count(), 0)
        with self.committed():
            rogue = IPAddress.objects.create(address=f'{allocation.address}/29', vrf=vrf)
        alert = self.open_alerts('ip_conflict').get()
        self.assertEqual(alert.object, rogue)
        self.assertEqual(alert.details['asset_id'], 'owner')
        with self.committed():
            rogue.description = 'still here'
            rogue.save()
        self.assertEqual(self.open_alerts('ip_conflict').count(), 1)
        with self.committed():
            rogue.address = '10.91.0.6/29'
            rogue.save()
        self.assertEqual(self.open_alerts('ip_conflict').count(), 0)
        with self.committed():
            rogue.address = f'{allocation.address}/29'
            rogue.save()
        self.assertEqual(self.open_alerts('ip_conflict').count(), 1)
        with self.committed():
            rogue.delete()
        self.assertEqual(self.open_alerts('ip_conflict').count(), 0)
        with self.committed():
            rogue = IPAddress.objects.create(address=f'{allocation.address}/29', vrf=vrf)
        self.assertEqual(self.open_alerts('ip_conflict').count(), 1)
        with self.committed():
            pool_service.release_ip(allocation)
        self.assertEqual(self.open_alerts('ip_conflict').count(), 0)


class DeviceDownAlertTest(AlertTestCase):
    def test_device_down_raised_deduplicated_and_resolved(self):
        site = Site.objects.create(name='s', slug='s')
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name='m', slug='m'), model='t', slug='t'
        )
        role = DeviceRole.objects.create(name='r', slug='r')
        with self.committed():
            device = Device.objects.create(name='d', site=site, device_type=device_type, role=role)
        self.assertEqual(self.open_alerts('device_down').count(), 0)
        for status in ('offline', 'offline', 'failed'):
            with self.committed():
                device.status = status
                device.save()
            self.assertEqual(self.open_alerts('device_down').count(), 1)
        with self.committed():
            device.status = 'planned'
            device.save()
        self.assertEqual(self.open_alerts('device_down').count(), 1)
        with self.committed():
            device.status = 'active'
            device.save()
        self.assertEqual(self.open_alerts('device_down').count(), 0)
        self.assertEqual(Alert.objects.filter(alert_type='device_down').count(), 1)


class ManualAlertTest(AlertTestCase):
    def setUp(self):
        super().setUp()
        self.pool = IPPool.objects.create(name='m', prefix=Prefix.objects.create(prefix='10.92.0.0/29'))
        self.alert, _ = alert_service.raise_alert('pool_threshold', self.pool, severity='warning', message='x')

    def test_acknowledge_and_resolve_need_permission(self):
        nobody = User.objects.create_user('nobody')
        with self.assertRaises(PermissionDenied):
            alert_service.acknowledge(self.alert, user=nobody)
        admin = User.objects.create_superuser('boss', 'b@example.com', 'x')
        alert_service.acknowledge(self.alert, user=admin)
        self.assertEqual(self.alert.acknowledged_by, admin)
        with self.assertRaises(Conflict):
            alert_service.acknowledge(self.alert, user=admin)
        alert_service.resolve(self.alert, user=admin)
        self.assertEqual(self.alert.resolved_by, admin)
        with self.assertRaises(Conflict):
            alert_service.resolve(self.alert, user=admin)
        # A resolved alert frees the slot: the condition may be raised again.
        self.assertTrue(alert_service.raise_alert('pool_threshold', self.pool, severity='warning', message='y')[1])

    def test_ui_buttons_and_change_log(self):
        self.user.is_superuser = True
        self.user.save()
        url = reverse('plugins:netbox_archiflow:alert_acknowledge', kwargs={'pk': self.alert.pk})
        response = self.client.post(url, {'return_url': '/'})
        self.assertEqual(response.status_code, 302)
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.acknowledged_by, self.user)
        response = self.client.post(reverse('plugins:netbox_archiflow:alert_resolve', kwargs={'pk': self.alert.pk}))
        self.alert.refresh_from_db()
        self.assertIsNotNone(self.alert.resolved_at)
        changes = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(Alert),
            changed_object_id=self.alert.pk,
            user=self.user,
        )
        self.assertEqual(changes.filter(action='update').count(), 2)

    def test_ui_buttons_refuse_without_permission(self):
        url = reverse('plugins:netbox_archiflow:alert_resolve', kwargs={'pk': self.alert.pk})
        response = self.client.post(url)
        self.assertEqual(response.status_code, 404)
        self.alert.refresh_from_db()
        self.assertIsNone(self.alert.resolved_at)

    def test_open_alerts_widget(self):
        request = mock.Mock(user=User.objects.create_superuser('w', 'w@example.com', 'x'))
        html = OpenAlertsWidget().render(request)
        self.assertIn('x', html)
        self.assertIn(self.alert.get_absolute_url(), html)
        nobody = mock.Mock(user=User.objects.create_user('nobody2'))
        self.assertIn('No permission', OpenAlertsWidget().render(nobody))
