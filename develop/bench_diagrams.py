# Run by develop/bench_diagrams inside `netbox shell` (Django is set up; the bench database is selected).
import json
import os
import time

from benchreport import Report
from dcim.models import Site
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from users.models import User

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramVersion

N = int(os.environ.get('BENCH_DIAGRAMS', 1000))
CELLS = int(os.environ.get('BENCH_CELLS', 5000))
LINKED = int(os.environ.get('BENCH_LINKED', 1000))
PREFIX = 'bench-'
API = '/api/plugins/archiflow/diagrams/'
report = Report(f'bench_diagrams: {CELLS}-cell diagrams, lists of {N} (best of 3)')
timings = {}


def timed(label, fn, repeat=3):
    best = None
    result = None
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        queries = len(ctx.captured_queries)
        best = elapsed if best is None else min(best, elapsed)
    size = len(getattr(result, 'content', b'') or b'')
    status = getattr(result, 'status_code', '')
    report.add(label, best * 1000, 'ms')
    report.add(f'{label}: queries', queries)
    if size:
        report.add(f'{label}: response', size / 1e6, f'MB, HTTP {status}')
    timings[label] = best
    return result


def cleanup():
    DiagramVersion.objects.filter(diagram__name__startswith=PREFIX).delete()
    Diagram.objects.filter(name__startswith=PREFIX).delete()
    Site.objects.filter(slug__startswith=PREFIX).delete()


user, user_created = User.objects.get_or_create(username='bench', defaults={'is_superuser': True})
user.is_superuser = True
user.save()
client = Client()
client.force_login(user)
cleanup()
try:
    xml = samples.big_diagram(CELLS)
    report.add('diagram XML', len(xml.encode()) / 1e6, 'MB')

    client.get(API)  # warm-up: the first request of a process loads URL configuration, schema and caches
    created = timed(
        'API POST diagrams/ (create, version 1)',
        lambda: client.post(API, json.dumps({'name': f'{PREFIX}0', 'xml': xml}), content_type='application/json'),
        repeat=1,
    )
    pk = created.json()['id']
    detail = f'{API}{pk}/'
    state = {'n': 1}

    def save():
        state['n'] += 1
        body = {'xml': xml.replace('node-0', f'node-0 rev {state["n"]}'), 'base_version': state['n'] - 1}
        return client.patch(detail, json.dumps(body), content_type='application/json')

    timed(
        'API PATCH diagrams/{id}/ (identical content, no version)',
        lambda: client.patch(
            detail,
            json.dumps({'xml': Diagram.objects.get(pk=pk).xml}),
            content_type='application/json',
        ),
    )
    timed('API GET diagrams/{id}/ (load, with XML)', lambda: client.get(detail))

    # The same diagram with LINKED of its cells linked to NetBox objects: the index is rebuilt on each save.
    sites = [Site.objects.create(name=f'{PREFIX}site-{n}', slug=f'{PREFIX}site-{n}') for n in range(10)]
    links = [('dcim.site', sites[n % len(sites)].pk) for n in range(LINKED)]
    linked_xml = samples.big_diagram(CELLS, links=links)
    linked = client.post(
        API, json.dumps({'name': f'{PREFIX}linked', 'xml': linked_xml}), content_type='application/json'
    )
    linked_detail = f'{API}{linked.json()["id"]}/'
    linked_state = {'n': 1}

    def save_linked():
        linked_state['n'] += 1
        body = {
            'xml': linked_xml.replace('node-0', f'node-0 rev {linked_state["n"]}'),
            'base_version': linked_state['n'] - 1,
        }
        return client.patch(linked_detail, json.dumps(body), content_type='application/json')

    unlinked_label = 'API PATCH diagrams/{id}/ (save changed XML, new version)'
    linked_label = f'API PATCH diagrams/{{id}}/ (same, {LINKED} linked cells)'
    timed(unlinked_label, save)
    timed(linked_label, save_linked)
    overhead = (timings[linked_label] / timings[unlinked_label] - 1) * 100
    report.add('links: save overhead (limit 15 %)', overhead, '%')
    timed(f'API GET diagrams/{{id}}/status/ ({LINKED} linked cells)', lambda: client.get(f'{linked_detail}status/'))
    timed('GET diagrams/{id}/download/ (.drawio)', lambda: client.get(f'/plugins/archiflow/diagrams/{pk}/download/'))

    # N diagrams, copied inside PostgreSQL (the list does not need their versions).
    columns = [f.column for f in Diagram._meta.concrete_fields if not f.primary_key]
    select = [f"'{PREFIX}' || g" if c == 'name' else c for c in columns]
    table = Diagram._meta.db_table

    def copy(source_pk, prefix=PREFIX):
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO {table} ({", ".join(columns)}) '
                f'SELECT {", ".join(s.replace(PREFIX, prefix) for s in select)} '
                f'FROM {table}, generate_series(1, %s) g WHERE id = %s',
                [N - 1, source_pk],
            )

    # Baseline: the same lists with N tiny diagrams (one cell).
    tiny = Diagram.objects.create(name=f'{PREFIX}tiny', xml=samples.mxfile(samples.cell('a', 'x')), version=1)
    copy(tiny.pk, f'{PREFIX}tiny-')
    timed(f'baseline: API GET diagrams/?limit={N}, {N} tiny diagrams', lambda: client.get(f'{API}?limit={N}'))
    timed(
        f'baseline: UI  GET diagrams/?per_page={N}, {N} tiny diagrams',
        lambda: client.get(f'/plugins/archiflow/diagrams/?per_page={N}'),
    )
    Diagram.objects.filter(name__startswith=f'{PREFIX}tiny').delete()

    start = time.perf_counter()
    copy(pk)
    with connection.cursor() as cursor:
        cursor.execute('SELECT pg_total_relation_size(%s)', [Diagram._meta.db_table])
        table_size = cursor.fetchone()[0]
    report.add(f'copy {N - 1} diagrams in PostgreSQL', time.perf_counter() - start, 's')
    report.add('diagram table with TOAST', table_size / 1e9, 'GB')

    timed('API GET diagrams/?limit=50 (list, XML deferred)', lambda: client.get(f'{API}?limit=50'))
    timed(f'API GET diagrams/?limit={N} (list, XML deferred)', lambda: client.get(f'{API}?limit={N}'))
    timed('UI  GET /plugins/archiflow/diagrams/ (50 per page)', lambda: client.get('/plugins/archiflow/diagrams/'))
    timed(
        f'UI  GET /plugins/archiflow/diagrams/?per_page={N}',
        lambda: client.get(f'/plugins/archiflow/diagrams/?per_page={N}'),
    )
    report.section('the same lists if they loaded the XML column')
    timed('API GET diagrams/?limit=50&fields=id,name,xml', lambda: client.get(f'{API}?limit=50&fields=id,name,xml'))
    # Loading all N XML columns at once needs N x 5 MB of memory (about 10 GB for 1,000): measure 100.
    sample = min(N, 100)
    timed(
        f'ORM list({sample} diagrams) with XML',
        lambda: list(Diagram.objects.filter(name__startswith=PREFIX)[:sample]),
        repeat=1,
    )
    timed(
        f'ORM list({sample} diagrams) XML deferred (what the list views run)',
        lambda: list(Diagram.objects.filter(name__startswith=PREFIX).defer('xml', 'preview_svg')[:sample]),
    )
    timed(
        f'ORM list({N} diagrams) XML deferred',
        lambda: list(Diagram.objects.filter(name__startswith=PREFIX).defer('xml', 'preview_svg')),
    )
finally:
    cleanup()
    if user_created:
        user.delete()
    with connection.cursor() as cursor:  # give the disk space back (the copies are gigabytes)
        cursor.execute(f'VACUUM FULL {Diagram._meta.db_table}, {DiagramVersion._meta.db_table}')
report.emit()
