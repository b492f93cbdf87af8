#!/usr/bin/env bash
# make bench: the service measured against the machine's own limits.
#
# From a clean clone: builds an optimised binary, starts a private
# PostgreSQL cluster (.data/pg-bench, durable settings), loads fictional
# volume in stages (10k, 100k, 1M meetings), starts the service and drives
# it with wrk; each workload alternates with its limit on the same machine:
# pgbench running the same statements in the same transactions, or nginx
# answering the same bytes. Prints a table and writes bench/RESULTS.md.
#
# BENCH_ONLY=webhooks measures only the webhook row (stage 1's volume),
# for a quick run of it, and writes it to its own block of bench/RESULTS.md.
# BENCH_ONLY=obligations measures only the obligations list (OBL-2) at the
# three stages, compared with pgbench at the second, and writes its own
# block (the growth from the second stage to the third).
# BENCH_ONLY=chronology measures only the chronology of a child of 200
# entries (CHR-1, and its PDF, CHR-3) against pgbench at stage 1's volume,
# and writes its own block.
# BENCH_ONLY=readmodel measures only issue 21's rows: the read model's GET
# meeting and scheduled list against their floors (pgbench running the
# cheapest SQL that returns the same bytes with the same audit row:
# bench/pgbench/floor_*.sql) and against today's main (commit
# BENCH_TODAY_COMMIT, 7e21d9b, built in a git worktree under bench/out and
# run on a database of its own, loaded the same way), POST /v1/meetings
# against today's main, and list page 1 at the three stages (the third
# stage only that); it writes its own block (bench/readmodel_report.sh).
# A full run has the same rows.
#
# Knobs: BENCH_SECONDS (6 per run), BENCH_CONNECTIONS (64),
# BENCH_RSS_REQUESTS (10000000) and BENCH_RSS_FIRST (1000000) for the RSS
# check, BENCH_SIZES ("10000 100000 1000000", the
# three stages; smaller for a quick try of the script itself),
# BENCH_TODAY_COMMIT (7e21d9b) and BENCH_TODAY_PORT (BENCH_PORT + 2).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source deploy/service-user.sh
source bench/block.sh

seconds=${BENCH_SECONDS:-6}
read -r size1 size2 size3 <<<"${BENCH_SIZES:-10000 100000 1000000}"
conns=${BENCH_CONNECTIONS:-64}
rss_requests=${BENCH_RSS_REQUESTS:-10000000}
rss_first_requests=${BENCH_RSS_FIRST:-1000000}
pg_port=${BENCH_PG_PORT:-55434}
port=${BENCH_PORT:-18181}
nginx_port=${BENCH_NGINX_PORT:-18182}
pg_bin=/usr/lib/postgresql/15/bin
out="$top/bench/out"
data="$out/data"
export BENCH_DATA="$data"
started=$(date +%s)
say() { printf '[bench %4ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
source bench/readmodel.sh

deploy/packages.sh install build runtime db bench
make -s -j"$(nproc)" build
rm -rf "$out"
mkdir -p "$data"
chmod 755 "$out" "$data"
case "${BENCH_ONLY:-}" in ''|readmodel) build_today ;; esac

# --- database ---
deploy/local-db.sh start pg-bench "$pg_port"
deploy/local-db.sh drop-db pg-bench mam_bench >/dev/null
deploy/local-db.sh ensure-db pg-bench mam_bench
export DATABASE_URL=$(deploy/local-db.sh url pg-bench mam_bench)
export MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url pg-bench mam_bench)
admin_url=$(deploy/local-db.sh admin-url pg-bench mam_bench)
build/release/mam migrate >/dev/null 2>&1
psql_at() { # URL psql-args...
  local url=$1; shift
  PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$url" "$@"
}
psql_admin() { psql_at "$admin_url" "$@"; }

# Loads meetings (from, to]; the growth stage skips the history volume.
# Loading runs as the cluster's superuser with triggers off: the rows are
# generated consistent, and checking each foreign key would only slow it.
loaded=0
load_to() { # to history [obligations: 1, or 0 to derive none]
  local to=$1 history=$2 t0
  t0=$(date +%s)
  load_into "$admin_url" "$loaded" "$to" "$history" "${3:-1}"
  loaded=$to
  say "loaded $to meetings in $(( $(date +%s) - t0 ))s"
}
# load_into ADMIN-URL FROM TO HISTORY OBLIGATIONS: the same volume into any
# database (today's main's as well, bench/readmodel.sh)
load_into() {
  local url=$1 from=$2 to=$3 history=$4 obligations=$5
  # in as many sessions as there are cores, each a slice of the range
  local parts pids=() k
  parts=$(nproc)
  for k in $(seq 1 "$parts"); do
    local a=$(( from + (to - from) * (k - 1) / parts )) b=$(( from + (to - from) * k / parts ))
    { echo 'SET session_replication_role = replica;'; cat bench/load.sql; } |
      psql_at "$url" -v from="$a" -v to="$b" -v history="$history" -v obligations="$obligations" -f - >/dev/null &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || { echo "loading failed" >&2; exit 1; }; done
  # VACUUM as well as ANALYZE: otherwise autovacuum takes up the freshly
  # loaded rows during the first workload measured after the load, on the
  # same two cores, and the visibility map is empty for index-only scans
  psql_at "$url" -c "VACUUM (ANALYZE)" 2>/dev/null
  # and a checkpoint: the load leaves gigabytes of dirty pages at 1M, and
  # the checkpoint that writes them out otherwise runs under the next
  # workload (pgbench at 1M answered the obligations statements as fast as
  # at 100k, while the service measured beside that checkpoint was 2x slower)
  psql_at "$url" -c "CHECKPOINT"
}

# The feed agency's events, grown to exactly $1 (growth of the event feed).
feed_events=0
feed_to() {
  feed_into "$admin_url" "$feed_events" "$1"
  feed_events=$1
}
feed_into() { # ADMIN-URL FROM TO
  local url=$1 feed_events=$2 to=$3
  psql_at "$url" -c "INSERT INTO agencies (code, name, kind) VALUES ('BFEED', 'Bench feed agency (fictional)', 'other') ON CONFLICT DO NOTHING" \
    -c "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version) SELECT gen_random_uuid(), 'BFEED', 'meeting.updated', 'meeting', md5('bench-meeting-' || (n % 1000 + 1))::uuid::text, 1 FROM generate_series($feed_events + 1, $to) n" \
    -c "VACUUM (ANALYZE) events" 2>/dev/null
}

# seals the bench endpoints' webhook secrets
webhook_key=$(head -c 32 /dev/urandom | base64)

# --- people and tokens (fictional) ---
export JWT_ISSUER=https://bench.invalid/issuer JWT_AUDIENCE=mam-bench
JWT_HS256_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export JWT_HS256_SECRET
make_tokens() {
  : > "$data/managers.txt"
  : > "$data/practitioners.txt"
  for a in $(seq -w 1 40); do
    printf 'B%s %s\n' "$a" "$(build/release/mam token --sub "bench-m-B$a" --name "Bench Manager" --agency "B$a" --roles manager --ttl 86400)" >> "$data/managers.txt"
    for k in 0 1 2 3 4; do
      printf 'B%s-%s %s\n' "$a" "$k" "$(build/release/mam token --sub "bench-p-B$a-$k" --name "Bench Practitioner" --agency "B$a" --roles practitioner --ttl 86400)" >> "$data/practitioners.txt"
    done
  done
  build/release/mam token --sub bench-integration --name "Bench Integration" --agency BFEED --roles integration --ttl 86400 > "$data/integration.txt"
}

# meeting ids by agency (all, and the open ones for decisions)
write_meeting_lists() {
  psql_admin -At -F ' ' -c "SELECT agency, id FROM bench_meetings" > "$data/meetings.txt"
  psql_admin -At -F ' ' -c "SELECT agency, id FROM bench_meetings WHERE status IN ('requested', 'authorised', 'scheduled')" > "$data/open_meetings.txt"
}

# --- the service ---
service_pid=""
# The default connection limit and the threads it needs (an empty
# HTTP_THREADS is unset; BENCH_HTTP_THREADS may ask for more): since issue 20
# the default limit no longer starves newcomers, so the benchmark no longer
# raises it to 4096.
start_service() {
  local binary
  binary=$(service_stage build/release/mam)
  OPENAPI_FILE=$(service_stage openapi.yaml) PORT=$port LOG_LEVEL=warning \
    HTTP_THREADS=${BENCH_HTTP_THREADS:-} DB_POOL_SIZE=${BENCH_DB_POOL:-16} \
    WEBHOOK_ALLOWED_HOSTS=127.0.0.1 WEBHOOK_ALLOW_LOOPBACK=true \
    WEBHOOK_SECRET_KEY="$webhook_key" WEBHOOK_POLL_INTERVAL_MS=100 REMINDER_INTERVAL_S=0 \
    bash -c "source deploy/service-user.sh; service_exec '$binary'" >>"$out/service.log" 2>&1 &
  service_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the service did not start" >&2
  tail "$out/service.log" >&2
  exit 1
}
stop_service() {
  [ -n "$service_pid" ] && kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null || true
  service_pid=""
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$service_pid/status"; }
peak_kb() { awk '/^VmHWM/ {print $2}' "/proc/$service_pid/status"; }

nginx_pid=""
start_nginx() {
  mkdir -p "$out/nginx/logs"
  sed -e "s/@PORT@/$nginx_port/" bench/nginx.conf > "$out/nginx/nginx.conf"
  nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" -e "$out/nginx/logs/error.log" &
  nginx_pid=$!
  sleep 0.5
}
stop_nginx() {
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
}

cleanup() {
  stop_service
  stop_today
  stop_nginx
}
trap cleanup EXIT

# --- measuring ---
results="$out/results.tsv"
printf 'workload\tmeetings\ttool\trps\tp50_ms\tp99_ms\terrors\tpeak_rss_mb\tlimit\tlimit_rps\tratio\n' > "$results"

# wrk NAME SCRIPT [ENV...]: prints "rps p50_ms p99_ms errors"
wrk_run() {
  local script=$1 url=${2:-http://127.0.0.1:$port} line
  line=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s -s "bench/lua/$script" "$url" 2>&1 | grep '^RESULT' || true)
  if [ -z "$line" ]; then echo "0 0 0 1"; return; fi
  awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         printf "%.0f %.2f %.2f %d\n", v["rps"], v["p50_us"] / 1000, v["p99_us"] / 1000, v["errors"] + v["non2xx"] }' <<<"$line"
}

# pgbench SCRIPT[@weight ...] -- [-D ...]: prints "tps p50_ms p99_ms"
pgbench_run() {
  local logdir
  logdir=$(mktemp -d "$out/pgbench.XXXX")
  (cd "$logdir" && "$pg_bin/pgbench" -n -M prepared -c "${pgb_clients:-$conns}" -j 2 -T "$seconds" \
     -l --sampling-rate=0.2 "$@" "$DATABASE_URL" > summary.txt 2> errors.txt) || true
  local tps
  tps=$(awk '/^tps = / {print $3; exit}' "$logdir/summary.txt")
  if [ -z "$tps" ]; then
    echo "pgbench $* failed:" >&2
    tail -5 "$logdir/summary.txt" "$logdir/errors.txt" >&2
  fi
  cat "$logdir"/pgbench_log.* 2>/dev/null | awk '{print $3}' | sort -n > "$logdir/latency.txt"
  local n p50 p99
  n=$(wc -l < "$logdir/latency.txt")
  if [ "$n" -gt 0 ]; then
    p50=$(awk -v n="$n" 'NR == int(n * 0.50) + 1 {printf "%.2f", $1 / 1000}' "$logdir/latency.txt")
    p99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 {printf "%.2f", $1 / 1000}' "$logdir/latency.txt")
  else
    p50=0 p99=0
  fi
  printf '%.0f %s %s\n' "${tps:-0}" "$p50" "$p99"
  rm -rf "$logdir"
}

record() { # workload tool rps p50 p99 errors rss limit limit_rps limit_p99_at_conns
  local ratio=""
  [ -n "${9:-}" ] && [ "${9:-0}" != 0 ] && ratio=$(awk -v a="$3" -v b="$9" 'BEGIN {printf "%.2f", a / b}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$loaded" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}" "${9:-}" "$ratio" "${10:-}" >> "$results"
  say "$1 @ $loaded: $3 req/s p50 $4 ms p99 $5 ms errors $6${9:+ | limit $8 $9/s ratio $ratio}"
}

# One workload against its limit, alternating twice; the best of each kept.
# pgbench runs once with as many clients as wrk has connections and once
# with as many as the service has database connections (DB_POOL_SIZE): on
# two cores, 64 backends spend much of their time switching, and the limit
# is whichever of the two the database does better.
pool=${BENCH_DB_POOL:-16}
compare() { # name lua pgbench-args...
  local name=$1 lua=$2; shift 2
  local best="0 0 0 0" best_pg="0 0 0" r p clients pg_p99_at_conns=""
  for clients in "$conns" "$pool"; do
    r=$(wrk_run "$lua")
    [ "${r%% *}" -gt "${best%% *}" ] && best=$r
    p=$(pgb_clients=$clients pgbench_run "$@")
    [ "${p%% *}" -gt "${best_pg%% *}" ] && best_pg=$p
    # the database's own p99 for these statements with as many clients as
    # wrk has connections: the tail the service cannot be expected to beat
    [ "$clients" = "$conns" ] && pg_p99_at_conns=${p##* }
  done
  read -r rps p50 p99 errors <<<"$best"
  record "$name" wrk "$rps" "$p50" "$p99" "$errors" "$(( $(peak_kb) / 1024 ))" "pgbench" "${best_pg%% *}" "$pg_p99_at_conns"
}

# Writes with webhooks subscribed (INT-5): each of the 40 bench agencies
# registers an endpoint for meeting.requested, delivered to nginx on
# loopback (POST /hooks, 204) by the service's own delivery workers on the
# same two cores. The same write workload runs alternately with the
# endpoints active and disabled (disabled: no outbox rows, no deliveries),
# best of two each; the ratio is with over without (target 0.8). Then the
# endpoints are active again until the outbox is empty, and the row counts
# only when every outbox row of the runs was delivered, and arrived at
# nginx with a signature that verifies (bench/hooks_check.mjs).
webhook_compare() {
  local a tok r best_on="0 0 0 0" best_off="0 0 0 0" round pending check events
  local announced=0 during_runs before
  (cd tests/hooks && { [ -f node_modules/.package-lock.json ] ||
     npm ci --no-audit --no-fund --loglevel=error; })
  rm -f "$out/nginx/logs/hooks.log" # before nginx opens it
  start_nginx
  : > "$data/hook_secrets.txt"
  for a in $(seq -w 1 40); do
    tok=$(build/release/mam token --sub "bench-i-B$a" --name "Bench Integration" --agency "B$a" \
            --roles integration --ttl 3600)
    curl -fsS -X POST "http://127.0.0.1:$port/v1/webhook-endpoints" \
      -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$nginx_port/hooks\",\"event_types\":[\"meeting.requested\"]}" |
      node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
                 const j = JSON.parse(s); console.log(`${j.id} ${j.secret}`); })' \
      >> "$data/hook_secrets.txt"
  done
  events="SELECT count(*) FROM events WHERE type = 'meeting.requested' AND agency ~ '^B[0-9]+\$'"
  for round in 1 2; do
    psql_admin -c "UPDATE webhook_endpoints SET status = 'active', disabled_reason = NULL"
    before=$(psql_admin -At -c "$events")
    r=$(wrk_run create_meeting.lua); [ "${r%% *}" -gt "${best_on%% *}" ] && best_on=$r
    sleep 3 # requests still in flight when wrk stopped commit with the endpoints as they were
    announced=$(( announced + $(psql_admin -At -c "$events") - before ))
    psql_admin -c "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'by_request'"
    r=$(wrk_run create_meeting.lua); [ "${r%% *}" -gt "${best_off%% *}" ] && best_off=$r
    sleep 3
  done
  during_runs=$(psql_admin -At -c "SELECT count(*) FILTER (WHERE status = 'delivered') || ' delivered during the runs, ' || count(*) FILTER (WHERE status = 'pending') || ' still queued at their end' FROM webhook_deliveries")
  # what was still queued is delivered now (nothing is written meanwhile)
  psql_admin -c "UPDATE webhook_endpoints SET status = 'active', disabled_reason = NULL"
  for _ in $(seq 1 600); do
    pending=$(psql_admin -At -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
    [ "$pending" = 0 ] && break
    sleep 0.1
  done
  stop_nginx # writes out its log
  psql_admin -At -F $'\t' -c "SELECT endpoint_id, message_id, status, payload FROM webhook_deliveries" \
    > "$data/hook_deliveries.tsv"
  if ! check=$(node bench/hooks_check.mjs \
                 "$data/hook_secrets.txt" "$data/hook_deliveries.tsv" "$out/nginx/logs/hooks.log"); then
    echo "webhooks: $check" >&2
    exit 1
  fi
  if [ "$(wc -l < "$data/hook_deliveries.tsv")" != "$announced" ]; then
    echo "webhooks: $announced meeting.requested events announced with the endpoints active," \
         "but $(wc -l < "$data/hook_deliveries.tsv") outbox rows" >&2
    exit 1
  fi
  psql_admin -c "DELETE FROM webhook_endpoints"
  rm -f "$out/nginx/logs/hooks.log"
  read -r rps p50 p99 errors <<<"$best_on"
  record "POST /v1/meetings, webhooks subscribed" wrk "$rps" "$p50" "$p99" "$errors" \
    "$(( $(peak_kb) / 1024 ))" "without webhooks" "${best_off%% *}"
  echo "$during_runs; every one of the $announced events announced with the endpoints active arrived: $check" > "$out/webhooks.txt"
  say "webhooks: $(cat "$out/webhooks.txt")"
}

# BENCH_ONLY=webhooks: the row and its target in their own block of
# bench/RESULTS.md (a full run has the row in its table and drops the
# block); BENCH_NOTE, when given, says what else was running.
webhook_block() {
  local block
  block=$(mktemp)
  {
    echo "<!-- webhooks:begin -->"
    echo "## Writes with webhooks subscribed"
    echo
    echo "Measured by \`BENCH_ONLY=webhooks make bench\` on $(date -u +%Y-%m-%d) ($(nproc) cores,"
    echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)), at $loaded meetings: \`POST /v1/meetings\` from wrk with $conns connections,"
    echo "alternately with the 40 bench agencies' endpoints subscribed to \`meeting.requested\` (delivered"
    echo "to nginx on loopback by the service's own workers, on the same cores) and with them disabled;"
    echo "each figure the better of two ${seconds}-second runs."
    echo
    echo "| workload | meetings | req/s | p50 ms | p99 ms | errors | peak RSS MB | limit | limit/s | ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    awk -F'\t' '$9 == "without webhooks" { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results"
    echo
    awk -F'\t' '$9 == "without webhooks" { printf "- %s: %.2f of the same writes without (target 0.8): %s\n", $1, $11, ($11 + 0 >= 0.8) ? "met" : "**not met**" }' "$results"
    echo "- webhooks: $(cat "$out/webhooks.txt")"
    [ -z "${BENCH_NOTE:-}" ] || { echo; echo "$BENCH_NOTE"; }
    echo "<!-- webhooks:end -->"
  } > "$block"
  results_block webhooks "$block"
  rm -f "$block"
}

measure_best() { # name lua: the better of two runs, as the compared rows are
  local r best="0 0 0 0"
  for _ in 1 2; do
    r=$(wrk_run "$2"); [ "${r%% *}" -gt "${best%% *}" ] && best=$r
  done
  read -r rps p50 p99 errors <<<"$best"
  record "$1" wrk "$rps" "$p50" "$p99" "$errors" "$(( $(peak_kb) / 1024 ))"
}

measure() { # name lua
  local r
  r=$(wrk_run "$2")
  read -r rps p50 p99 errors <<<"$r"
  record "$1" wrk "$rps" "$p50" "$p99" "$errors" "$(( $(peak_kb) / 1024 ))"
}

# Cursors for the last page of each agency's scheduled meetings (as the
# service encodes them: base64url of c1|created_at|id), so the deepest page
# the data has is measured; the pages are written to list_pages.txt.
deep_cursors() {
  psql_admin -At -F ' ' -c "
    WITH s AS (SELECT m.convening_agency AS agency, m.created_at, m.id,
                      row_number() OVER (PARTITION BY m.convening_agency
                                         ORDER BY m.created_at DESC, m.id DESC) AS k,
                      count(*) OVER (PARTITION BY m.convening_agency) AS total
                 FROM meetings m JOIN bench_meetings b ON b.id = m.id
                WHERE m.status = 'scheduled')
    SELECT agency, rfc3339(created_at) || '|' || id, (total + 49) / 50 FROM s
     WHERE total > 50 AND k = ((total + 49) / 50 - 1) * 50" |
  while read -r agency key page; do
    printf '%s %s\n' "$agency" "$(printf 'c1|%s' "$key" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
    echo "$page" >> "$data/list_pages.txt"
  done > "$data/cursors.txt"
}

# Rows on page 1 of the list workload, averaged over its callers (each
# agency's manager): page 1 holds fewer than 50 while an agency has fewer
# scheduled meetings, so the report can tell volume from page size.
page_rows() {
  psql_admin -At -c "
    SELECT round(avg(least(50, (SELECT count(DISTINCT a.meeting_id) FROM meeting_access a
                                 WHERE a.status = 'scheduled'
                                   AND a.principal IN ('m:B' || lpad(k::text, 2, '0'),
                                                       'p:bench-m-B' || lpad(k::text, 2, '0'))))), 1)
      FROM generate_series(1, 40) k"
}

# The reminder scheduler (OBL-3) stays off in the measured service
# (REMINDER_INTERVAL_S=0 above): the synthetic volume's obligations are all
# long due, and its first run would announce a reminder for every one of
# them while the workloads run.

growth() {
  measure "list scheduled (page 1)" list_meetings.lua
  printf 'list scheduled (page 1)\t%s\t%s\n' "$loaded" "$(page_rows)" >> "$out/page_rows.tsv"
  : > "$data/list_pages.txt"
  deep_cursors
  if [ -s "$data/cursors.txt" ]; then
    say "the last page of scheduled meetings is page $(sort -n "$data/list_pages.txt" | tail -1) for the largest agency"
    BENCH_CURSOR_FILE=cursors.txt measure "list scheduled (last page)" list_meetings.lua
  fi
  measure "overdue actions" overdue_actions.lua
  obligations_growth
  measure "event feed (page 1)" feed.lua
  if [ "$feed_events" -ge 50000 ]; then
    BENCH_FEED_CURSOR=$(feed_cursor 1000) measure "event feed (page 1000)" feed.lua
  fi
}

# OBL-2: page 1 of a practitioner's own obligations, at each stage; the
# rows page 1 held, averaged over the bench practitioners, beside it.
obligations_growth() {
  measure_best "obligations owner=me (page 1)" obligations.lua
  printf 'obligations owner=me (page 1)\t%s\t%s\n' "$loaded" "$(psql_admin -At -c "
    SELECT round(avg(least(50, (SELECT count(*) FROM obligations o
                                 WHERE o.owner_sub = 'bench-p-B' || lpad(a::text, 2, '0') || '-' || k
                                   AND o.met_at IS NULL AND o.ended IS NULL))), 1)
      FROM generate_series(1, 40) a, generate_series(0, 4) k")" >> "$out/page_rows.tsv"
}

# BENCH_ONLY=obligations: the list at the three stages and against pgbench
# at the second, in its own block of bench/RESULTS.md.
obligations_only() {
  local block p
  obligations_growth
  load_to "$size2" 1
  write_meeting_lists
  ids=$(psql_admin -At -c "SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM meetings LIMIT 50) s")
  compare "GET /v1/obligations?owner=me" obligations.lua -f "$top/bench/pgbench/obligations.sql" -D ids="$ids"
  p=$(pgb_clients=$pool pgbench_run -f "$top/bench/pgbench/obligations.sql" -D ids="$ids")
  printf 'pgbench: GET /v1/obligations?owner=me statements, %s clients\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\n' "$pool" "$loaded" $p >> "$results"
  obligations_growth
  stop_service
  load_to "$size3" 0
  start_service
  obligations_growth
  stop_service
  # the same statements at the last stage: what the database alone grows by
  ids=$(psql_admin -At -c "SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM meetings LIMIT 50) s")
  p=$(pgb_clients=$pool pgbench_run -f "$top/bench/pgbench/obligations.sql" -D ids="$ids")
  printf 'pgbench: GET /v1/obligations?owner=me statements, %s clients\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\n' "$pool" "$loaded" $p >> "$results"
  block=$(mktemp)
  {
    echo "<!-- obligations:begin -->"
    echo "## The obligations list (OBL-2)"
    echo
    echo "Measured by \`BENCH_ONLY=obligations make bench\` on $(date -u +%Y-%m-%d) ($(nproc) cores,"
    echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)): \`GET /v1/obligations?owner=me\` from wrk with $conns connections by the"
    echo "bench practitioners (each has a part in one meeting in a thousand, so a busier one at each"
    echo "stage), against pgbench running the same statements in the same transaction at $size2"
    echo "meetings; then page 1 at $size1, $size2 and $size3 meetings (the last stage loaded without"
    echo "the invitations' and minutes' history, as in the full run), each the better of two runs, and"
    echo "pgbench on the same statements at $size3 as well."
    echo
    echo "| workload | meetings | tool | req/s | p50 ms | p99 ms | errors | peak RSS MB | limit | limit/s | ratio |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|"
    awk -F'\t' 'NR > 1 && $1 ~ /obligations/ { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results"
    echo
    awk -F'\t' -v s2="$size2" -v s3="$size3" '
      $1 == "GET /v1/obligations?owner=me" { printf "- %s at %s meetings: p50 %s ms, %.2f of pgbench'"'"'s transactions a second\n", $1, $2, $5, $11 }
      $1 ~ /^pgbench: GET \/v1\/obligations/ { printf "- pgbench alone, the same statements, at %s meetings: p50 %s ms at %s/s\n", $2, $5, $4 }
      $1 == "obligations owner=me (page 1)" { p50[$2] = $5 }
      END { if (p50[s2] > 0) printf "- page 1 p50 at %s meetings / at %s: %.2f (target within 1.5): %s\n", s3, s2, p50[s3] / p50[s2], (p50[s3] / p50[s2] <= 1.5) ? "met" : "**not met**" }' "$results"
    if [ -f "$out/page_rows.tsv" ]; then
      echo "- rows on page 1, averaged over the practitioners: $(awk -F'\t' '$1 ~ /^obligations/ { printf "%s%s at %s", sep, $3, $2; sep = ", " }' "$out/page_rows.tsv")"
    fi
    [ -z "${BENCH_NOTE:-}" ] || { echo; echo "$BENCH_NOTE"; }
    echo "<!-- obligations:end -->"
  } > "$block"
  results_block obligations "$block"
  rm -f "$block"
}

# The bench child (bench/chronology_child.sql): the subject of twenty
# meetings of B01, and agencies' own entries to make 200 in all, as the
# manager of B01 sees them.
chronology_setup() {
  { echo 'SET session_replication_role = replica;'; cat bench/chronology_child.sql; } |
    psql_admin -v meetings=800 -v entries=200 -f - >/dev/null
  psql_admin -c "VACUUM (ANALYZE) children, child_identifiers, meeting_children, chronology_entries, chronology_entry_versions" 2>/dev/null
  psql_admin -At -c "SELECT md5('bench-child')::uuid" > "$data/chronology_child.txt"
  chronology_entries=$(psql_admin -At -c "SELECT count(*) FROM child_chronology(md5('bench-child')::uuid,
    caller_principals('bench-m-B01', 'B01', true, false), 'B01', '{manager}')")
  say "the bench child's chronology has $chronology_entries entries"
}

# The whole chronology in one page of JSON, and as a PDF, each against
# pgbench running the same statements in the same transaction.
chronology_compare() {
  compare "GET /v1/children/{id}/chronology?limit=200" chronology.lua -f "$top/bench/pgbench/chronology.sql"
  BENCH_CHRONOLOGY_PDF=1 compare "GET /v1/children/{id}/chronology/pdf" chronology.lua -f "$top/bench/pgbench/chronology_pdf.sql"
}

# BENCH_ONLY=chronology: the two rows in their own block of bench/RESULTS.md.
chronology_only() {
  local block
  chronology_setup
  chronology_compare
  stop_service
  block=$(mktemp)
  {
    echo "<!-- chronology:begin -->"
    echo "## A child's chronology of 200 entries (CHR-1, CHR-3)"
    echo
    echo "Measured by \`BENCH_ONLY=chronology make bench\` on $(date -u +%Y-%m-%d) ($(nproc) cores,"
    echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)) at $loaded meetings: the bench child is the subject of twenty"
    echo "meetings of one agency and has agencies' own entries besides, $chronology_entries entries in all as the"
    echo "agency's manager sees them (\`bench/chronology_child.sql\`). wrk with $conns connections reads the"
    echo "whole chronology as that manager, as one page of JSON (\`?limit=200\`) and as a PDF; pgbench runs"
    echo "the same statements in the same transaction, audit row included (\`bench/pgbench/chronology.sql\`,"
    echo "\`chronology_pdf.sql\`): the PDF's document is made by the service (libhpdf), not by pgbench."
    echo
    echo "| workload | meetings | tool | req/s | p50 ms | p99 ms | errors | peak RSS MB | limit | limit/s | ratio |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|"
    awk -F'\t' 'NR > 1 && $1 ~ /chronology/ { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results"
    echo
    awk -F'\t' '$1 ~ /chronology/ { printf "- %s: p50 %s ms, %.2f of pgbench'"'"'s transactions a second (pgbench p99 at %s connections: %s ms)\n", $1, $5, $11, '"$conns"', $12 }' "$results"
    [ -z "${BENCH_NOTE:-}" ] || { echo; echo "$BENCH_NOTE"; }
    echo "<!-- chronology:end -->"
  } > "$block"
  results_block chronology "$block"
  rm -f "$block"
}

# The cursor after page `page` (of 50) of the feed agency's events, as the
# service encodes it (base64url of c1|tx|position).
feed_cursor() { # page
  local key
  key=$(psql_admin -At -F '|' -c "SELECT tx, position FROM events WHERE agency = 'BFEED'
          ORDER BY tx, position OFFSET $(( $1 * 50 - 1 )) LIMIT 1")
  printf 'c1|%s' "$key" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# === stage 1: 10,000 meetings, 10,000 feed events ===
make_tokens
load_to "$size1" 1
feed_to "$size1"
write_meeting_lists
start_service
if [ "${BENCH_ONLY:-}" = webhooks ]; then
  webhook_compare
  stop_service
  webhook_block
  exit 0
fi
if [ "${BENCH_ONLY:-}" = obligations ]; then
  obligations_only
  exit 0
fi
if [ "${BENCH_ONLY:-}" = chronology ]; then
  chronology_only
  exit 0
fi
if [ "${BENCH_ONLY:-}" = readmodel ]; then
  readmodel_only
  exit 0
fi
growth

# === stage 2: 100,000 meetings, 100,000 feed events: every workload ===
load_to "$size2" 1
feed_to "$size2"
write_meeting_lists
ids=$(psql_admin -At -c "SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM meetings LIMIT 50) s")
meetings=$loaded

start_nginx
best="0 0 0 0"; best_ng="0 0 0 0"
for round in 1 2; do
  r=$(wrk_run livez.lua); [ "${r%% *}" -gt "${best%% *}" ] && best=$r
  n=$(wrk_run livez.lua "http://127.0.0.1:$nginx_port"); [ "${n%% *}" -gt "${best_ng%% *}" ] && best_ng=$n
done
stop_nginx
read -r rps p50 p99 errors <<<"$best"
record "GET /livez" wrk "$rps" "$p50" "$p99" "$errors" "$(( $(peak_kb) / 1024 ))" "nginx" "${best_ng%% *}"

# issue 21's rows first, while both databases hold the same volume (the
# writes measured below add meetings to the read model's alone)
readmodel_stage2

compare "GET /v1/meetings/{id}" get_meeting.lua -f "$top/bench/pgbench/get_meeting.sql" -D meetings="$meetings"
compare "GET /v1/meetings?status=scheduled" list_meetings.lua -f "$top/bench/pgbench/list_meetings.sql" -D ids="$ids"
compare "GET /v1/actions?owner=me&overdue=true" overdue_actions.lua -f "$top/bench/pgbench/overdue_actions.sql" -D ids="$ids"
compare "GET /v1/obligations?owner=me" obligations.lua -f "$top/bench/pgbench/obligations.sql" -D ids="$ids"
compare "GET /v1/events" feed.lua -f "$top/bench/pgbench/feed.sql" -D tx=0 -D pos=0
compare "POST /v1/meetings" create_meeting.lua -f "$top/bench/pgbench/create_meeting.sql"
chronology_setup
chronology_compare
webhook_compare
compare "mix 80/20" mix.lua -f "$top/bench/pgbench/get_meeting.sql@40" -f "$top/bench/pgbench/list_meetings.sql@20" \
  -f "$top/bench/pgbench/overdue_actions.sql@20" -f "$top/bench/pgbench/create_meeting.sql@10" \
  -f "$top/bench/pgbench/consent_decision.sql@10" -D meetings="$meetings" -D ids="$ids"
growth

# pure read, for the cost of the audit row's commit
# pure read, and the read with its audit row committed synchronously: the
# cost of the WAL flush the service avoids for reads (see README)
pure=$(pgb_clients=$pool pgbench_run -f "$top/bench/pgbench/pure_read.sql" -D meetings="$meetings")
printf 'pgbench: GET meeting statement alone (no audit row)\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\n' "$loaded" $pure >> "$results"
say "pure-read pgbench: $pure"
sed "s/set_config('synchronous_commit', 'off', true) IS NOT NULL/true/" bench/pgbench/get_meeting.sql > "$out/get_meeting_sync.sql"
sync=$(pgb_clients=$pool pgbench_run -f "$out/get_meeting_sync.sql" -D meetings="$meetings")
printf 'pgbench: GET meeting, audit row committed synchronously\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\n' "$loaded" $sync >> "$results"
say "read with synchronous audit, pgbench: $sync"

# RSS under sustained load: after the first and the last million requests.
# Meanwhile stage 3's million meetings load: /livez touches no database, so
# the two overlap (the load's time is not a figure; the RSS is unaffected).
( load_to "$size3" 0 ) &
load_pid=$!
rss_first=""
rss_run() { # requests
  local per=$(( $1 ))
  wrk -t2 -c"$conns" -d600s --timeout 10s -s bench/lua/livez_count.lua "http://127.0.0.1:$port" \
    >/dev/null 2>&1 &
  local wrk_pid=$! served=0 t0
  t0=$(date +%s)
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 2
    served=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/route="\/livez",status="200"/ {print $2}')
    [ "${served:-0}" -ge "$per" ] && break
  done
  kill "$wrk_pid" 2>/dev/null; wait "$wrk_pid" 2>/dev/null || true
  echo "${served:-0}"
}
base=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/route="\/livez",status="200"/ {print $2}')
first=$(( ${base:-0} + rss_first_requests ))
rss_run "$first" >/dev/null
rss_first=$(rss_kb)
last=$(( ${base:-0} + rss_requests ))
served=$(rss_run "$last")
rss_last=$(rss_kb)
printf 'RSS after %s and %s requests\t%s\tservice\t\t\t\t\t%s -> %s MB\t\t\t\n' "$rss_first_requests" "$served" "$loaded" \
  "$(( rss_first / 1024 ))" "$(( rss_last / 1024 ))" >> "$results"
say "RSS after $rss_first_requests requests $(( rss_first / 1024 )) MB, after $served: $(( rss_last / 1024 )) MB"

# === stage 3: 1,000,000 meetings, 1,000,000 feed events ===
wait "$load_pid" || { echo "loading failed" >&2; exit 1; }
loaded=$size3
stop_service
feed_to "$size3"
start_service
growth

stop_service
bench/report.sh "$results" bench/RESULTS.md > "$out/RESULTS.md"
cp "$out/RESULTS.md" bench/RESULTS.md
cat bench/RESULTS.md
say "done"
