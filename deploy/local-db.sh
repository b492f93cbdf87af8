#!/usr/bin/env bash
# The private PostgreSQL 15 clusters this project runs and tests against.
# Nothing here touches the system's own PostgreSQL: each cluster lives under
# .data/<name>, listens on 127.0.0.1 only, and has its own random password.
#
#   deploy/local-db.sh start <name> <port>   init (first time) and start
#   deploy/local-db.sh stop <name>           stop (fast shutdown)
#   deploy/local-db.sh crash <name> immediate|kill
#                                            test clusters only: an immediate stop (no
#                                            shutdown checkpoint; recovery at the next
#                                            start), or SIGKILL to the postmaster; returns
#                                            once no process of the cluster is left
#   deploy/local-db.sh status <name>         exit 0 when running
#   deploy/local-db.sh ensure-db <name> <db> create the roles and database <db> if missing
#   deploy/local-db.sh drop-db <name> <db>   drop database <db>
#   deploy/local-db.sh url <name> <db>       print the service's DATABASE_URL (role mam_app)
#   deploy/local-db.sh owner-url <name> <db> print the migrations' URL (role mam_owner)
#   deploy/local-db.sh admin-url <name> [db] print the superuser URL (tests, tools)
#   deploy/local-db.sh ssl-cert <name>       print the path of the cluster's TLS certificate
#                                            (self-signed: it is its own root, for sslrootcert)
#
# Test clusters (every one but 'pg', the one make run uses, and 'pg-bench',
# whose figures are measured without TLS) accept TLS with a self-signed
# certificate made at init, or at the first start without one, so that the
# fault tests can check that sslmode=require/verify-full are honoured.
# Connections without TLS are still accepted.
#
# As root, initdb and the server run as the 'postgres' user. When that user
# cannot reach .data (a checkout under a private directory such as /root or
# a mktemp -d), the cluster lives in /var/tmp/mam-<hash>/ with .data/<name>
# pointing to it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data_root="$top/.data"
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "local-db: $*" >&2; exit 1; }
[ -x "$pg_bin/pg_ctl" ] || die "PostgreSQL 15 is not installed ($pg_bin/pg_ctl missing); run deploy/packages.sh install db"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts the server without the caller's open files: it outlives this
# script, and would otherwise hold them for ever after, such as the lock of
# `flock FILE make bench` (every later bench waiting on an idle cluster).
start_server() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    as_owner "$pg_bin/pg_ctl" "$@"
  )
}

# The cluster's real directory: postgres may not be able to follow a path
# through the checkout, so symlinks are resolved before it is given one.
cluster_dir() {
  if [ -L "$data_root/$1" ]; then readlink -f "$data_root/$1"; else echo "$data_root/$1"; fi
}
password_file() { echo "$data_root/$1.password"; }
port_file() { echo "$data_root/$1.port"; }

prepare_dir() {
  local name=$1 dir
  dir=$(cluster_dir "$name")
  mkdir -p "$data_root"
  # postgres (as root) must be able to pass through .data; nothing in it is listable
  if [ "$(id -u)" -eq 0 ]; then chmod 711 "$data_root"; else chmod 700 "$data_root"; fi
  [ -e "$dir" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    local probe="$data_root/.probe"
    mkdir -p "$probe" && chown postgres "$probe"
    if runuser -u postgres -- test -w "$probe" 2>/dev/null; then
      mv "$probe" "$dir"
    else
      rmdir "$probe"
      local hash elsewhere
      hash=$(printf '%s' "$top" | sha256sum | cut -c1-12)
      elsewhere="/var/tmp/mam-$hash/$name"
      mkdir -p "$elsewhere"
      chown postgres "$elsewhere" "$(dirname "$elsewhere")"
      chmod 700 "$elsewhere"
      ln -s "$elsewhere" "$dir"
    fi
  else
    mkdir -p "$dir"
  fi
}

init_cluster() {
  local name=$1 port=$2 dir pwfile tmp
  dir=$(cluster_dir "$name")
  pwfile=$(password_file "$name")
  [ -f "$dir/PG_VERSION" ] && return 0
  prepare_dir "$name"
  dir=$(cluster_dir "$name")
  head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$pwfile"
  chmod 600 "$pwfile"
  tmp=$(mktemp)
  cp "$pwfile" "$tmp"
  [ "$(id -u)" -eq 0 ] && chown postgres "$tmp"
  as_owner "$pg_bin/initdb" -D "$dir" -U mam_admin --pwfile="$tmp" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$tmp"
  # A private cluster: loopback TCP only, no Unix socket to collide with others.
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 200
shared_buffers = 256MB
CONF
  if [ "$name" = pg-bench ]; then
    # The benchmark measures a durable database, as production runs it (a
    # commit waits for its WAL flush), with room for a million meetings.
    as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
CONF
  elif [ "$name" != pg ]; then
    # Throwaway test data: durability is not needed, speed is.
    as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  echo "$port" > "$(port_file "$name")"
}

is_test_cluster() { [ "$1" != pg ] && [ "$1" != pg-bench ]; }

# Returns 0 when it changed the configuration (a running server must reload).
ensure_ssl() {
  local name=$1 dir
  is_test_cluster "$name" || return 1
  dir=$(cluster_dir "$name")
  [ -f "$dir/PG_VERSION" ] || return 1
  [ -f "$dir/server.crt" ] && [ -f "$dir/server.key" ] && return 1
  command -v openssl >/dev/null || die "openssl is needed for the test cluster's certificate"
  as_owner openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1 \
    || die "could not make a TLS certificate for cluster $name"
  as_owner chmod 600 "$dir/server.key"
  as_owner chmod 644 "$dir/server.crt"
  # postgresql.conf's defaults name server.crt and server.key in the data directory
  as_owner tee -a "$dir/postgresql.conf" >/dev/null <<CONF
ssl = on
CONF
  return 0
}

is_running() {
  local dir
  dir=$(cluster_dir "$1")
  [ -f "$dir/PG_VERSION" ] && as_owner "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

port_of() { cat "$(port_file "$1")"; }
password_of() { cat "$(password_file "$1")"; }

admin_url() {
  echo "postgresql://mam_admin:$(password_of "$1")@127.0.0.1:$(port_of "$1")/${2:-postgres}"
}

psql_admin() {
  local name=$1 db=$2; shift 2
  "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$(admin_url "$name" "$db")" "$@"
}

cmd=${1:-}; shift || true
case "$cmd" in
  start)
    name=$1 port=$2
    init_cluster "$name" "$port"
    if ensure_ssl "$name" && is_running "$name"; then
      as_owner "$pg_bin/pg_ctl" -D "$(cluster_dir "$name")" reload >/dev/null
    fi
    if ! is_running "$name"; then
      dir=$(cluster_dir "$name")
      # A fault test holds commits with an absent synchronous standby
      # (tests/faults/test_commit_outcome.c); one that died before letting
      # go must not leave a test cluster whose every commit waits.
      if is_test_cluster "$name" && [ -f "$dir/postgresql.auto.conf" ] &&
         grep -q '^synchronous_standby_names' "$dir/postgresql.auto.conf"; then
        as_owner sed -i '/^synchronous_standby_names/d' "$dir/postgresql.auto.conf"
      fi
      if ! start_server -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null; then
        tail -20 "$dir/server.log" >&2
        [ "$name" != pg ] || die "could not start cluster $name"
        # Test clusters run without fsync and hold only throwaway databases:
        # one that a crash left unusable is rebuilt rather than repaired.
        echo "local-db: rebuilding test cluster $name" >&2
        as_owner find "$dir" -mindepth 1 -delete
        init_cluster "$name" "$port"
        ensure_ssl "$name" || true
        start_server -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
          || { tail -20 "$dir/server.log" >&2; die "could not start cluster $name"; }
      fi
    fi
    ;;
  stop)
    name=$1
    if is_running "$name"; then
      as_owner "$pg_bin/pg_ctl" -D "$(cluster_dir "$name")" -m fast -w stop >/dev/null
    fi
    ;;
  crash)
    name=$1 how=${2:-}
    is_test_cluster "$name" || die "crash is for test clusters only, not $name"
    dir=$(cluster_dir "$name")
    case "$how" in
      immediate) as_owner "$pg_bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null ;;
      kill)
        [ -f "$dir/postmaster.pid" ] || die "cluster $name is not running"
        kill -KILL "$(head -1 "$dir/postmaster.pid")"
        ;;
      *) die "usage: $0 crash <name> immediate|kill" ;;
    esac
    # Backends left behind by a killed postmaster hold its shared memory
    # until they notice and exit; a start before then would fail (and a
    # test cluster that fails to start is rebuilt). Each runs in the data
    # directory.
    # The killed postmaster itself counts until it is reaped.
    for _ in $(seq 1 300); do
      left=0
      for p in /proc/[0-9]*; do
        [ "$(readlink "$p/cwd" 2>/dev/null)" = "$dir" ] && { left=1; break; }
      done
      [ "$left" = 0 ] && ! is_running "$name" && exit 0
      sleep 0.1
    done
    die "processes of cluster $name still running 30 s after the crash"
    ;;
  status) is_running "$1" ;;
  ensure-db)
    # Least privilege: mam_owner owns the schema and runs migrations; the
    # service connects as mam_app, a member of mam_runtime, which may read
    # and write case data but not change the schema, nor update or delete
    # audit events (the migrations grant exactly that to mam_runtime).
    name=$1 db=$2
    for role in owner app; do
      f="$data_root/$name.$role-password"
      [ -f "$f" ] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$f"; chmod 600 "$f"; }
    done
    psql_admin "$name" postgres -v owner_pw="$(cat "$data_root/$name.owner-password")" \
      -v app_pw="$(cat "$data_root/$name.app-password")" <<'SQL'
SELECT format('CREATE ROLE mam_owner LOGIN PASSWORD %L', :'owner_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_owner') \gexec
SELECT 'CREATE ROLE mam_runtime NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_runtime') \gexec
SELECT format('CREATE ROLE mam_app LOGIN PASSWORD %L IN ROLE mam_runtime', :'app_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mam_app') \gexec
SQL
    exists=$(psql_admin "$name" postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")
    [ "$exists" = 1 ] || psql_admin "$name" postgres -c "CREATE DATABASE \"$db\" OWNER mam_owner"
    ;;
  drop-db)
    psql_admin "$1" postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)"
    ;;
  url)
    echo "postgresql://mam_app:$(cat "$data_root/$1.app-password")@127.0.0.1:$(port_of "$1")/$2"
    ;;
  owner-url)
    echo "postgresql://mam_owner:$(cat "$data_root/$1.owner-password")@127.0.0.1:$(port_of "$1")/$2"
    ;;
  admin-url) admin_url "$1" "${2:-postgres}" ;;
  ssl-cert)
    dir=$(cluster_dir "$1")
    [ -f "$dir/server.crt" ] || die "cluster $1 has no TLS certificate"
    echo "$dir/server.crt"
    ;;
  *) die "usage: $0 start|stop|crash|status|ensure-db|drop-db|url|owner-url|admin-url|ssl-cert ..." ;;
esac
