"""The migration operation that installs the pool usage triggers: complete, re-runnable and reversible."""

import re

from django.db import connection
from django.db.migrations.state import ProjectState
from ipam.models import IPAddress, Prefix
from utilities.testing import TestCase

from netbox_archiflow.models import IPPool, IPPoolOccupiedAddress
from netbox_archiflow.services.usage import pool_usage
from netbox_archiflow.usage_triggers import FUNCTIONS, TRIGGERS, InstallPoolUsageTriggers

DECLARED = set(re.findall(r'CREATE OR REPLACE TRIGGER (\w+) AFTER [A-Z ]+ ON (\w+)', TRIGGERS))
BODIES = dict(re.findall(r'CREATE OR REPLACE FUNCTION (\w+)\(.*?AS \$\$(.*?)\$\$;', FUNCTIONS, re.S))


def installed_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid '
            "WHERE NOT t.tgisinternal AND t.tgname LIKE 'archiflow\\_%%'"
        )
        return set(cursor.fetchall())


def installed_functions():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'archiflow\\_%%'")
        return {row[0] for row in cursor.fetchall()}


def installed_bodies():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'archiflow\\_%%'")
        return dict(cursor.fetchall())


def run(direction, operation=None):
    operation = operation or InstallPoolUsageTriggers()
    state = ProjectState()
    with connection.schema_editor(atomic=True) as editor:
        getattr(operation, f'database_{direction}')('netbox_archiflow', editor, state, state)


class InstallPoolUsageTriggersTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pool = IPPool.objects.create(name='triggers', prefix=Prefix.objects.create(prefix='10.77.0.0/29'))
        IPAddress.objects.create(address='10.77.0.2/29')

    def test_migrations_installed_every_declared_trigger(self):
        self.assertEqual(len(DECLARED), 11)
        self.assertEqual(installed_triggers(), DECLARED)

    def test_reinstalling_recounts_and_counts_each_write_once(self):
        self.assertEqual(pool_usage(self.pool)['available'], 5)
        with connection.cursor() as cursor:  # counters gone astray, as after a restore with triggers disabled
            cursor.execute('UPDATE netbox_archiflow_ippoolusage SET occupied = 0 WHERE pool_id = %s', [self.pool.pk])
        IPPoolOccupiedAddress.objects.filter(pool_id=self.pool.pk).delete()
        self.assertEqual(pool_usage(IPPool.objects.get(pk=self.pool.pk))['available'], 6)

        run('forwards')

        self.assertEqual(pool_usage(IPPool.objects.get(pk=self.pool.pk))['available'], 5)
        IPAddress.objects.create(address='10.77.0.3/29')
        self.assertEqual(pool_usage(IPPool.objects.get(pk=self.pool.pk))['available'], 4)
        self.assertEqual(installed_triggers(), DECLARED)

    def test_reverse_removes_triggers_and_functions(self):
        run('backwards')
        self.assertEqual((installed_triggers(), installed_functions()), (set(), set()))
        IPAddress.objects.create(address='10.77.0.4/29')  # nothing counts it now
        self.assertEqual(pool_usage(IPPool.objects.get(pk=self.pool.pk))['available'], 5)

        run('forwards')

        self.assertEqual(installed_triggers(), DECLARED)
        self.assertEqual(pool_usage(IPPool.objects.get(pk=self.pool.pk))['available'], 4)

    def test_the_database_runs_the_functions_the_module_declares(self):
        """Generated or written out, every function is installed with the module's text (migration 0008)."""
        self.assertEqual(len(BODIES), 13)
        self.assertEqual(installed_bodies(), BODIES)

    def test_reversing_a_reinstall_keeps_the_triggers(self):
        run('backwards', InstallPoolUsageTriggers(uninstall_on_reverse=False))
        self.assertEqual(installed_triggers(), DECLARED)
        self.assertEqual(installed_bodies(), BODIES)
