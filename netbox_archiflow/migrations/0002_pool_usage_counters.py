"""Pool usage counters kept by PostgreSQL triggers.

``IPPoolUsage`` holds each pool's bounds and counts and ``IPPoolOccupiedAddress`` the hosts that are not
free. Triggers on every table whose rows decide what a pool has free (native IP addresses, allocations,
pools, prefixes, populated IP ranges) update both in the writing transaction:

- a row change re-evaluates only the hosts it touched (``archiflow_refresh_pool_host``) and compares
  the answer with the stored set, so a counter moves by exactly one and repeated or statement-level
  changes cannot drift it;
- a change of a pool's bounds, gateway or populated ranges rebuilds that pool (``archiflow_rebuild_pool_usage``).

Each refresh locks the pool's usage row first, so concurrent writers of one pool serialize on it and
every evaluation sees the other's committed rows. Triggers, not Django signals: bulk_create, queryset
updates and raw SQL keep the counters right as well.
"""

import django.db.models.deletion
from django.db import migrations, models


USAGE = 'netbox_archiflow_ippoolusage'
OCCUPIED = 'netbox_archiflow_ippooloccupiedaddress'

FUNCTIONS = r"""
CREATE FUNCTION archiflow_inet_numeric(a inet) RETURNS numeric
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

CREATE FUNCTION archiflow_pool_host_is_occupied(u netbox_archiflow_ippoolusage, h inet) RETURNS boolean
LANGUAGE sql STABLE AS $$
-- The rule of services.pools: inside the usable bounds, not in a populated range, and the gateway, an
-- active allocation of the pool, or a native address of the VRF (except one a released allocation of
-- this pool kept as deprecated).
SELECT h BETWEEN u.first AND u.last
   AND NOT EXISTS (
       SELECT 1 FROM ipam_iprange r
       WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM u.vrf_id
         AND h BETWEEN host(r.start_address)::inet AND host(r.end_address)::inet)
   AND ((h = u.gateway) IS TRUE
        OR EXISTS (
            SELECT 1 FROM netbox_archiflow_ipallocation a
            WHERE a.pool_id = u.pool_id AND a.is_active AND a.address = h)
        OR EXISTS (
            SELECT 1 FROM ipam_ipaddress i
            WHERE host(i.address)::inet = h AND i.vrf_id IS NOT DISTINCT FROM u.vrf_id
              AND NOT (i.status = 'deprecated' AND EXISTS (
                  SELECT 1 FROM netbox_archiflow_ipallocation k
                  WHERE k.ip_address_id = i.id AND k.pool_id = u.pool_id AND NOT k.is_active))))
$$;

CREATE FUNCTION archiflow_refresh_pool_host(p_pool bigint, h inet, allocated_delta integer DEFAULT 0)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    u netbox_archiflow_ippoolusage;
BEGIN
    -- Lock first: the evaluation below then runs on a fresh snapshot that includes the committed work
    -- of any writer this one waited for.
    SELECT * INTO u FROM netbox_archiflow_ippoolusage WHERE pool_id = p_pool FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF allocated_delta <> 0 THEN
        UPDATE netbox_archiflow_ippoolusage SET allocated = allocated + allocated_delta WHERE pool_id = p_pool;
    END IF;
    IF h IS NULL THEN
        RETURN;
    END IF;
    IF archiflow_pool_host_is_occupied(u, h) THEN
        INSERT INTO netbox_archiflow_ippooloccupiedaddress (pool_id, address) VALUES (p_pool, h)
        ON CONFLICT DO NOTHING;
        IF FOUND THEN
            UPDATE netbox_archiflow_ippoolusage SET occupied = occupied + 1 WHERE pool_id = p_pool;
        END IF;
    ELSE
        DELETE FROM netbox_archiflow_ippooloccupiedaddress WHERE pool_id = p_pool AND address = h;
        IF FOUND THEN
            UPDATE netbox_archiflow_ippoolusage SET occupied = occupied - 1 WHERE pool_id = p_pool;
        END IF;
    END IF;
END $$;

CREATE FUNCTION archiflow_rebuild_pool_usage(p_pool bigint) RETURNS void
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
    VALUES (p_pool, vrf, lo, hi, gw, archiflow_inet_numeric(hi) - archiflow_inet_numeric(lo) + 1, 0, 0, 0)
    ON CONFLICT (pool_id) DO UPDATE
        SET vrf_id = EXCLUDED.vrf_id, first = EXCLUDED.first, last = EXCLUDED.last,
            gateway = EXCLUDED.gateway, total = EXCLUDED.total;
    DELETE FROM netbox_archiflow_ippooloccupiedaddress WHERE pool_id = p_pool;
    INSERT INTO netbox_archiflow_ippooloccupiedaddress (pool_id, address)
    SELECT p_pool, c.h FROM (
        SELECT host(i.address)::inet AS h FROM ipam_ipaddress i
        WHERE i.vrf_id IS NOT DISTINCT FROM vrf AND host(i.address)::inet BETWEEN lo AND hi
          AND NOT (i.status = 'deprecated' AND EXISTS (
              SELECT 1 FROM netbox_archiflow_ipallocation k
              WHERE k.ip_address_id = i.id AND k.pool_id = p_pool AND NOT k.is_active))
        UNION
        SELECT a.address FROM netbox_archiflow_ipallocation a
        WHERE a.pool_id = p_pool AND a.is_active AND a.address BETWEEN lo AND hi
        UNION
        SELECT gw WHERE gw IS NOT NULL
    ) c
    WHERE NOT EXISTS (
        SELECT 1 FROM ipam_iprange r
        WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM vrf
          AND c.h BETWEEN host(r.start_address)::inet AND host(r.end_address)::inet);
    UPDATE netbox_archiflow_ippoolusage SET
        occupied = (SELECT count(*) FROM netbox_archiflow_ippooloccupiedaddress WHERE pool_id = p_pool),
        allocated = (SELECT count(*) FROM netbox_archiflow_ipallocation WHERE pool_id = p_pool AND is_active),
        populated = coalesce((
            SELECT sum(archiflow_inet_numeric(least(host(r.end_address)::inet, hi))
                       - archiflow_inet_numeric(greatest(host(r.start_address)::inet, lo)) + 1)
            FROM ipam_iprange r
            WHERE r.mark_populated AND r.vrf_id IS NOT DISTINCT FROM vrf
              AND host(r.start_address)::inet <= hi AND host(r.end_address)::inet >= lo), 0)
    WHERE pool_id = p_pool;
END $$;

CREATE FUNCTION archiflow_ipaddress_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    vrfs bigint[] := '{}';
    hosts inet[] := '{}';
    target record;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        vrfs := vrfs || OLD.vrf_id;
        hosts := hosts || host(OLD.address)::inet;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        vrfs := vrfs || NEW.vrf_id;
        hosts := hosts || host(NEW.address)::inet;
    END IF;
    FOR target IN
        SELECT DISTINCT u.pool_id, c.h
        FROM netbox_archiflow_ippoolusage u
        JOIN unnest(vrfs, hosts) AS c(vrf_id, h)
          ON u.vrf_id IS NOT DISTINCT FROM c.vrf_id AND c.h BETWEEN u.first AND u.last
        ORDER BY u.pool_id, c.h
    LOOP
        PERFORM archiflow_refresh_pool_host(target.pool_id, target.h);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION archiflow_allocation_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target record;
BEGIN
    FOR target IN
        SELECT c.pool_id, c.h, sum(c.delta)::integer AS delta
        FROM (
            SELECT OLD.pool_id AS pool_id, OLD.address::inet AS h, CASE WHEN OLD.is_active THEN -1 ELSE 0 END AS delta
            WHERE TG_OP IN ('UPDATE', 'DELETE')
            UNION ALL
            SELECT NEW.pool_id, NEW.address::inet, CASE WHEN NEW.is_active THEN 1 ELSE 0 END
            WHERE TG_OP IN ('INSERT', 'UPDATE')
        ) c
        GROUP BY c.pool_id, c.h
        ORDER BY c.pool_id, c.h
    LOOP
        PERFORM archiflow_refresh_pool_host(target.pool_id, target.h, target.delta);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION archiflow_pool_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_rebuild_pool_usage(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION archiflow_prefix_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archiflow_rebuild_pool_usage(p.id)
    FROM netbox_archiflow_ippool p WHERE p.prefix_id = NEW.id ORDER BY p.id;
    RETURN NULL;
END $$;

CREATE FUNCTION archiflow_iprange_changed() RETURNS trigger
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

ALTER TABLE netbox_archiflow_ippoolusage ADD CONSTRAINT netbox_archiflow_ippoolusage_pool
    FOREIGN KEY (pool_id) REFERENCES netbox_archiflow_ippool (id) ON DELETE CASCADE;
ALTER TABLE netbox_archiflow_ippooloccupiedaddress ADD CONSTRAINT netbox_archiflow_ippooloccupied_pool
    FOREIGN KEY (pool_id) REFERENCES netbox_archiflow_ippool (id) ON DELETE CASCADE;

CREATE TRIGGER archiflow_ipaddress_written AFTER INSERT OR DELETE ON ipam_ipaddress
    FOR EACH ROW EXECUTE FUNCTION archiflow_ipaddress_changed();
CREATE TRIGGER archiflow_ipaddress_updated AFTER UPDATE ON ipam_ipaddress
    FOR EACH ROW WHEN (OLD.address IS DISTINCT FROM NEW.address OR OLD.vrf_id IS DISTINCT FROM NEW.vrf_id
                       OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION archiflow_ipaddress_changed();
CREATE TRIGGER archiflow_allocation_written AFTER INSERT OR DELETE ON netbox_archiflow_ipallocation
    FOR EACH ROW EXECUTE FUNCTION archiflow_allocation_changed();
CREATE TRIGGER archiflow_allocation_updated AFTER UPDATE ON netbox_archiflow_ipallocation
    FOR EACH ROW WHEN (OLD.pool_id IS DISTINCT FROM NEW.pool_id OR OLD.address IS DISTINCT FROM NEW.address
                       OR OLD.is_active IS DISTINCT FROM NEW.is_active
                       OR OLD.ip_address_id IS DISTINCT FROM NEW.ip_address_id)
    EXECUTE FUNCTION archiflow_allocation_changed();
CREATE TRIGGER archiflow_pool_created AFTER INSERT ON netbox_archiflow_ippool
    FOR EACH ROW EXECUTE FUNCTION archiflow_pool_changed();
CREATE TRIGGER archiflow_pool_updated AFTER UPDATE ON netbox_archiflow_ippool
    FOR EACH ROW WHEN (OLD.prefix_id IS DISTINCT FROM NEW.prefix_id OR OLD.gateway IS DISTINCT FROM NEW.gateway)
    EXECUTE FUNCTION archiflow_pool_changed();
CREATE TRIGGER archiflow_prefix_updated AFTER UPDATE ON ipam_prefix
    FOR EACH ROW WHEN (OLD.prefix IS DISTINCT FROM NEW.prefix OR OLD.vrf_id IS DISTINCT FROM NEW.vrf_id
                       OR OLD.is_pool IS DISTINCT FROM NEW.is_pool)
    EXECUTE FUNCTION archiflow_prefix_changed();
CREATE TRIGGER archiflow_iprange_written AFTER INSERT OR DELETE ON ipam_iprange
    FOR EACH ROW EXECUTE FUNCTION archiflow_iprange_changed();
CREATE TRIGGER archiflow_iprange_updated AFTER UPDATE ON ipam_iprange
    FOR EACH ROW WHEN (OLD.start_address IS DISTINCT FROM NEW.start_address
                       OR OLD.end_address IS DISTINCT FROM NEW.end_address
                       OR OLD.vrf_id IS DISTINCT FROM NEW.vrf_id
                       OR OLD.mark_populated IS DISTINCT FROM NEW.mark_populated)
    EXECUTE FUNCTION archiflow_iprange_changed();

SELECT archiflow_rebuild_pool_usage(id) FROM netbox_archiflow_ippool ORDER BY id;
"""

REVERSE = """
DROP TRIGGER archiflow_ipaddress_written ON ipam_ipaddress;
DROP TRIGGER archiflow_ipaddress_updated ON ipam_ipaddress;
DROP TRIGGER archiflow_allocation_written ON netbox_archiflow_ipallocation;
DROP TRIGGER archiflow_allocation_updated ON netbox_archiflow_ipallocation;
DROP TRIGGER archiflow_pool_created ON netbox_archiflow_ippool;
DROP TRIGGER archiflow_pool_updated ON netbox_archiflow_ippool;
DROP TRIGGER archiflow_prefix_updated ON ipam_prefix;
DROP TRIGGER archiflow_iprange_written ON ipam_iprange;
DROP TRIGGER archiflow_iprange_updated ON ipam_iprange;
DROP FUNCTION archiflow_iprange_changed();
DROP FUNCTION archiflow_prefix_changed();
DROP FUNCTION archiflow_pool_changed();
DROP FUNCTION archiflow_allocation_changed();
DROP FUNCTION archiflow_ipaddress_changed();
DROP FUNCTION archiflow_rebuild_pool_usage(bigint);
DROP FUNCTION archiflow_refresh_pool_host(bigint, inet, integer);
DROP FUNCTION archiflow_pool_host_is_occupied(netbox_archiflow_ippoolusage, inet);
DROP FUNCTION archiflow_inet_numeric(inet);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('netbox_archiflow', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='IPPoolUsage',
            fields=[
                ('pool', models.OneToOneField(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='usage_counts', serialize=False, to='netbox_archiflow.ippool')),
                ('vrf_id', models.BigIntegerField(editable=False, null=True)),
                ('first', models.GenericIPAddressField(editable=False)),
                ('last', models.GenericIPAddressField(editable=False)),
                ('gateway', models.GenericIPAddressField(editable=False, null=True)),
                ('total', models.DecimalField(decimal_places=0, editable=False, max_digits=39)),
                ('populated', models.DecimalField(decimal_places=0, editable=False, max_digits=39)),
                ('occupied', models.BigIntegerField(editable=False)),
                ('allocated', models.BigIntegerField(editable=False)),
            ],
            options={
                'verbose_name': 'IP pool usage',
            },
        ),
        migrations.CreateModel(
            name='IPPoolOccupiedAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ('address', models.GenericIPAddressField(editable=False)),
                ('pool', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='netbox_archiflow.ippool')),
            ],
            options={
                'verbose_name': 'IP pool occupied address',
                'constraints': [models.UniqueConstraint(fields=('pool', 'address'), name='netbox_archiflow_ippooloccupied_address')],
            },
        ),
        migrations.RunSQL(FUNCTIONS, REVERSE),
    ]
