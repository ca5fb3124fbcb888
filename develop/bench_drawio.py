# Run by develop/bench_drawio inside `netbox shell` (Django is set up on the bench database; gunicorn serves it at
# BENCH_URL with netbox_archiflow and netbox_drawio 0.2.3 installed).
#
# Both plugins get the same requests over HTTP, alternating within every pass so both see the same machine load:
# REST create, save of changed XML, save of identical XML, load (GET with the XML), then the REST list and the
# list page of N diagrams of the same size (copied inside PostgreSQL) and of N tiny ones. Figures are the best
# of 3 in each pass; ratios are archiflow / netbox-drawio (goal: <= 1). netbox-drawio keeps the XML and the SVG
# its editor sends; netbox-archiflow also keeps a version, a link index and a preview it draws itself.
import os
import re
import statistics
import time

import requests
from benchreport import Report
from django.db import connection
from netbox_drawio.models import Diagram as DrawioDiagram
from users.models import Token, User

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramVersion

URL = os.environ['BENCH_URL']
N = int(os.environ.get('BENCH_DIAGRAMS', 1000))
CELLS = int(os.environ.get('BENCH_CELLS', 5000))
PASSES = int(os.environ.get('BENCH_PASSES', 3))
PREFIX = 'bench-drawio-'
PASSWORD = 'bench-drawio-password'


class Plugin:
    def __init__(self, label, api, page, xml_field, model):
        self.label, self.api, self.page, self.xml_field, self.model = label, api, page, xml_field, model
        self.times = {}  # (operation, pass) -> [seconds]

    def body(self, xml, **fields):
        return {self.xml_field: xml, **fields}


archiflow = Plugin('archiflow', '/api/plugins/archiflow/diagrams/', '/plugins/archiflow/diagrams/', 'xml', Diagram)
drawio = Plugin(
    'netbox-drawio', '/api/plugins/drawio/diagrams/', '/plugins/drawio/diagrams/', 'source_xml', DrawioDiagram
)
PLUGINS = (archiflow, drawio)
report = Report(f'bench_drawio: netbox-archiflow vs netbox-drawio 0.2.3, {CELLS}-cell diagrams, gunicorn')


def request(session, method, path, **kwargs):
    response = session.request(method, f'{URL}{path}', timeout=600, **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(f'{method} {path}: {response.status_code} {response.text[:300]}')
    return response


def timed(plugin, operation, pass_number, func, repeat=3):
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        plugin.times.setdefault((operation, pass_number), []).append(time.perf_counter() - start)


def copy(model, source_pk, count, prefix):
    """``count`` copies of one row, made inside PostgreSQL (the lists do not need their versions)."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = [f"'{prefix}' || g" if c == 'name' else c for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {model._meta.db_table} ({", ".join(columns)}) '
            f'SELECT {", ".join(select)} FROM {model._meta.db_table}, generate_series(1, %s) g WHERE id = %s',
            [count, source_pk],
        )


def cleanup():
    DiagramVersion.objects.filter(diagram__name__startswith=PREFIX).delete()
    for plugin in PLUGINS:
        plugin.model.objects.filter(name__startswith=PREFIX).delete()


def login(session):
    page = request(session, 'GET', '/login/')
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    request(
        session,
        'POST',
        '/login/',
        data={'csrfmiddlewaretoken': csrf, 'username': user.username, 'password': PASSWORD},
        headers={'Referer': f'{URL}/login/'},
    )
    if 'sessionid' not in session.cookies:
        raise RuntimeError('login failed')


user = User.objects.filter(username='bench-drawio').first() or User(username='bench-drawio')
user.is_superuser = True
user.set_password(PASSWORD)
user.save()
token = Token(user=user, write_enabled=True, description='develop/bench_drawio')
token.save()
api = requests.Session()
api.headers.update({'Authorization': f'Bearer nbt_{token.key}.{token.token}', 'Accept': 'application/json'})
ui = requests.Session()
cleanup()
try:
    login(ui)
    xml = samples.big_diagram(CELLS)
    tiny_xml = samples.mxfile(samples.cell('a', 'x'))
    report.add('diagram XML', len(xml.encode()) / 1e6, 'MB')
    for plugin in PLUGINS:  # warm-up: every worker has loaded NetBox and both plugins, not timed
        for _ in range(6):
            request(api, 'GET', f'{plugin.api}?limit=1')
            request(ui, 'GET', plugin.page)

    created = {plugin: [] for plugin in PLUGINS}
    for pass_number in range(PASSES):
        order = PLUGINS if pass_number % 2 == 0 else PLUGINS[::-1]
        for plugin in order:

            def create(plugin=plugin):
                name = f'{PREFIX}{plugin.label}-{len(created[plugin])}'
                response = request(api, 'POST', plugin.api, json=plugin.body(xml, name=name))
                created[plugin].append(response.json())

            timed(plugin, 'create', pass_number, create)
        for plugin in order:
            target = created[plugin][0]
            detail = f'{plugin.api}{target["id"]}/'

            def save(plugin=plugin, target=target, detail=detail):
                target['revision'] = target.get('revision', 0) + 1
                changed = xml.replace('node-0', f'node-0 rev {target["revision"]}')
                request(api, 'PATCH', detail, json=plugin.body(changed))

            def identical(plugin=plugin, detail=detail):
                request(api, 'PATCH', detail, json=plugin.body(xml))

            request(api, 'PATCH', detail, json=plugin.body(xml))  # back to the original content
            timed(plugin, 'save changed XML', pass_number, save)
            request(api, 'PATCH', detail, json=plugin.body(xml))
            timed(plugin, 'save identical XML', pass_number, identical)
            timed(plugin, 'load (GET with XML)', pass_number, lambda detail=detail: request(api, 'GET', detail))

    # The lists: N tiny diagrams first (the baseline), then N diagrams of CELLS cells.
    for size, source in (('tiny', None), ('big', 0)):
        for plugin in PLUGINS:
            if source is None:
                response = request(api, 'POST', plugin.api, json=plugin.body(tiny_xml, name=f'{PREFIX}tiny'))
                source_pk = response.json()['id']
            else:
                source_pk = created[plugin][source]['id']
            copy(plugin.model, source_pk, N - 1, f'{PREFIX}{size}-{plugin.label}-')
            plugin.model.objects.filter(pk=source_pk).update(name=f'{PREFIX}{size}-{plugin.label}-0')
        for pass_number in range(PASSES):
            order = PLUGINS if pass_number % 2 == 0 else PLUGINS[::-1]
            for plugin in order:
                query = f'?name__isw={PREFIX}{size}-{plugin.label}-'
                timed(
                    plugin,
                    f'REST list of {N:,} {size} diagrams',
                    pass_number,
                    lambda plugin=plugin, query=query: request(api, 'GET', f'{plugin.api}{query}&limit={N}'),
                )
                timed(
                    plugin,
                    f'list page of {N:,} {size} diagrams',
                    pass_number,
                    lambda plugin=plugin, query=query: request(ui, 'GET', f'{plugin.page}{query}&per_page={N}'),
                )
        if source is None:
            for plugin in PLUGINS:
                plugin.model.objects.filter(name__startswith=f'{PREFIX}tiny').delete()

    operations = list(dict.fromkeys(operation for operation, _pass in archiflow.times))
    for operation in operations:
        report.section(operation)
        ratios = []
        for pass_number in range(PASSES):
            best = {plugin.label: min(plugin.times[(operation, pass_number)]) for plugin in PLUGINS}
            for plugin in PLUGINS:
                report.add(f'pass {pass_number + 1} best {plugin.label}', best[plugin.label] * 1000, 'ms')
            ratios.append(best['archiflow'] / best['netbox-drawio'])
        report.add('archiflow / netbox-drawio, per pass', ' '.join(f'{r:.2f}' for r in ratios))
        report.add('archiflow / netbox-drawio, median of passes (goal <= 1)', statistics.median(ratios), 'x')
    report.section(f'Lists flat in XML size: {N:,} big diagrams / {N:,} tiny ones (best of all passes)')
    for plugin in PLUGINS:
        for what in ('REST list', 'list page'):
            big, tiny = (
                min(min(times) for (op, _p), times in plugin.times.items() if op == f'{what} of {N:,} {size} diagrams')
                for size in ('big', 'tiny')
            )
            report.add(f'{plugin.label} {what}: big / tiny', big / tiny, 'x')
    report.section('machine')
    report.add('load average (1, 5, 15 min)', ' '.join(f'{n:.1f}' for n in os.getloadavg()))
finally:
    cleanup()
    token.delete()
    user.delete()
    with connection.cursor() as cursor:  # give the disk space back (the copies are gigabytes)
        cursor.execute(
            f'VACUUM FULL {Diagram._meta.db_table}, {DiagramVersion._meta.db_table}, {DrawioDiagram._meta.db_table}'
        )
report.emit()
