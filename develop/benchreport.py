"""Output of the develop/bench_* benchmarks: one table of named figures and, with ``--json``, one JSON line.

The JSON line is the last line printed, ``{"benchmark": ..., "figures": {name: value}}``, so runs can be
tracked over time. Scripts run inside ``netbox shell`` get the flag from their bash wrapper as
``BENCH_JSON=1``.
"""

import json
import os
import sys
import time


def run_together(processes, barrier):
    """Start the processes, release them at ``barrier`` (one party more than there are processes) all at
    once, and return the seconds until the last one has ended."""
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    for process in processes:
        process.join()
    return time.perf_counter() - start


def json_wanted():
    return '--json' in sys.argv or os.environ.get('BENCH_JSON') == '1'


class Report:
    def __init__(self, benchmark):
        self.benchmark = benchmark
        self.rows = []  # (section, name, value, unit)
        self.current = ''

    def section(self, title):
        self.current = title

    def add(self, name, value, unit=''):
        """Record one figure; returns ``value`` so a measurement can be recorded where it is computed."""
        self.rows.append((self.current, name, value, unit))
        return value

    def get(self, name):
        """A recorded figure by its name, or by 'section: name' when names repeat across sections."""
        return next(value for section, row, value, _unit in self.rows if name in (row, f'{section}: {row}'))

    def ratio(self, name, numerator, denominator):
        """Record numerator / denominator (two recorded figures) as a ratio."""
        below = self.get(denominator)
        return self.add(name, self.get(numerator) / below if below else float('nan'), 'x')

    def emit(self):
        width = max((len(name) for _s, name, _v, _u in self.rows), default=0)
        shown = None
        print(f'\n{self.benchmark}')
        for section, name, value, unit in self.rows:
            if section != shown:
                print(f'\n{section}' if section else '')
                shown = section
            text = f'{value:,.2f}' if isinstance(value, float) else str(value)
            print(f'  {name:<{width}}  {text:>12} {unit}')
        print()
        if json_wanted():
            figures = {
                (f'{section}: ' if section else '') + name + (f' ({unit})' if unit else ''): value
                for section, name, value, unit in self.rows
            }
            print(json.dumps({'benchmark': self.benchmark, 'figures': figures}, default=str))
