"""The PostgreSQL functions and triggers that keep pool usage counters, as a migration operation.

``IPPoolUsage`` holds each pool's bounds and counts and ``IPPoolOccupiedAddress`` the hosts that are not
free. Triggers on every table whose rows decide what a pool has free (native IP addresses, allocations,
pools, prefixes, populated IP ranges) update both in the writing transaction:

- a statement writing native addresses or allocations re-evaluates only the (pool, host) pairs its rows
  touched, in one set-based pass over its transition tables (``archiflow_refresh_pool_hosts``), and
  compares the answers with the stored set, so a counter moves by exactly what entered or left it and
  cannot drift, whatever the number of rows or how often a host is written;
- a change of a pool's bounds, gateway or populated ranges rebuilds that pool (``archiflow_rebuild_pool_usage``).

Each refresh locks the pools' usage rows first, in pool order, so concurrent writers of one pool
serialize on it and every evaluation sees the other's committed rows. Triggers, not Django signals:
bulk_create, queryset updates and raw SQL keep the counters right as well.

Every statement is ``CREATE OR REPLACE``, so ``InstallPoolUsageTriggers`` can run again: a fix to the SQL
ships as a new migration holding just ``InstallPoolUsageTriggers(uninstall_on_reverse=False)`` (it also recounts
every pool; reversed, it leaves the triggers installed for the migrations before it). This module imports
no model, so migrations can import it (as NetBox's ``InstallLtreeTriggers`` in ``utilities/ltree.py``).
"""

from django.db import migrations

__all__ = ('FUNCTIONS', 'REBUILD_ALL', 'TRIGGERS', 'UNINSTALL', 'InstallPoolUsageTriggers')

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION archiflow_inet_numeric(a inet) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
-- The integer value of an address: inet - inet is a bigint and overflows for IPv6 spans.
DECLARE
    txt text := host(a);
    dotted text;
    quad bigint;
    head text[];
    tail text[];
    groups text[];
    result numeric := 0;
    grp text;
BEGIN
    IF family(a) = 4 THEN
        RETURN (host(a)::inet - '0.0.0.0'::inet)::numeric;
    END IF;
    dotted := substring(txt FROM '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$');
    IF dotted IS NOT NULL THEN
        quad := dotted::inet - '0.0.0.0'::inet;
        txt := left(txt, length(txt) - length(dotted)) || to_hex(quad >> 16) || ':' || to_hex(quad & 65535);
    END IF;
    IF position('::' IN txt) > 0 THEN
        head := coalesce(string_to_array(nullif(split_part(txt, '::', 1), ''), ':'), '{}');
        tail := coalesce(string_to_array(nullif(split_part(txt, '::', 2), ''), ':'), '{}');
        groups := head
            || array_fill('0'::text, ARRAY[8 - coalesce(array_length(head, 1), 0) - coalesce(array_length(tail, 1), 0)])
            || tail;
    ELSE
        groups := string_to_array(txt, ':');
    END IF;
    FOREACH grp IN ARRAY groups LOOP
        result := result * 65536 + ('x' || lpad(grp, 8, '0'))::bit(32)::bigint;
    END LOOP;
    RETURN result;
END $$;

CREATE OR REPLACE FUNCTION archiflow_refresh_pool_hosts(
    pool_ids bigint[], hosts inet[], allocated_deltas integer[] DEFAULT NULL
)
RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
-- (A generic plan: re-planning these statements for every write would cost more than running them.)
-- Re-evaluate the (pool, host) pairs a statement touched, in one set-based pass, and move each pool's
-- counters by what actually entered or left its occupied set.
BEGIN
    IF pool_ids IS NULL THEN
        RETURN;
    END IF;
    -- Lock first (in pool order, so writers of several pools cannot deadlock): the statements below
    -- then run on a fresh snapshot that includes the committed work of any writer this one waited for.
    PERFORM 1 FROM netbox_archiflow_ippoolusage WHERE pool_id = ANY (pool_ids) ORDER BY pool_id FOR UPDATE;
    IF allocated_deltas IS NOT NULL THEN
        UPDATE netbox_archiflow_ippoolusage u SET allocated = u.allocated + d.delta
        FROM (
            SELECT x.pool_id, sum(x.delta) AS delta FROM unnest(pool_ids, allocated_deltas) AS x(pool_id, delta)
            GROUP BY x.pool_id HAVING sum(x.delta) <> 0
        ) d
        WHERE u.pool_id = d.pool_id;
    END IF;
    -- The rule of services.pools: inside the usable bounds, not in a populated range, and the gateway, an
    -- active allocation of the pool, or a native address of the VRF (except one a released allocation of
    -- this pool kept as deprecated).
    WITH pairs AS (
        SELECT u.pool_id, c.h,
               c.h BETWEEN u.first AND u.last
               AND NOT EXISTS (
                   SELECT 1 FROM ipam_iprange r
                   WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM u.vrf_id
                     AND c.h BETWEEN host(r.start_address)::inet AND host(r.end_address)::inet)
               AND ((c.h = u.gateway) IS TRUE
                    OR EXISTS (
                        SELECT 1 FROM netbox_archiflow_ipallocation a
                        WHERE a.pool_id = u.pool_id AND a.is_active AND a.address = c.h)
                    OR EXISTS (
                        SELECT 1 FROM ipam_ipaddress i
                        WHERE host(i.address)::inet = c.h AND i.vrf_id IS NOT DISTINCT FROM u.vrf_id
                          AND NOT (i.status = 'deprecated' AND EXISTS (
                              SELECT 1 FROM netbox_archiflow_ipallocation k
                              WHERE k.ip_address_id = i.id AND k.pool_id = u.pool_id AND NOT k.is_active))))
               AS occupied
        FROM (SELECT DISTINCT x.pool_id, x.h FROM unnest(pool_ids, hosts) AS x(pool_id, h) WHERE x.h IS NOT NULL) c
        JOIN netbox_archiflow_ippoolusage u ON u.pool_id = c.pool_id
    ),
    added AS (
        INSERT INTO netbox_archiflow_ippooloccupiedaddress (pool_id, address)
        SELECT pool_id, h FROM pairs WHERE occupied
        ON CONFLICT DO NOTHING
        RETURNING pool_id
    ),
    removed AS (
        DELETE FROM netbox_archiflow_ippooloccupiedaddress o
        USING pairs p
        WHERE NOT p.occupied AND o.pool_id = p.pool_id AND o.address = p.h
        RETURNING o.pool_id
    ),
    delta AS (
        SELECT pool_id, sum(d) AS d FROM (
            SELECT pool_id, 1 AS d FROM added
            UNION ALL
            SELECT pool_id, -1 FROM removed
        ) moved
        GROUP BY pool_id
    )
    UPDATE netbox_archiflow_ippoolusage u SET occupied = u.occupied + delta.d
    FROM delta
    WHERE u.pool_id = delta.pool_id AND delta.d <> 0;
END $$;

CREATE OR REPLACE FUNCTION archiflow_refresh_vrf_hosts(vrfs bigint[], hosts inet[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
-- Native addresses: the pairs are every pool of the address's VRF whose bounds hold it.
BEGIN
    PERFORM archiflow_refresh_pool_hosts(array_agg(u.pool_id), array_agg(c.h))
    FROM unnest(vrfs, hosts) AS c(vrf_id, h)
    JOIN netbox_archiflow_ippoolusage u ON u.vrf_id IS NOT DISTINCT FROM c.vrf_id AND c.h BETWEEN u.first AND u.last;
END $$;

CREATE OR REPLACE FUNCTION archiflow_rebuild_pool_usage(p_pool bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    net cidr;
    vrf bigint;
    whole boolean;
    gw inet;
    lo inet;
    hi inet;
BEGIN
    SELECT x.prefix, x.vrf_id, x.is_pool, p.gateway INTO net, vrf, whole, gw
    FROM netbox_archiflow_ippool p JOIN ipam_prefix x ON x.id = p.prefix_id
    WHERE p.id = p_pool;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- NetBox's Prefix.usable_ip_bounds.
    lo := host(network(net))::inet;
    hi := host(broadcast(net))::inet;
    IF NOT (whole OR masklen(net) >= CASE family(net) WHEN 4 THEN 31 ELSE 127 END) THEN
        lo := lo + 1;
        IF family(net) = 4 THEN
            hi := hi - 1;
        END IF;
    END IF;
    IF NOT (gw BETWEEN lo AND hi) THEN
        gw := NULL;
    END IF;
    INSERT INTO netbox_archiflow_ippoolusage AS u
        (pool_id, vrf_id, first, last, gateway, total, populated, occupied, allocated)
    VALUES (
        p_pool, vrf, lo, hi, gw, archiflow_inet_numeric(hi) - archiflow_inet_numeric(lo) + 1,
        coalesce((
            SELECT sum(archiflow_inet_numeric(least(host(r.end_address)::inet, hi))
                       - archiflow_inet_numeric(greatest(host(r.start_address)::inet, lo)) + 1)
            FROM ipam_iprange r
            WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM vrf
              AND host(r.start_address)::inet <= hi AND host(r.end_address)::inet >= lo), 0),
        0,
        (SELECT count(*) FROM netbox_archiflow_ipallocation WHERE pool_id = p_pool AND is_active)
    )
    ON CONFLICT (pool_id) DO UPDATE
        SET vrf_id = EXCLUDED.vrf_id, first = EXCLUDED.first, last = EXCLUDED.last, gateway = EXCLUDED.gateway,
            total = EXCLUDED.total, populated = EXCLUDED.populated, occupied = 0, allocated = EXCLUDED.allocated;
    DELETE FROM netbox_archiflow_ippooloccupiedaddress WHERE pool_id = p_pool;
    -- Every host that can occupy the pool; archiflow_refresh_pool_hosts applies the rule and counts.
    PERFORM archiflow_refresh_pool_hosts(array_agg(p_pool), array_agg(c.h))
    FROM (
        SELECT host(i.address)::inet AS h FROM ipam_ipaddress i
        WHERE i.vrf_id IS NOT DISTINCT FROM vrf AND host(i.address)::inet BETWEEN lo AND hi
        UNION
        SELECT a.address FROM netbox_archiflow_ipallocation a WHERE a.pool_id = p_pool AND a.is_active
        UNION
        SELECT gw WHERE gw IS NOT NULL
    ) c;
END $$;

CREATE OR REPLACE FUNCTION archiflow_ipaddresses_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_refresh_vrf_hosts(array_agg(c.vrf_id), array_agg(c.h))
    FROM (
        SELECT side.vrf_id, host(side.address)::inet AS h
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.vrf_id, o.address), (n.vrf_id, n.address)) AS side(vrf_id, address)
        WHERE (o.address, o.vrf_id, o.status) IS DISTINCT FROM (n.address, n.vrf_id, n.status)
    ) c;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION archiflow_allocations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_refresh_pool_hosts(array_agg(c.pool_id), array_agg(c.address), array_agg(c.delta))
    FROM (
        SELECT side.*
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (
            VALUES (o.pool_id, o.address, -o.is_active::integer), (n.pool_id, n.address, n.is_active::integer)
        ) AS side(pool_id, address, delta)
        WHERE (o.pool_id, o.address, o.is_active, o.ip_address_id)
              IS DISTINCT FROM (n.pool_id, n.address, n.is_active, n.ip_address_id)
    ) c;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION archiflow_pool_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_rebuild_pool_usage(NEW.id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION archiflow_prefix_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_rebuild_pool_usage(p.id)
    FROM netbox_archiflow_ippool p WHERE p.prefix_id = NEW.id ORDER BY p.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION archiflow_iprange_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    vrfs bigint[] := '{}';
    starts inet[] := '{}';
    ends inet[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.mark_populated THEN
        vrfs := vrfs || OLD.vrf_id;
        starts := starts || host(OLD.start_address)::inet;
        ends := ends || host(OLD.end_address)::inet;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.mark_populated THEN
        vrfs := vrfs || NEW.vrf_id;
        starts := starts || host(NEW.start_address)::inet;
        ends := ends || host(NEW.end_address)::inet;
    END IF;
    PERFORM archiflow_rebuild_pool_usage(pool_id) FROM (
        SELECT DISTINCT u.pool_id
        FROM netbox_archiflow_ippoolusage u
        JOIN unnest(vrfs, starts, ends) AS r(vrf_id, lo, hi)
          ON u.vrf_id IS NOT DISTINCT FROM r.vrf_id AND r.lo <= u.last AND r.hi >= u.first
        ORDER BY u.pool_id
    ) affected;
    RETURN NULL;
END $$;
"""

# Statement-level triggers with transition tables: a bulk write costs one set-based refresh, and each
# pool's counter row is written once per statement, not once per row. Inserts and deletes refresh what
# their rows name, with one function per table and side generated from this template.
ROWS_WRITTEN = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM {refresh} FROM {rows};
    RETURN NULL;
END $$;
"""

FUNCTIONS += ''.join(
    ROWS_WRITTEN.format(name=name, refresh=refresh, rows=rows)
    for name, refresh, rows in (
        (
            'archiflow_ipaddresses_inserted',
            'archiflow_refresh_vrf_hosts(array_agg(vrf_id), array_agg(host(address)::inet))',
            'new_rows',
        ),
        (
            'archiflow_ipaddresses_deleted',
            'archiflow_refresh_vrf_hosts(array_agg(vrf_id), array_agg(host(address)::inet))',
            'old_rows',
        ),
        (
            'archiflow_allocations_inserted',
            'archiflow_refresh_pool_hosts(array_agg(pool_id), array_agg(address), array_agg(is_active::integer))',
            'new_rows',
        ),
        (
            'archiflow_allocations_deleted',
            'archiflow_refresh_pool_hosts(array_agg(pool_id), array_agg(address), array_agg(-is_active::integer))',
            'old_rows',
        ),
    )
)

# Both tables whose rows name hosts have the same three statement-level triggers.
ROW_SET_TRIGGERS = """
CREATE OR REPLACE TRIGGER {prefix}_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_inserted();
CREATE OR REPLACE TRIGGER {prefix}_updated AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION {prefix}_updated();
CREATE OR REPLACE TRIGGER {prefix}_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_deleted();"""

TRIGGERS = (
    ROW_SET_TRIGGERS.format(prefix='archiflow_ipaddresses', table='ipam_ipaddress')
    + ROW_SET_TRIGGERS.format(prefix='archiflow_allocations', table='netbox_archiflow_ipallocation')
    + """
CREATE OR REPLACE TRIGGER archiflow_pool_created AFTER INSERT ON netbox_archiflow_ippool
    FOR EACH ROW EXECUTE FUNCTION archiflow_pool_changed();
CREATE OR REPLACE TRIGGER archiflow_pool_updated AFTER UPDATE ON netbox_archiflow_ippool
    FOR EACH ROW WHEN (OLD.prefix_id IS DISTINCT FROM NEW.prefix_id OR OLD.gateway IS DISTINCT FROM NEW.gateway)
    EXECUTE FUNCTION archiflow_pool_changed();
CREATE OR REPLACE TRIGGER archiflow_prefix_updated AFTER UPDATE ON ipam_prefix
    FOR EACH ROW WHEN (OLD.prefix IS DISTINCT FROM NEW.prefix OR OLD.vrf_id IS DISTINCT FROM NEW.vrf_id
                       OR OLD.is_pool IS DISTINCT FROM NEW.is_pool)
    EXECUTE FUNCTION archiflow_prefix_changed();
CREATE OR REPLACE TRIGGER archiflow_iprange_written AFTER INSERT OR DELETE ON ipam_iprange
    FOR EACH ROW EXECUTE FUNCTION archiflow_iprange_changed();
CREATE OR REPLACE TRIGGER archiflow_iprange_updated AFTER UPDATE ON ipam_iprange
    FOR EACH ROW WHEN (OLD.start_address IS DISTINCT FROM NEW.start_address
                       OR OLD.end_address IS DISTINCT FROM NEW.end_address
                       OR OLD.vrf_id IS DISTINCT FROM NEW.vrf_id
                       OR OLD.mark_populated IS DISTINCT FROM NEW.mark_populated)
    EXECUTE FUNCTION archiflow_iprange_changed();
"""
)

# Recount every pool from the rows the triggers watch.
REBUILD_ALL = 'SELECT archiflow_rebuild_pool_usage(id) FROM netbox_archiflow_ippool ORDER BY id;'

UNINSTALL = """
DROP TRIGGER archiflow_ipaddresses_inserted ON ipam_ipaddress;
DROP TRIGGER archiflow_ipaddresses_updated ON ipam_ipaddress;
DROP TRIGGER archiflow_ipaddresses_deleted ON ipam_ipaddress;
DROP TRIGGER archiflow_allocations_inserted ON netbox_archiflow_ipallocation;
DROP TRIGGER archiflow_allocations_updated ON netbox_archiflow_ipallocation;
DROP TRIGGER archiflow_allocations_deleted ON netbox_archiflow_ipallocation;
DROP TRIGGER archiflow_pool_created ON netbox_archiflow_ippool;
DROP TRIGGER archiflow_pool_updated ON netbox_archiflow_ippool;
DROP TRIGGER archiflow_prefix_updated ON ipam_prefix;
DROP TRIGGER archiflow_iprange_written ON ipam_iprange;
DROP TRIGGER archiflow_iprange_updated ON ipam_iprange;
DROP FUNCTION archiflow_iprange_changed();
DROP FUNCTION archiflow_prefix_changed();
DROP FUNCTION archiflow_pool_changed();
DROP FUNCTION archiflow_allocations_updated();
DROP FUNCTION archiflow_allocations_deleted();
DROP FUNCTION archiflow_allocations_inserted();
DROP FUNCTION archiflow_ipaddresses_updated();
DROP FUNCTION archiflow_ipaddresses_deleted();
DROP FUNCTION archiflow_ipaddresses_inserted();
DROP FUNCTION archiflow_rebuild_pool_usage(bigint);
DROP FUNCTION archiflow_refresh_vrf_hosts(bigint[], inet[]);
DROP FUNCTION archiflow_refresh_pool_hosts(bigint[], inet[], integer[]);
DROP FUNCTION archiflow_inet_numeric(inet);
"""


class InstallPoolUsageTriggers(migrations.operations.base.Operation):
    """Install (or reinstall) the usage-counter functions and triggers, then recount every pool."""

    reversible = True

    def __init__(self, uninstall_on_reverse=True):
        self.uninstall_on_reverse = uninstall_on_reverse

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for sql in (FUNCTIONS, TRIGGERS, REBUILD_ALL):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.uninstall_on_reverse:
            schema_editor.execute(UNINSTALL)

    def describe(self):
        return 'Install the pool usage counter triggers'
