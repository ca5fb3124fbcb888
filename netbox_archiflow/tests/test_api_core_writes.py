"""Issue 18, goal 4: what the plugin adds to NetBox's own writes. A bulk POST of IP addresses inside a pool's
prefix must not cost statements per address from the plugin's code: the usage counters are kept by
statement-level triggers inside PostgreSQL, and the alert check runs once after commit for the whole batch."""

import json
import traceback
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from ipam.models import VRF, IPAddress, Prefix
from utilities.testing import APITestCase

import netbox_archiflow
from netbox_archiflow.models import IPPool, IPPoolUsage

ADDRESSES = 100
PACKAGE = str(Path(netbox_archiflow.__file__).parent)
TESTS = str(Path(__file__).parent)
# The batched alert check after commit: the addresses, the pools holding them, their allocations.
PLUGIN_STATEMENTS = 3


class PluginStatements:
    """Counts the statements sent from the plugin's code (any frame in the package outside its tests)."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        frames = [frame.filename for frame in traceback.extract_stack()]
        if any(name.startswith(PACKAGE) and not name.startswith(TESTS) for name in frames):
            self.statements.append(sql)
        return execute(sql, params, many, context)


class CoreBulkWriteTest(APITestCase):
    def test_bulk_post_of_addresses_in_a_pool_runs_no_plugin_statement_per_address(self):
        self.user.is_superuser = True
        self.user.save()
        vrf = VRF.objects.create(name='bulk')
        pool = IPPool.objects.create(name='bulk', prefix=Prefix.objects.create(prefix='10.5.0.0/16', vrf=vrf))
        body = [{'address': f'10.5.1.{n + 1}/16', 'vrf': vrf.pk, 'status': 'active'} for n in range(ADDRESSES)]
        ContentType.objects.get_for_models(IPAddress, IPPool)  # Django's content type cache, warm in a server
        plugin = PluginStatements()
        with connection.execute_wrapper(plugin), self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(
                '/api/ipam/ip-addresses/', json.dumps(body), content_type='application/json', **self.header
            )
        self.assertEqual(response.status_code, 201, response.content[:500])
        self.assertEqual(IPAddress.objects.filter(vrf=vrf).count(), ADDRESSES)
        self.assertTrue(callbacks)  # the alert check ran after commit
        self.assertEqual(len(plugin.statements), PLUGIN_STATEMENTS, '\n'.join(plugin.statements))
        # The triggers counted every address without a statement from the plugin.
        self.assertEqual(IPPoolUsage.objects.get(pool=pool).occupied, ADDRESSES)
