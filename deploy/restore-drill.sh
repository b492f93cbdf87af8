#!/usr/bin/env bash
# Restore drill: proves that a backup of the service's database can be
# restored and served. Dumps the database (pg_dump, custom format, as the
# schema owner), restores it into a new database on the same server
# (pg_restore), compares the row counts of every table, then starts one
# service instance on the original and one on the restored copy and
# compares what they serve, caller by caller: the meetings each caller sees,
# and for a sample of them the meeting, its minutes and their versions,
# invitations and family-notice decisions, plus the caller's actions and
# escalations (status, ETag and body must be identical). Exits non-zero on
# any difference. docs/operations.md ("Backups and the restore drill").
#
# Environment (the service's own settings, plus):
#   MIGRATION_DATABASE_URL  the schema owner's URI of the source database (required)
#   DATABASE_URL            the service's runtime URI of the source (required);
#                           the restored instance uses the same role on the copy
#   RESTORE_ADMIN_URL       a role that may CREATE DATABASE on that server
#                           (default: MIGRATION_DATABASE_URL)
#   DRILL_TOKENS            a file of bearer tokens, one a line: the callers whose
#                           views are compared (required)
#   MAM_SERVER_BINARY       the service binary (default build/release/mam)
#   JWT_ISSUER, JWT_AUDIENCE and JWT_HS256_SECRET or JWT_JWKS_FILE, as for the service
#   DRILL_SAMPLE            meetings compared in depth per caller (default 20)
#   RESTORE_DB              name of the new database (default <source>_drill_<time>)
#   DRILL_FAIL_FAST=1       stop at the first difference
#   DRILL_KEEP=1            keep the restored database and the dump
#   DRILL_LIVE_SOURCE=1     the source takes writes meanwhile: row counts are
#                           reported, not compared
#   DRILL_TAMPER_SQL        SQL run on the copy before comparing (the drill's
#                           own test uses it to show that differences are caught)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/deploy/service-user.sh"
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
started=$(date +%s)
say() { printf '[restore-drill %3ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

: "${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL (the schema owner of the source database)}"
: "${DATABASE_URL:?set DATABASE_URL (the service runtime role on the source database)}"
: "${DRILL_TOKENS:?set DRILL_TOKENS (a file of bearer tokens, one a line)}"
[ -s "$DRILL_TOKENS" ] || die "DRILL_TOKENS ($DRILL_TOKENS) is empty"
binary=${MAM_SERVER_BINARY:-$top/build/release/mam}
[ -x "$binary" ] || die "no service binary at $binary (make build, or set MAM_SERVER_BINARY)"
sample=${DRILL_SAMPLE:-20}
admin_url=${RESTORE_ADMIN_URL:-$MIGRATION_DATABASE_URL}

# with_db URI NAME: the URI with its database replaced
with_db() { sed -E "s#^([a-z]+://[^/]*)/[^?]*#\\1/$2#" <<<"$1"; }
db_of() { sed -E 's#^[a-z]+://[^/]*/([^?]*).*#\1#' <<<"$1"; }

source_db=$(db_of "$MIGRATION_DATABASE_URL")
restore_db=${RESTORE_DB:-${source_db}_drill_$(date +%s)}
owner_role=$("$pg_bin/psql" -X -qAt "$MIGRATION_DATABASE_URL" -c "SELECT current_user")
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${DRILL_KEEP:-0}" != 1 ]; then
    "$pg_bin/psql" -X -q "$(with_db "$admin_url" postgres)" \
      -c "DROP DATABASE IF EXISTS \"$restore_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
  else
    say "kept: database $restore_db, dump and answers in $work"
  fi
  exit "$status"
}
trap cleanup EXIT

# --- 1. dump ---
say "dumping $source_db as $owner_role"
"$pg_bin/pg_dump" -Fc --no-owner -f "$work/mam.dump" "$MIGRATION_DATABASE_URL"
say "dump: $(du -h "$work/mam.dump" | cut -f1)"

# --- 2. restore into a new database ---
"$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$(with_db "$admin_url" postgres)" \
  -c "CREATE DATABASE \"$restore_db\" OWNER \"$owner_role\"" >/dev/null
restore_owner_url=$(with_db "$MIGRATION_DATABASE_URL" "$restore_db")
"$pg_bin/pg_restore" --exit-on-error --no-owner -d "$restore_owner_url" "$work/mam.dump"
say "restored into $restore_db"
if [ -n "${DRILL_TAMPER_SQL:-}" ]; then
  "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$restore_owner_url" -c "$DRILL_TAMPER_SQL" >/dev/null
fi

# --- 3. row counts, table by table ---
counts() {
  "$pg_bin/psql" -X -qAt -v ON_ERROR_STOP=1 "$1" <<'SQL'
SELECT string_agg(format('SELECT %L AS t, count(*) AS n FROM %I.%I', c.relname, n.nspname, c.relname), ' UNION ALL ' ORDER BY c.relname) AS q
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' \gset
:q ORDER BY t
SQL
}
counts "$MIGRATION_DATABASE_URL" > "$work/counts.source"
counts "$restore_owner_url" > "$work/counts.restored"
tables=$(wc -l < "$work/counts.source")
if ! diff -u "$work/counts.source" "$work/counts.restored" > "$work/counts.diff"; then
  if [ "${DRILL_LIVE_SOURCE:-0}" = 1 ]; then
    say "row counts differ (the source is live): $(grep -c '^[-+][^-+]' "$work/counts.diff") lines"
  else
    cat "$work/counts.diff" >&2
    die "row counts of the restored database differ from the source"
  fi
else
  say "row counts: all $tables tables identical ($(awk -F'|' '{s += $2} END {print s}' "$work/counts.source") rows)"
fi

# --- 4. a service instance on each ---
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
start_instance() { # NAME DATABASE_URL: sets instance_port
  local name=$1 url=$2 port
  port=$(free_port)
  (export DATABASE_URL="$url" PORT="$port" BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warning
   service_exec "$binary" serve) >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && { instance_port=$port; return 0; }
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  die "the $name instance did not become ready"
}
# not in $(...): the pids must reach the cleanup
start_instance original "$DATABASE_URL"; original_port=$instance_port
start_instance restored "$(with_db "$DATABASE_URL" "$restore_db")"; restored_port=$instance_port
say "serving: original on :$original_port, restored on :$restored_port"

# --- 5. compare what they serve ---
fetch() { # PORT TOKEN PATH -> "status etag" line, then the body
  curl -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' \
    -H "Authorization: Bearer $2" "http://127.0.0.1:$1$3" > "$work/status"
  printf '%s %s\n' "$(cat "$work/status")" "$(awk 'tolower($1) == "etag:" {print $2}' "$work/headers" | tr -d '\r')"
  # the request id differs by design; everything else must not
  sed -E 's/"request_id":"[0-9a-f]*"/"request_id":""/g' "$work/body"
}
compared=0 differences=0 ok=0
compare() { # TOKEN PATH
  fetch "$original_port" "$1" "$2" > "$work/a"
  fetch "$restored_port" "$1" "$2" > "$work/b"
  compared=$((compared + 1))
  if ! cmp -s "$work/a" "$work/b"; then
    differences=$((differences + 1))
    say "DIFFERENT: GET $2"
    diff <(head -c 2000 "$work/a") <(head -c 2000 "$work/b") | head -8 >&2 || true
    [ "${DRILL_FAIL_FAST:-0}" != 1 ] || die "the restored database serves different data"
  elif [ "$(head -c 1 "$work/a")" = 2 ]; then
    ok=$((ok + 1))
  fi
}
caller=0
while read -r token; do
  [ -n "$token" ] || continue
  caller=$((caller + 1))
  compare "$token" "/v1/meetings?limit=200"
  compare "$token" "/v1/actions?limit=200"
  compare "$token" "/v1/escalations?limit=200"
  compare "$token" "/v1/invitations?invitee=me&limit=200"
  fetch "$original_port" "$token" "/v1/meetings?limit=$sample" | tail -n +2 |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{for(const m of JSON.parse(s).items??[])console.log(m.id)}catch{}})' \
    > "$work/ids"
  while read -r id; do
    for sub in "" /minutes /minutes/versions /invitations /consent-decisions; do
      compare "$token" "/v1/meetings/$id$sub"
    done
  done < "$work/ids"
done < "$DRILL_TOKENS"

say "compared $compared answers for $caller callers: $ok successful and identical, $differences different"
[ "$differences" -eq 0 ] || die "the restored database serves different data"
[ "$ok" -gt 0 ] || die "nothing was served successfully: the callers see no data"
say "passed: the restored database serves the same data"
