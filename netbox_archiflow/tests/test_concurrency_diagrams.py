"""Parallel saves from the same base version: the row lock lets exactly one through, the rest get 409."""

import threading
import uuid

from django.db import connection
from django.test import tag

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramVersion
from netbox_archiflow.services.diagrams import Conflict, create_diagram, save_diagram

from .base import CommittedTestCase

THREADS = 8


@tag('concurrency')
class ParallelDiagramSaveTest(CommittedTestCase):
    """Saves of one diagram from real parallel clients."""

    def test_parallel_saves_from_one_base_version(self):
        diagram = create_diagram(f'concurrency-{uuid.uuid4().hex[:8]}', samples.mxfile(samples.cell('a', 'base')))
        barrier = threading.Barrier(THREADS)
        results = []
        lock = threading.Lock()

        def worker(n):
            try:
                own = Diagram.objects.get(pk=diagram.pk)
                barrier.wait()
                try:
                    save_diagram(own, samples.mxfile(samples.cell('a', f'writer {n}')), base_version=1)
                    outcome = 'saved'
                except Conflict as exc:
                    outcome = f'conflict:{exc.extra["current_version"]}'
                with lock:
                    results.append(outcome)
            finally:
                connection.close()

        try:
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert sorted(results) == ['conflict:2'] * (THREADS - 1) + ['saved']
            stored = Diagram.objects.get(pk=diagram.pk)
            assert stored.version == 2
            numbers = DiagramVersion.objects.filter(diagram=stored).values_list('version_number', flat=True)
            assert list(numbers) == [2, 1]
            assert stored.xml == DiagramVersion.objects.get(diagram=stored, version_number=2).xml
        finally:
            Diagram.objects.filter(pk=diagram.pk).delete()
