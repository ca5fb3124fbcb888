"""Lock windows of allocation requests, from the SQL statements and commits a connection runs
(develop/bench_locks, develop/bench_rtt).

The plugin's locks are transaction-scoped (``pg_advisory_xact_lock*``), released by the commit; core's
``available-*`` endpoints take a session lock (``pg_advisory_lock``), released by ``pg_advisory_unlock``.
"""

import re
import time
from contextlib import contextmanager
from typing import NamedTuple

LOCK = re.compile(r'pg_advisory(_xact)?_lock', re.I)
UNLOCK = re.compile(r'pg_advisory_unlock', re.I)
PLUGIN = re.compile(r'"netbox_archiflow_')


class Window(NamedTuple):
    ms: float  # from the start of the first lock statement to the end of the release
    statements: int  # SQL run while the lock is held: lock, unlock and commits not counted
    lock_sql: str
    held_ms: float  # from the end of the last lock statement (the lock is ours) to the end of the release
    round_trips: int  # statements, commits and the release after the last lock statement
    # In a core window: from the start of the first to the end of the last statement that reads the plugin's tables
    # (its after-commit alert check on the saved address runs before core releases its session lock); 0 otherwise.
    plugin_ms: float


class Recorder:
    """(start, end, sql) of every statement and of each commit ('COMMIT') on ``connection``."""

    def __init__(self, connection):
        self.events = []
        self.commit = connection._commit

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.events.append((start, time.perf_counter(), sql))

    def _commit(self):
        start = time.perf_counter()
        try:
            return self.commit()
        finally:
            self.events.append((start, time.perf_counter(), 'COMMIT'))


@contextmanager
def recording(connection):
    """Record the statements and commits run inside the block; yields the list of events."""
    recorder = Recorder(connection)
    connection._commit = recorder._commit
    try:
        with connection.execute_wrapper(recorder):
            yield recorder.events
    finally:
        del connection._commit


def window(events):
    """The lock window of one request's events."""
    first = next(i for i, (_s, _e, sql) in enumerate(events) if LOCK.search(sql))
    last = first
    while last + 1 < len(events) and LOCK.search(events[last + 1][2]):
        last += 1
    session = 'xact' not in events[first][2]
    release = next(
        i
        for i in range(last + 1, len(events))
        if (UNLOCK.search(events[i][2]) if session else events[i][2] == 'COMMIT')
    )
    inside = [sql for _s, _e, sql in events[last + 1 : release] if sql != 'COMMIT']
    plugin = [(start, end) for start, end, sql in events[last + 1 : release] if session and PLUGIN.search(sql)]
    return Window(
        ms=(events[release][1] - events[first][0]) * 1000,
        statements=len(inside),
        lock_sql=events[first][2],
        held_ms=(events[release][1] - events[last][1]) * 1000,
        round_trips=release - last,
        plugin_ms=(plugin[-1][1] - plugin[0][0]) * 1000 if plugin else 0.0,
    )
