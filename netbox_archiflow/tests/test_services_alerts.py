from unittest import mock

from core.models import ObjectChange
from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from ipam.models import VRF, IPAddress, Prefix
from users.models import User
from utilities.testing import TestCase, create_test_device

from netbox_archiflow.forms import AlertImportForm
from netbox_archiflow.models import Alert, IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import Conflict, PermissionDenied
from netbox_archiflow.widgets import OpenAlertsWidget


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

    def test_addresses_saved_in_one_transaction_are_evaluated_together(self):
        vrf = VRF.objects.create(name='bulk', enforce_unique=False)
        prefix = Prefix.objects.create(prefix='10.92.0.0/28', vrf=vrf)  # 14 usable addresses
        pool = IPPool.objects.create(name='b', prefix=prefix, alert_threshold=40)
        with self.committed():
            owned = [pool_service.allocate_ip(pool, f'owner-{n}')[0] for n in range(2)]
        self.assertEqual(self.open_alerts('pool_threshold').count(), 0)
        evaluate = mock.patch.object(alert_service, 'evaluate_ip_addresses', wraps=alert_service.evaluate_ip_addresses)
        with evaluate as evaluated, self.committed():
            rogues = [IPAddress.objects.create(address=f'{a.address}/28', vrf=vrf) for a in owned]
            free = [IPAddress.objects.create(address=f'10.92.0.{n}/28', vrf=vrf) for n in range(10, 15)]
        evaluated.assert_called_once()
        self.assertEqual(sorted(evaluated.call_args.args[0]), sorted(ip.pk for ip in rogues + free))
        conflicts = self.open_alerts('ip_conflict')
        self.assertEqual(set(conflicts.values_list('object_id', flat=True)), {ip.pk for ip in rogues})
        self.assertEqual(self.open_alerts('pool_threshold').count(), 1)  # 7 of 14 used

    def test_an_allocated_address_evaluates_only_its_pool(self):
        """The allocation took its address as free under the pool lock: no conflict check, the pool's usage is
        evaluated; a later save of the same address is checked again."""
        vrf = VRF.objects.create(name='allocated', enforce_unique=False)
        prefix = Prefix.objects.create(prefix='10.94.0.0/29', vrf=vrf)  # 6 usable addresses
        pool = IPPool.objects.create(name='o', prefix=prefix, alert_threshold=30)
        evaluate = mock.patch.object(alert_service, 'evaluate_ip_addresses', wraps=alert_service.evaluate_ip_addresses)
        with evaluate as evaluated, self.committed():
            allocations = [pool_service.allocate_ip(pool, f'owner-{n}')[0] for n in range(2)]
        evaluated.assert_not_called()
        self.assertEqual(self.open_alerts('pool_threshold').count(), 1)  # 2 of 6 used
        with evaluate as evaluated, self.committed():
            allocations[0].ip_address.save()
        evaluated.assert_called_once()

    def test_a_batch_rolled_back_with_its_savepoint_is_started_again(self):
        vrf = VRF.objects.create(name='savepoint', enforce_unique=False)
        pool = IPPool.objects.create(name='s', prefix=Prefix.objects.create(prefix='10.93.0.0/29', vrf=vrf))
        with self.committed():
            allocation, _ = pool_service.allocate_ip(pool, 'owner')
        with self.committed():
            with self.assertRaises(IntegrityError), transaction.atomic():
                IPAddress.objects.create(address='10.93.0.5/29', vrf=vrf)
                raise IntegrityError('rolled back')
            rogue = IPAddress.objects.create(address=f'{allocation.address}/29', vrf=vrf)
        self.assertEqual(self.open_alerts('ip_conflict').get().object, rogue)


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

    def test_open_alerts_widget_can_be_added_to_the_dashboard(self):
        self.add_permissions('netbox_archiflow.view_alert')
        self.client.get(reverse('home'))  # creates the user's dashboard, as a first visit does
        url = reverse('extras:dashboardwidget_add')
        for widget_class in ('extras.NoteWidget', 'netbox_archiflow.OpenAlertsWidget'):
            response = self.client.get(f'{url}?widget_class={widget_class}', HTTP_HX_REQUEST='true')
            self.assertHttpStatus(response, 200)
            self.assertContains(response, 'value="netbox_archiflow.OpenAlertsWidget"')
        response = self.client.post(
            url, {'widget_class': 'netbox_archiflow.OpenAlertsWidget', 'config-max_items': 5}, HTTP_HX_REQUEST='true'
        )
        self.assertEqual(response.headers['HX-Redirect'], reverse('home'))
        response = self.client.get(reverse('home'))
        self.assertContains(response, 'Open alerts')
        self.assertContains(response, self.alert.get_absolute_url())


class AlertImportTest(AlertTestCase):
    url = reverse('plugins:netbox_archiflow:alert_bulk_import')
    header = 'alert_type,severity,object_type,object_id,message,details'

    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.add_alert', 'netbox_archiflow.view_ippool', 'dcim.view_device')
        self.pool = IPPool.objects.create(name='imported', prefix=Prefix.objects.create(prefix='10.93.0.0/29'))
        self.device = create_test_device('down-1')

    def import_csv(self, *rows):
        data = '\n'.join((self.header, *rows))
        return self.client.post(self.url, {'data': data, 'format': 'csv', 'csv_delimiter': 'auto'})

    def row_errors(self, response):
        self.assertEqual(response.status_code, 200)
        return ' '.join(response.context['form'].non_field_errors())

    def test_rows_become_open_alerts(self):
        self.assertEqual(self.client.get(self.url).status_code, 200)
        response = self.import_csv(
            f'pool_threshold,warning,netbox_archiflow.ippool,{self.pool.pk},Pool nearly full,"{{""usage"": 93}}"',
            f'device_down,critical,dcim.device,{self.device.pk},Unreachable since Monday,',
        )
        self.assertEqual(response.status_code, 302)
        pool_alert = self.open_alerts('pool_threshold').get()
        self.assertEqual((pool_alert.object, pool_alert.object_repr), (self.pool, 'imported'))
        self.assertEqual((pool_alert.severity, pool_alert.details), ('warning', {'usage': 93}))
        device_alert = self.open_alerts('device_down').get()
        self.assertEqual((device_alert.object, device_alert.details), (self.device, {}))
        self.assertEqual(
            ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(Alert), user=self.user)
            .filter(action='create')
            .count(),
            2,
        )

    def test_a_row_duplicating_an_open_alert_is_a_row_error(self):
        alert_service.raise_alert('pool_threshold', self.pool, severity='warning', message='open already')
        errors = self.row_errors(
            self.import_csv(
                f'device_down,critical,dcim.device,{self.device.pk},down,',
                f'pool_threshold,warning,netbox_archiflow.ippool,{self.pool.pk},again,',
            )
        )
        self.assertIn('Record 2', errors)
        self.assertIn('An open alert of this type already exists for this object.', errors)
        self.assertEqual(Alert.objects.count(), 1)
        errors = self.row_errors(
            self.import_csv(*(f'device_down,critical,dcim.device,{self.device.pk},down,' for _row in range(2)))
        )
        self.assertIn('Record 2', errors)
        self.assertEqual(Alert.objects.count(), 1)

    def test_an_alert_raised_concurrently_is_a_row_error(self):
        alert_service.raise_alert('device_down', self.device, severity='critical', message='raised meanwhile')
        # As if the alert had been raised after the row's validation.
        with mock.patch.object(AlertImportForm, 'validate_constraints'):
            errors = self.row_errors(self.import_csv(f'device_down,critical,dcim.device,{self.device.pk},down,'))
        self.assertIn('Record 1', errors)
        self.assertIn('raised for this object meanwhile', errors)
        self.assertEqual(Alert.objects.count(), 1)

    def test_bad_references_and_details_name_the_field(self):
        cases = (
            (
                'device_down,critical,dcim.device,999999,m,',
                'Record 1 object_id: dcim.device 999999 does not exist or is not visible to you.',
            ),
            ('device_down,critical,dcim.nothing,1,m,', 'Record 1 object_type: Invalid object type'),
            (f'device_down,critical,dcim.device,{self.device.pk},m,[1]', 'Record 1 details: Details must be'),
            (f'device_gone,critical,dcim.device,{self.device.pk},m,', 'Record 1 alert_type:'),
        )
        for row, error in cases:
            with self.subTest(row=row):
                self.assertIn(error, self.row_errors(self.import_csv(row)))
        self.assertEqual(Alert.objects.count(), 0)

    def test_rows_cannot_change_alerts(self):
        self.add_permissions('netbox_archiflow.change_alert')
        alert, _created = alert_service.raise_alert('device_down', self.device, severity='critical', message='m')
        data = f'id,message\n{alert.pk},rewritten'
        response = self.client.post(self.url, {'data': data, 'format': 'csv', 'csv_delimiter': 'auto'})
        self.assertIn('only creates alerts', self.row_errors(response))
        alert.refresh_from_db()
        self.assertEqual(alert.message, 'm')

    def test_objects_the_user_cannot_view_are_refused(self):
        self.remove_permissions('dcim.view_device')
        response = self.import_csv(f'device_down,critical,dcim.device,{self.device.pk},down,')
        self.assertIn('is not visible to you', self.row_errors(response))
        self.assertEqual(Alert.objects.count(), 0)

    def test_import_needs_the_add_permission(self):
        self.remove_permissions('netbox_archiflow.add_alert')
        self.assertEqual(self.client.get(self.url).status_code, 403)
        response = self.import_csv(f'device_down,critical,dcim.device,{self.device.pk},down,')
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Alert.objects.count(), 0)


class DeletedObjectAlertTest(AlertTestCase):
    def test_deleting_the_object_resolves_its_alerts_and_keeps_its_name(self):
        pool = IPPool.objects.create(name='doomed', prefix=Prefix.objects.create(prefix='10.94.0.0/29'))
        device = create_test_device('doomed-device')
        address = IPAddress.objects.create(address='10.94.1.1/24')
        raised = [
            alert_service.raise_alert('pool_threshold', pool, severity='warning', message='m')[0],
            alert_service.raise_alert('pool_exhausted', pool, severity='critical', message='m')[0],
            alert_service.raise_alert('device_down', device, severity='critical', message='m')[0],
            alert_service.raise_alert('ip_conflict', address, severity='critical', message='m')[0],
        ]
        Alert.objects.filter(pk=raised[2].pk).update(object_repr='')  # e.g. an alert from an old import
        for obj in (pool, device, address):
            with self.committed():
                obj.delete()
        self.assertEqual(Alert.objects.filter(resolved_at__isnull=True).count(), 0)
        resolutions = {alert.alert_type: alert for alert in Alert.objects.all()}
        self.assertEqual(resolutions['pool_threshold'].details['resolution'], 'IP pool doomed was deleted')
        self.assertEqual(resolutions['pool_exhausted'].object_repr, 'doomed')
        self.assertEqual(resolutions['device_down'].object_repr, 'doomed-device')
        self.assertEqual(resolutions['device_down'].details['resolution'], 'device doomed-device was deleted')
        self.assertEqual(resolutions['ip_conflict'].details['resolution'], 'IP address 10.94.1.1/24 was deleted')

        self.add_permissions('netbox_archiflow.view_alert')
        response = self.client.get(reverse('plugins:netbox_archiflow:alert_list'))
        self.assertContains(response, 'doomed-device <span class="text-muted">(deleted)</span>', html=False)
        response = self.client.get(resolutions['pool_threshold'].get_absolute_url())
        self.assertContains(response, 'IP pool doomed was deleted')

    def test_an_imported_alert_must_be_about_the_model_of_its_type(self):
        self.add_permissions('netbox_archiflow.add_alert', 'dcim.view_device')
        device = create_test_device('wrong-type')
        data = f'alert_type,severity,object_type,object_id,message\npool_threshold,warning,dcim.device,{device.pk},m'
        response = self.client.post(
            reverse('plugins:netbox_archiflow:alert_bulk_import'),
            {'data': data, 'format': 'csv', 'csv_delimiter': 'auto'},
        )
        self.assertIn(
            'Record 1 object_type: A pool_threshold alert is about a netbox_archiflow.ippool.',
            ' '.join(response.context['form'].non_field_errors()),
        )
        self.assertEqual(Alert.objects.count(), 0)


class AlertPagesTest(AlertTestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_archiflow.view_alert', 'netbox_archiflow.change_alert')
        pool = IPPool.objects.create(name='pages', prefix=Prefix.objects.create(prefix='10.95.0.0/29'))
        self.alert, _ = alert_service.raise_alert('pool_threshold', pool, severity='warning', message='nearly full')

    def test_status_badge_follows_the_alert(self):
        for expected, change in (('Open', None), ('Acknowledged', 'acknowledged_at'), ('Resolved', 'resolved_at')):
            if change:
                Alert.objects.filter(pk=self.alert.pk).update(**{change: self.alert.created})
            response = self.client.get(self.alert.get_absolute_url())
            self.assertContains(response, f'id="alert-status">{expected}</span>')

    def test_list_rows_have_labelled_buttons_that_post_through_the_list_form(self):
        response = self.client.get(reverse('plugins:netbox_archiflow:alert_list'))
        acknowledge = reverse('plugins:netbox_archiflow:alert_acknowledge', kwargs={'pk': self.alert.pk})
        resolve = reverse('plugins:netbox_archiflow:alert_resolve', kwargs={'pk': self.alert.pk})
        self.assertContains(response, f'formaction="{acknowledge}?return_url=')
        self.assertContains(response, f'href="{resolve}?return_url=')
        self.assertRegex(response.content.decode(), r'</i> Acknowledge\s*</button>')
        self.assertNotContains(response, '<form method="post" action="' + acknowledge)
        self.assertContains(response, '<span class="badge text-bg-red">Open</span>', html=True)

    def test_resolve_asks_for_confirmation_first(self):
        url = reverse('plugins:netbox_archiflow:alert_resolve', kwargs={'pk': self.alert.pk})
        response = self.client.get(f'{url}?return_url=/plugins/archiflow/alerts/')
        self.assertContains(response, 'Confirm resolution')
        self.assertContains(response, 'name="return_url" value="/plugins/archiflow/alerts/"')
        self.alert.refresh_from_db()
        self.assertIsNone(self.alert.resolved_at)
        response = self.client.post(url, {'return_url': '/plugins/archiflow/alerts/'})
        self.assertRedirects(response, '/plugins/archiflow/alerts/', fetch_redirect_response=False)
        self.alert.refresh_from_db()
        self.assertIsNotNone(self.alert.resolved_at)
