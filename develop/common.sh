# Shared bootstrap for develop/run and develop/test (sourced, not executed).
# Finds Python >= 3.12, builds .venv with NetBox and the plugin, makes sure PostgreSQL and Redis
# answer, writes the NetBox configuration and creates the databases. Every step skips work that
# is already done, so a second run starts in seconds.

set -euo pipefail

NETBOX_VERSION=4.7.3
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEVELOP="$REPO/develop"
VENV=${ARCHIFLOW_VENV:-$REPO/.venv}
export NETBOX_ROOT=${NETBOX_ROOT:-$DEVELOP/.netbox-root}
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"

DB_HOST=${ARCHIFLOW_DB_HOST:-127.0.0.1}
DB_PORT=${ARCHIFLOW_DB_PORT:-5432}
DB_USER=${ARCHIFLOW_DB_USER:-netbox}
DB_PASSWORD=${ARCHIFLOW_DB_PASSWORD:-netbox}
DB_NAME=${ARCHIFLOW_DB:-netbox_archiflow}
TEST_DB_NAME="test_$DB_NAME"
# Core-only database every other database is cloned from: migrating NetBox from nothing takes
# 10-12 minutes on a small machine, cloning takes seconds.
CORE_DB_NAME="archiflow_core_${NETBOX_VERSION//./_}"
PG_ADMIN_USER=${ARCHIFLOW_PG_ADMIN_USER:-postgres}
REDIS_HOST=${ARCHIFLOW_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${ARCHIFLOW_REDIS_PORT:-6379}
# First of the four Redis databases this checkout uses (dev tasks/cache, test tasks/cache).
REDIS_DB=${ARCHIFLOW_REDIS_DB:-0}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

find_python() {
    # pyenv shims exist for every installed version but only run the selected ones: try the
    # interpreters under pyenv's versions folder directly as well.
    local candidate pyenv_root
    pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in ${PYTHON:-} python3.12 python3.13 python3 \
        $(ls -d "$pyenv_root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    die "NetBox $NETBOX_VERSION needs Python >= 3.12. Install python3.12 or python3.13 (e.g. 'apt-get install python3.12-venv' or 'pyenv install 3.12'), or point PYTHON at one."
}

ensure_venv() {
    if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
        local python
        python=$(find_python)
        say "Creating $VENV with $python"
        rm -rf "$VENV"
        "$python" -m venv "$VENV"
    fi
    local stamp="$VENV/.archiflow-installed"
    local want
    want="netbox==$NETBOX_VERSION $(sha256sum "$REPO/pyproject.toml" | cut -c1-16)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing netbox==$NETBOX_VERSION and netbox-archiflow (editable, with test extras) into $VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet "netbox==$NETBOX_VERSION" -e "$REPO[test]"
        echo "$want" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

port_open() {
    "$VENV/bin/python" - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

wait_for_port() {
    local i
    for i in $(seq 1 30); do
        port_open "$1" "$2" && return 0
        sleep 1
    done
    return 1
}

psql_admin() {
    psql -h "$DB_HOST" -p "$DB_PORT" -U "$PG_ADMIN_USER" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

ensure_postgres() {
    command -v psql >/dev/null 2>&1 ||
        die "psql not found. Install PostgreSQL >= 15: 'apt-get install postgresql postgresql-client'."
    if ! port_open "$DB_HOST" "$DB_PORT"; then
        if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
            local cluster
            cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
            say "Starting the local PostgreSQL $cluster cluster"
            pg_ctlcluster --skip-systemctl-redirect "$cluster" main start ||
                die "could not start PostgreSQL $cluster (pg_ctlcluster $cluster main start)."
            wait_for_port "$DB_HOST" "$DB_PORT" || die "PostgreSQL did not come up on $DB_HOST:$DB_PORT."
        else
            die "PostgreSQL is not answering on $DB_HOST:$DB_PORT and no local server is installed. Install PostgreSQL >= 15 ('apt-get install postgresql') or set ARCHIFLOW_DB_HOST/ARCHIFLOW_DB_PORT."
        fi
    fi
    local version
    version=$(psql_admin -c 'SHOW server_version_num') ||
        die "cannot connect to PostgreSQL on $DB_HOST:$DB_PORT as '$PG_ADMIN_USER' (set ARCHIFLOW_PG_ADMIN_USER to a superuser that may connect)."
    [ "$version" -ge 150000 ] || die "PostgreSQL >= 15 is required, found server_version_num=$version."
    if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]; then
        say "Creating PostgreSQL role $DB_USER"
        psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
    fi
}

ensure_redis() {
    if ! port_open "$REDIS_HOST" "$REDIS_PORT"; then
        if command -v redis-server >/dev/null 2>&1; then
            say "Starting a local Redis on port $REDIS_PORT"
            mkdir -p "$NETBOX_ROOT/redis"
            redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
                --dir "$NETBOX_ROOT/redis" --logfile "$NETBOX_ROOT/redis/redis.log"
            wait_for_port "$REDIS_HOST" "$REDIS_PORT" || die "Redis did not come up on port $REDIS_PORT."
        else
            die "Redis is not answering on $REDIS_HOST:$REDIS_PORT and redis-server is not installed. Install Redis >= 6 ('apt-get install redis-server') or set ARCHIFLOW_REDIS_HOST/ARCHIFLOW_REDIS_PORT."
        fi
    fi
    "$VENV/bin/python" - "$REDIS_HOST" "$REDIS_PORT" <<'PY' || die "Redis >= 6 is required."
import sys, redis
info = redis.Redis(host=sys.argv[1], port=int(sys.argv[2])).info('server')
sys.exit(int(info['redis_version'].split('.')[0]) < 6)
PY
}

write_configuration() {
    mkdir -p "$NETBOX_ROOT/conf" "$NETBOX_ROOT/media" "$NETBOX_ROOT/static"
    local secrets="$NETBOX_ROOT/secrets.env"
    if [ ! -f "$secrets" ]; then
        "$VENV/bin/python" - >"$secrets" <<'PY'
import secrets, string
alphabet = string.ascii_letters + string.digits
for name in ('SECRET_KEY', 'API_TOKEN_PEPPER'):
    print(f"{name}={''.join(secrets.choice(alphabet) for _ in range(64))}")
PY
        chmod 600 "$secrets"
    fi
    # shellcheck disable=SC1090
    . "$secrets"
    SECRET_KEY=$SECRET_KEY API_TOKEN_PEPPER=$API_TOKEN_PEPPER DB_NAME=$DB_NAME TEST_DB_NAME=$TEST_DB_NAME \
        DB_USER=$DB_USER DB_PASSWORD=$DB_PASSWORD DB_HOST=$DB_HOST DB_PORT=$DB_PORT \
        REDIS_HOST=$REDIS_HOST REDIS_PORT=$REDIS_PORT REDIS_DB=$REDIS_DB \
        "$VENV/bin/python" - "$DEVELOP/configuration.py.tmpl" "$NETBOX_ROOT/conf/configuration.py" <<'PY'
import os, re, sys
template = open(sys.argv[1]).read()
rendered = re.sub(r'@([A-Z_]+)@', lambda m: os.environ[m.group(1)], template)
path = sys.argv[2]
if not os.path.exists(path) or open(path).read() != rendered:
    with open(path, 'w') as f:
        f.write(rendered)
PY
}

database_exists() {
    [ -n "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]
}

ensure_core_database() {
    # The template flag is set only after a complete migration: an interrupted one is redone.
    [ -n "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$CORE_DB_NAME' AND datistemplate")" ] && return
    say "Migrating an empty NetBox $NETBOX_VERSION database ($CORE_DB_NAME). This happens once per machine and takes about 10-12 minutes."
    database_exists "$CORE_DB_NAME" && psql_admin -c "DROP DATABASE \"$CORE_DB_NAME\""
    psql_admin -c "CREATE DATABASE \"$CORE_DB_NAME\" OWNER \"$DB_USER\""
    ARCHIFLOW_CORE_ONLY=1 ARCHIFLOW_DB_NAME="$CORE_DB_NAME" netbox migrate --no-input
    psql_admin -c "ALTER DATABASE \"$CORE_DB_NAME\" WITH IS_TEMPLATE true"
}

# ensure_database NAME: create NAME as a clone of the core database when it does not exist yet.
ensure_database() {
    database_exists "$1" && return
    ensure_core_database
    say "Creating database $1 from $CORE_DB_NAME"
    psql_admin -c "CREATE DATABASE \"$1\" TEMPLATE \"$CORE_DB_NAME\" OWNER \"$DB_USER\""
}

bootstrap() {
    ensure_venv
    ensure_postgres
    ensure_redis
    write_configuration
}
