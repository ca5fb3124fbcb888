"""The alert checks of saved addresses run when NetBox has processed the request, not at the commit: NetBox's own
``available-ips`` commits the address while it still holds its lock for the whole instance (issue 18, goal 1)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from netbox_archiflow.choices import AlertTypeChoices
from netbox_archiflow.models import Alert, IPPool
from netbox_archiflow.services import alerts

from .base import CommittedTestCase
from .test_concurrency_pools import Fixture


class AlertChecksAfterRequestTest(CommittedTestCase):
    def setUp(self):
        self.committed = Fixture()
        self.addCleanup(self.committed.cleanup)

    def test_core_available_ips_releases_its_lock_before_the_check(self):
        pool = self.committed.pool('10.213.0.0/29', alert_threshold=10)  # one address of six is above 10 %
        client = Client(**self.committed.superuser_header(), HTTP_ACCEPT='application/json')
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f'/api/ipam/prefixes/{pool.prefix_id}/available-ips/', {}, content_type='application/json'
            )
        self.assertEqual(response.status_code, 201, response.content)
        statements = [query['sql'] for query in queries.captured_queries]
        unlock = next(i for i, sql in enumerate(statements) if 'pg_advisory_unlock' in sql)
        plugin = [i for i, sql in enumerate(statements) if '"netbox_archiflow_' in sql]
        self.assertTrue(plugin)
        self.assertGreater(min(plugin), unlock, statements[unlock:])
        # The check ran before the answer: the pool's usage alert is open when the client gets it.
        self.assertTrue(
            Alert.objects.filter(
                alert_type=AlertTypeChoices.TYPE_POOL_THRESHOLD,
                object_type=ContentType.objects.get_for_model(IPPool),
                object_id=pool.pk,
                resolved_at__isnull=True,
            ).exists()
        )

    def test_outside_a_request_the_check_runs_at_the_commit(self):
        pool = self.committed.pool('10.213.1.0/29', alert_threshold=10)
        checked = []
        alerts.after_commit_batched(checked.extend, pool.pk)  # autocommit: no transaction to wait for
        self.assertEqual(checked, [pool.pk])
        with alerts.batches_held():
            alerts.after_commit_batched(checked.extend, pool.pk)
            self.assertEqual(checked, [pool.pk])
        self.assertEqual(checked, [pool.pk, pool.pk])
