"""Session-wide check: the test suite leaves the database as it found it.

Django test cases roll back, but end-to-end and concurrency tests commit rows (other connections and the live
server must see them) and have to delete them again. A leftover breaks later runs and NetBox's own suites on
the same database (e.g. filter counts that find an extra tenant), so the session fails when rows remain.
"""

import pytest

# Rows written by the test machinery rather than by a test's data: logins of the browser tests' live server.
UNCHECKED_TABLES = {'django_session'}


def row_counts(connection):
    """Rows per table of the public schema, in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall() if name not in UNCHECKED_TABLES]
        cursor.execute(
            ' UNION ALL '.join(f'SELECT %s, count(*) FROM {connection.ops.quote_name(name)}' for name in tables),
            tables,
        )
        return dict(cursor.fetchall())


@pytest.fixture(scope='session', autouse=True)
def database_left_as_found(django_db_setup, django_db_blocker):
    from django.db import connection
    from django.test.utils import setup_databases

    with django_db_blocker.unblock():
        if connection.settings_dict['NAME'] != connection.creation._get_test_db_name():
            # pytest-django sets the test database up only when a collected item is marked django_db.
            setup_databases(verbosity=0, interactive=False, keepdb=True, aliases={'default'})
        before = row_counts(connection)
    yield
    with django_db_blocker.unblock():
        after = row_counts(connection)
    left = {table: count - before.get(table, 0) for table, count in after.items() if count > before.get(table, 0)}
    if left:
        pytest.fail(f'Committed rows left behind by the tests (table: rows): {left}', pytrace=False)
