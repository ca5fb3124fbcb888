"""Body of develop/bench_locks, run inside `netbox shell`: how long each allocation holds its lock.

Every allocation request goes through Django's test client in this process with an execute wrapper
that timestamps each SQL statement and the commit. The window runs from the first lock statement
(``pg_advisory_xact_lock*`` for the plugin, ``pg_advisory_lock`` for core) to the lock's release: the
commit for transaction-scoped locks, ``pg_advisory_unlock`` for core's session lock. "Statements" are
those run while the lock is held, lock, unlock and commit excluded. Plugin and core requests alternate
on the same prefix, so both see the same fill level and the same machine load.
"""

import os
import statistics
import time
import uuid

from benchreport import Report
from core.models import ObjectChange
from dcim.models import SiteGroup
from django.db import connection
from django.test import Client
from ipam.models import VRF, IPAddress, Prefix, Role, VLANGroup
from lockwindow import recording, window
from netbox.plugins import get_plugin_config
from tenancy.models import Tenant
from users.models import Token, User

from netbox_archiflow.models import Alert, IPAllocation, IPPool, Segment
from netbox_archiflow.services import segments as segment_service

N = int(os.environ.get('BENCH_N', '200'))
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20


def percentile(samples, q):
    return statistics.quantiles(samples, n=100, method='inclusive')[q - 1]


class Sampler:
    def __init__(self, client):
        self.client = client
        self.samples = {}

    def post(self, label, path, body):
        with recording(connection) as events:
            start = time.perf_counter()
            response = self.client.post(path, body, content_type='application/json')
            elapsed = time.perf_counter() - start
        if response.status_code not in (200, 201):
            raise RuntimeError(f'{path}: {response.status_code} {response.content[:300]}')
        self.samples.setdefault(label, []).append((window(events), elapsed * 1000, len(events)))

    def record(self, report, label):
        rows = self.samples[label]
        windows = [r[0].ms for r in rows]
        statements = [r[0].statements for r in rows]
        report.add('lock window p50', statistics.median(windows), 'ms')
        report.add('lock window p95', percentile(windows, 95), 'ms')
        report.add('statements under the lock p50', statistics.median(statements))
        report.add('statements under the lock max', max(statements))
        report.add('whole request p50', statistics.median(r[1] for r in rows), 'ms')
        report.add('statements per request p50', statistics.median(r[2] for r in rows))
        report.add('lock statement', rows[0][0].lock_sql.split(' --')[0])
        if 'xact' not in rows[0][0].lock_sql:  # core's session lock: does the plugin run SQL inside it?
            report.add(
                "plugin's after-commit check in the window p50", statistics.median(r[0].plugin_ms for r in rows), 'ms'
            )
            report.add(
                "lock window p50 without the plugin's check",
                statistics.median(r[0].ms - r[0].plugin_ms for r in rows),
                'ms',
            )


user = User.objects.create(username=f'bench-locks-{TAG}', is_superuser=True)
token = Token(user=user, write_enabled=True)
token.save()
client = Client(HTTP_AUTHORIZATION=f'Bearer nbt_{token.key}.{token.token}', HTTP_ACCEPT='application/json')
sampler = Sampler(client)
report = Report(f'bench_locks: lock windows over {N} allocations each (in-process, test client)')
vrf = VRF.objects.create(name=f'bench-locks-{TAG}', enforce_unique=True)
group = SiteGroup.objects.create(name=f'bench locks {TAG}', slug=f'bench-locks-{TAG}')
made = []  # the tenant and roles the plugin settings name, when this database lacks them
for model, setting in ((Tenant, 'segment_tenant'), (Role, 'segment_vlan_role'), (Role, 'segment_prefix_role')):
    name = get_plugin_config('netbox_archiflow', setting)
    if name and not model.objects.filter(name=name).exists() and not model.objects.filter(slug=name).exists():
        made.append(model.objects.create(name=name, slug=f'{name.lower()}-{TAG}'))
try:
    # IP allocate vs core's available-ips, alternating on the same /22.
    ip_prefix = Prefix.objects.create(prefix=f'10.{OCTET}.0.0/22', vrf=vrf, status='active')
    pool = IPPool.objects.create(name=f'bench locks {TAG}', prefix=ip_prefix)
    ip_plugin = f'/api/plugins/archiflow/ip-pools/{pool.pk}/allocate/'
    ip_core = f'/api/ipam/prefixes/{ip_prefix.pk}/available-ips/'
    sampler.post('warm-up', ip_plugin, {'asset_id': 'warm-up'})
    sampler.post('warm-up', ip_core, {})
    for n in range(N):
        sampler.post('IP allocate (plugin)', ip_plugin, {'asset_id': f'bench-{n}'})
        sampler.post('available-ips (core)', ip_core, {})

    # Segment allocate vs core's available-prefixes, alternating in the same /16 container.
    container = Prefix.objects.create(prefix=f'10.{OCTET + 1}.0.0/16', vrf=vrf, status='container', scope=group)
    for _ in range(N + 1):
        segment_service.create_segment(site_group=group, vrf=vrf, prefix_length=28)
    segment_body = {'site_group': group.pk, 'vrf': vrf.pk}
    prefix_core = f'/api/ipam/prefixes/{container.pk}/available-prefixes/'
    sampler.post('warm-up', '/api/plugins/archiflow/segments/allocate/', {**segment_body, 'cluster': 'warm-up'})
    for n in range(N):
        sampler.post(
            'segment allocate (plugin)',
            '/api/plugins/archiflow/segments/allocate/',
            {**segment_body, 'cluster': f'c{n}'},
        )
        sampler.post('available-prefixes (core)', prefix_core, {'prefix_length': 28})

    for label in (
        'IP allocate (plugin)',
        'available-ips (core)',
        'segment allocate (plugin)',
        'available-prefixes (core)',
    ):
        report.section(label)
        sampler.record(report, label)
    report.section('Ratios (same run)')
    report.ratio(
        'available-ips p50 window / IP allocate p50 window (goal >= 3)',
        'available-ips (core): lock window p50',
        'IP allocate (plugin): lock window p50',
    )
    report.ratio(
        "the same, core's window without the plugin's after-commit check",
        "available-ips (core): lock window p50 without the plugin's check",
        'IP allocate (plugin): lock window p50',
    )
    report.ratio(
        'available-ips p50 window / segment allocate p50 window (goal >= 3)',
        'available-ips (core): lock window p50',
        'segment allocate (plugin): lock window p50',
    )
    report.ratio(
        'available-prefixes p50 window / segment allocate p50 window',
        'available-prefixes (core): lock window p50',
        'segment allocate (plugin): lock window p50',
    )
finally:
    for segment in Segment.objects.filter(site_group=group):
        segment.delete()
    Alert.objects.filter(object_id__in=IPPool.objects.filter(prefix__vrf=vrf).values('pk')).delete()
    IPAllocation.objects.filter(pool__prefix__vrf=vrf).delete()
    IPAddress.objects.filter(vrf=vrf).delete()
    IPPool.objects.filter(prefix__vrf=vrf).delete()
    Prefix.objects.filter(vrf=vrf).delete()
    VLANGroup.objects.filter(scope_id=group.pk, name__contains=vrf.name).delete()
    ObjectChange.objects.filter(user=user).delete()
    vrf.delete()
    group.delete()
    user.delete()
    for obj in made:
        obj.delete()
report.emit()
