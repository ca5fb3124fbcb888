"""Body of develop/bench_corewrites: what the plugin costs NetBox's own writes (issue 18, goal 4).

Two instances serve the same NetBox with gunicorn: one with the plugin, one core-only twin (``PLUGINS = []``,
its database cloned from the core template). On each, in one VRF, NetBox's own interfaces write inside a /16
that is an IP pool's prefix on the plugin instance (a plain prefix on the twin):

- REST: one bulk POST of 1,000 IP addresses (RUNS per pass, so the pool fills as the passes go);
- REST: one bulk POST of 200 /28 prefixes inside the /16;
- UI: a 5,000-row IP address CSV bulk import.

Instances alternate within every pass, so both see the same machine load; ratios are plugin / core of the best
time of each pass. Everything created is deleted at the end (SQL for the rows, REST for the pool).
"""

import os
import re
import statistics
import sys
import time
import uuid
from functools import partial
from pathlib import Path

import psycopg
import requests
from benchreport import Report

PASSES = int(os.environ.get('BENCH_PASSES', '3'))
RUNS = int(os.environ.get('BENCH_RUNS', '3'))
ADDRESSES = int(os.environ.get('BENCH_ADDRESSES', '1000'))
PREFIXES = 200
CSV_ROWS = int(os.environ.get('BENCH_CSV_ROWS', '5000'))
operations = (
    f'{ADDRESSES:,} addresses (REST bulk POST)',
    f'{PREFIXES} prefixes (REST bulk POST)',
    f'{CSV_ROWS:,}-row CSV import (UI)',
)
TAG = uuid.uuid4().hex[:6]
OCTET = int(TAG[:2], 16) % 200 + 20
NETWORK = f'10.{OCTET}.0.0/16'


class Instance:
    def __init__(self, label, url, root, database):
        self.label, self.url, self.database = label, url.rstrip('/'), database
        key, secret = (Path(root) / 'admin-token').read_text().split()
        self.api = requests.Session()
        self.api.headers.update({'Authorization': f'Bearer nbt_{key}.{secret}', 'Accept': 'application/json'})
        self.ui = requests.Session()
        self.times = {}  # (operation, pass) -> [seconds]
        self.next_host = 1

    def call(self, method, path, body=None):
        response = self.api.request(method, f'{self.url}{path}', json=body, timeout=600)
        if response.status_code >= 400:
            raise RuntimeError(f'{self.label} {method} {path}: {response.status_code} {response.text[:300]}')
        return response.json() if response.content else None

    def login(self):
        page = self.ui.get(f'{self.url}/login/', timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        username = os.environ.get('ARCHIFLOW_ADMIN_USER', 'admin')
        password = os.environ.get('ARCHIFLOW_ADMIN_PASSWORD', 'admin')
        response = self.ui.post(
            f'{self.url}/login/',
            data={'csrfmiddlewaretoken': token, 'username': username, 'password': password},
            headers={'Referer': f'{self.url}/login/'},
            timeout=60,
        )
        if 'sessionid' not in self.ui.cookies:
            raise RuntimeError(f'{self.label}: login failed ({response.status_code})')

    def setup(self, with_pool):
        with psycopg.connect(dbname=self.database, **DB) as db:
            self.last_change = db.execute('SELECT coalesce(max(id), 0) FROM core_objectchange').fetchone()[0]
        self.vrf = self.call('POST', '/api/ipam/vrfs/', {'name': f'bench-corewrites-{TAG}', 'enforce_unique': True})
        self.prefix = self.call('POST', '/api/ipam/prefixes/', {'prefix': NETWORK, 'vrf': self.vrf['id']})
        self.pool = None
        if with_pool:
            body = {'name': f'bench corewrites {TAG}', 'prefix': self.prefix['id']}
            self.pool = self.call('POST', '/api/plugins/archiflow/ip-pools/', body)
        self.login()

    def hosts(self, count):
        """The next ``count`` addresses of the /16 (the pool fills from the bottom)."""
        start, self.next_host = self.next_host, self.next_host + count
        return [f'10.{OCTET}.{n // 256}.{n % 256}/16' for n in range(start, start + count)]

    def timed(self, operation, pass_number, func):
        start = time.perf_counter()
        func()
        self.times.setdefault((operation, pass_number), []).append(time.perf_counter() - start)

    def post_addresses(self, pass_number):
        body = [{'address': a, 'vrf': self.vrf['id'], 'status': 'active'} for a in self.hosts(ADDRESSES)]
        post = partial(self.call, 'POST', '/api/ipam/ip-addresses/', body)
        self.timed(operations[0], pass_number, post)

    def post_prefixes(self, pass_number):
        third = 200 + 16 * pass_number  # 200 /28s fill 12.5 /24s, above the addresses
        body = [
            {'prefix': f'10.{OCTET}.{third + n // 16}.{n % 16 * 16}/28', 'vrf': self.vrf['id'], 'status': 'active'}
            for n in range(PREFIXES)
        ]
        post = partial(self.call, 'POST', '/api/ipam/prefixes/', body)
        self.timed(operations[1], pass_number, post)

    def import_csv(self, pass_number):
        rows = '\n'.join(f'{a},{self.vrf["name"]},active' for a in self.hosts(CSV_ROWS))
        page = self.ui.get(f'{self.url}/ipam/ip-addresses/import/', timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {
            'csrfmiddlewaretoken': token,
            'import_method': 'direct',
            'data': f'address,vrf,status\n{rows}',
            'format': 'csv',
            'csv_delimiter': ',',
        }

        def post():
            response = self.ui.post(
                f'{self.url}/ipam/ip-addresses/import/',
                data=data,
                headers={'Referer': f'{self.url}/ipam/ip-addresses/import/'},
                allow_redirects=False,
                timeout=600,
            )
            if response.status_code != 302:
                raise RuntimeError(f'{self.label}: CSV import answered {response.status_code}')

        self.timed(operations[2], pass_number, post)

    def cleanup(self):
        vrf = getattr(self, 'vrf', None)
        if vrf is None:
            return
        with psycopg.connect(dbname=self.database, **DB) as db:
            for table, model in (('ipam_ipaddress', 'ipaddress'), ('ipam_prefix', 'prefix')):
                if table == 'ipam_prefix' and self.pool is not None:
                    db.commit()
                    self.call('DELETE', f'/api/plugins/archiflow/ip-pools/{self.pool["id"]}/')
                db.execute(
                    'DELETE FROM extras_cachedvalue WHERE object_type_id = '
                    "(SELECT id FROM django_content_type WHERE app_label = 'ipam' AND model = %s) "
                    f'AND object_id IN (SELECT id FROM {table} WHERE vrf_id = %s)',
                    [model, vrf['id']],
                )
                db.execute(f'DELETE FROM {table} WHERE vrf_id = %s', [vrf['id']])
            db.commit()
            self.call('DELETE', f'/api/ipam/vrfs/{vrf["id"]}/')
            db.execute('DELETE FROM core_objectchange WHERE id > %s', [self.last_change])


DB = {
    'host': os.environ.get('ARCHIFLOW_DB_HOST', '127.0.0.1'),
    'port': os.environ.get('ARCHIFLOW_DB_PORT', '5432'),
    'user': os.environ.get('ARCHIFLOW_DB_USER', 'netbox'),
    'password': os.environ.get('ARCHIFLOW_DB_PASSWORD', 'netbox'),
}
plugin = Instance('plugin', os.environ['BENCH_URL'], os.environ['NETBOX_ROOT'], os.environ['BENCH_DB'])
core = Instance('core', os.environ['BENCH_CORE_URL'], os.environ['BENCH_CORE_ROOT'], os.environ['BENCH_CORE_DB'])
report = Report(
    f'bench_corewrites: NetBox writes with the plugin vs a core-only twin ({PASSES} passes, alternating instances)'
)
try:
    plugin.setup(with_pool=True)
    core.setup(with_pool=False)
    for instance in (plugin, core):  # warm-up: every worker has loaded NetBox, not timed
        for _ in range(3):
            instance.call('GET', '/api/ipam/ip-addresses/?limit=1')
    for pass_number in range(PASSES):
        order = (plugin, core) if pass_number % 2 == 0 else (core, plugin)
        for _run in range(RUNS):
            for instance in order:
                instance.post_addresses(pass_number)
        for instance in order:
            instance.post_prefixes(pass_number)
        for instance in order:
            instance.import_csv(pass_number)
        print(f'pass {pass_number + 1}/{PASSES} done', file=sys.stderr)
    for operation in operations:
        report.section(operation)
        ratios = []
        for pass_number in range(PASSES):
            best = {i.label: min(i.times[(operation, pass_number)]) for i in (plugin, core)}
            report.add(f'pass {pass_number + 1} best plugin', best['plugin'] * 1000, 'ms')
            report.add(f'pass {pass_number + 1} best core', best['core'] * 1000, 'ms')
            ratios.append(best['plugin'] / best['core'])
        report.add('plugin / core, per pass', ' '.join(f'{r:.2f}' for r in ratios))
        report.add('plugin / core, median of passes (goal <= 1.05)', statistics.median(ratios), 'x')
    # As the pool fills: the addresses of the last pass went into a pool holding many more.
    report.section(f'As the pool fills ({ADDRESSES:,} addresses, last pass / first pass, best of each)')
    filled = (PASSES - 1) * (RUNS * ADDRESSES + CSV_ROWS) + (RUNS - 1) * ADDRESSES
    report.add("addresses already in the /16 at the last pass's last run", filled)
    for instance in (plugin, core):
        first, last = (min(instance.times[(operations[0], p)]) for p in (0, PASSES - 1))
        report.add(f'{instance.label}: last / first', last / first, 'x')
    report.ratio('plugin growth / core growth (goal: flat, ~1)', 'plugin: last / first', 'core: last / first')
    report.add('load average (1, 5, 15 min)', ' '.join(f'{n:.1f}' for n in os.getloadavg()))
finally:
    plugin.cleanup()
    core.cleanup()
report.emit()
