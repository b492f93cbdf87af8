# Sourced by bench/run.sh: issue 21's rows. The read model (migration 050)
# measured against its floor and against today's main in the same run.
#
# Today's main is commit $today_commit (the state before the read model),
# built as it was in a git worktree under bench/out, and run on a database
# of its own in the same cluster (mam_bench_today), migrated by its own
# binary and loaded by the same bench/load.sql to the same volume. Not on
# the read model's database: today's binary does start against schema 50
# (its readiness asks for at least the version it knows, 49), but there
# every write of it would fire migration 050's triggers and render the
# meeting at COMMIT, so its POST /v1/meetings would not be today's.

today_commit=${BENCH_TODAY_COMMIT:-7e21d9b}
today_port=${BENCH_TODAY_PORT:-$(( port + 2 ))}
today_tree="$out/today-main"
today_pid=""
today_loaded=0

# Today's main's release binary and contract, as $out/mam-today and
# $out/openapi-today.yaml (names of their own: service_stage stages files
# by name), built in a temporary worktree that goes once they are copied.
build_today() {
  local t0
  t0=$(date +%s)
  git worktree prune
  git worktree add -q --detach "$today_tree" "$(git rev-parse "$today_commit^{commit}")"
  if ! make -C "$today_tree" -s -j"$(nproc)" build; then
    git worktree remove --force "$today_tree"
    echo "today's main ($today_commit) did not build" >&2
    exit 1
  fi
  install -m 755 "$today_tree/build/release/mam" "$out/mam-today"
  install -m 644 "$today_tree/openapi.yaml" "$out/openapi-today.yaml"
  git worktree remove --force "$today_tree"
  say "today's main ($today_commit) built in $(( $(date +%s) - t0 ))s"
}

today_db() {
  deploy/local-db.sh drop-db pg-bench mam_bench_today >/dev/null
  deploy/local-db.sh ensure-db pg-bench mam_bench_today
  today_url=$(deploy/local-db.sh url pg-bench mam_bench_today)
  today_admin_url=$(deploy/local-db.sh admin-url pg-bench mam_bench_today)
  DATABASE_URL=$today_url MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url pg-bench mam_bench_today) \
    "$out/mam-today" migrate >/dev/null 2>&1
  say "today's database at schema version $(psql_at "$today_admin_url" -At -c "SELECT max(version) FROM schema_migrations")"
}

# today's database grown as the read model's was: the same stages, the
# same history, the same feed events
today_load_to() { # to history
  local t0
  t0=$(date +%s)
  load_into "$today_admin_url" "$today_loaded" "$1" "$2" 1
  feed_into "$today_admin_url" "$today_loaded" "$1"
  today_loaded=$1
  say "loaded $1 meetings into today's database in $(( $(date +%s) - t0 ))s"
}

start_today() {
  local binary
  binary=$(service_stage "$out/mam-today")
  DATABASE_URL=$today_url OPENAPI_FILE=$(service_stage "$out/openapi-today.yaml") PORT=$today_port \
    LOG_LEVEL=warning HTTP_THREADS=${BENCH_HTTP_THREADS:-} DB_POOL_SIZE=${BENCH_DB_POOL:-16} \
    WEBHOOK_SECRET_KEY="$webhook_key" REMINDER_INTERVAL_S=0 \
    bash -c "source deploy/service-user.sh; service_exec '$binary'" >>"$out/service-today.log" 2>&1 &
  today_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$today_port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "today's main did not start" >&2
  tail "$out/service-today.log" >&2
  exit 1
}
stop_today() {
  [ -n "$today_pid" ] && kill -TERM "$today_pid" 2>/dev/null && wait "$today_pid" 2>/dev/null || true
  today_pid=""
}

# The bench-only index the list's floor reads one range of
# (bench/pgbench/floor_list_meetings.sql); it exists only while the floor
# is measured, so the service's writes never maintain it.
floor_index() { # create|drop
  if [ "$1" = create ]; then
    psql_admin -c "CREATE INDEX bench_renderings_page ON meeting_renderings
                     ((body->>'convening_agency'), (body->>'status'), (body->>'created_at') DESC, meeting_id DESC)" \
               -c "ANALYZE meeting_renderings"
  else
    psql_admin -c "DROP INDEX IF EXISTS bench_renderings_page"
  fi
}

# One workload of the read model alternating, twice, with its floor (as
# compare does: pgbench with as many clients as wrk has connections, then
# as the pool has), with the service's own statement in pgbench (the same
# way; what separates the service from the floor: the statement, or the
# rest) and with today's main; the better of each kept. With no floor
# script, only today's main.
readmodel_compare() { # name lua floor-sql|"" [service-sql]
  local name=$1 lua=$2 sql=$3 own=${4:-} clients r p
  local best="0 0 0 0" best_pg="0 0 0" best_own="0 0 0" best_today="0 0 0 0" floor_at_conns="0 0 0" limit limit_rps
  for clients in "$conns" "$pool"; do
    r=$(wrk_run "$lua"); [ "${r%% *}" -gt "${best%% *}" ] && best=$r
    if [ -n "$sql" ]; then
      p=$(pgb_clients=$clients pgbench_run -f "$sql" -D meetings="$loaded")
      [ "${p%% *}" -gt "${best_pg%% *}" ] && best_pg=$p
      [ "$clients" = "$conns" ] && floor_at_conns=$p
    fi
    if [ -n "$own" ]; then
      p=$(pgb_clients=$clients pgbench_run -f "$own" -D meetings="$loaded")
      [ "${p%% *}" -gt "${best_own%% *}" ] && best_own=$p
    fi
    r=$(wrk_run "$lua" "http://127.0.0.1:$today_port"); [ "${r%% *}" -gt "${best_today%% *}" ] && best_today=$r
  done
  read -r rps p50 p99 errors <<<"$best_today"
  record "today's main ($today_commit): $name" wrk "$rps" "$p50" "$p99" "$errors" \
    "$(( $(awk '/^VmHWM/ {print $2}' "/proc/$today_pid/status") / 1024 ))"
  if [ -n "$sql" ]; then
    read -r rps p50 p99 <<<"$floor_at_conns"
    printf 'floor (pgbench, %s clients): %s\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\t\n' \
      "$conns" "$name" "$loaded" "$rps" "$p50" "$p99" >> "$results"
    limit=floor limit_rps=${best_pg%% *}
  else
    limit="today's main" limit_rps=${best_today%% *}
  fi
  if [ -n "$own" ]; then
    read -r rps p50 p99 <<<"$best_own"
    printf "pgbench, the service's own statement: %s\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\t\n" \
      "$name" "$loaded" "$rps" "$p50" "$p99" >> "$results"
  fi
  read -r rps p50 p99 errors <<<"$best"
  record "read model: $name" wrk "$rps" "$p50" "$p99" "$errors" "$(( $(peak_kb) / 1024 ))" \
    "$limit" "$limit_rps" "${floor_at_conns##* }"
}

# Stage 2's rows: today's database brought to the read model's volume and
# today's service started, the two reads against their floors and today's
# main, the write against today's main.
readmodel_stage2() {
  today_db
  today_load_to "$size1" 1
  today_load_to "$size2" 1
  start_today
  readmodel_compare "GET /v1/meetings/{id}" get_meeting.lua "$top/bench/pgbench/floor_get_meeting.sql" \
    "$top/bench/pgbench/get_meeting.sql"
  round_trips
  floor_index create
  readmodel_compare "GET /v1/meetings?status=scheduled" list_meetings.lua "$top/bench/pgbench/floor_list_meetings.sql" \
    "$top/bench/pgbench/list_meetings.sql"
  floor_index drop
  readmodel_compare "POST /v1/meetings" create_meeting.lua ""
  stop_today
}

# What the one statement saves: the read's statement and its audit row in
# pgbench as one statement (bench/pgbench/get_meeting.sql, as the service
# sends it) and as the four round trips every read made before (BEGIN, the
# read, the audit row, COMMIT: get_meeting_four_trips.sql), alternately,
# with the pool's clients, the better of two each.
round_trips() {
  local one="0 0 0" four="0 0 0" p _
  for _ in 1 2; do
    p=$(pgb_clients=$pool pgbench_run -f "$top/bench/pgbench/get_meeting.sql" -D meetings="$loaded")
    [ "${p%% *}" -gt "${one%% *}" ] && one=$p
    p=$(pgb_clients=$pool pgbench_run -f "$top/bench/pgbench/get_meeting_four_trips.sql" -D meetings="$loaded")
    [ "${p%% *}" -gt "${four%% *}" ] && four=$p
  done
  read -r rps p50 p99 <<<"$four"
  printf 'round trips: GET meeting statements in four (BEGIN, read, audit row, COMMIT), %s clients\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\t\n' \
    "$pool" "$loaded" "$rps" "$p50" "$p99" >> "$results"
  read -r rps p50 p99 <<<"$one"
  printf 'round trips: GET meeting statement in one, %s clients\t%s\tpgbench\t%s\t%s\t%s\t0\t\t\t\t\t\n' \
    "$pool" "$loaded" "$rps" "$p50" "$p99" >> "$results"
  say "round trips: one statement ${one%% *}/s, four round trips ${four%% *}/s ($pool clients)"
}

# list page 1 at this stage, the better of two runs, and the rows it held
readmodel_growth() {
  measure_best "list scheduled (page 1)" list_meetings.lua
  printf 'list scheduled (page 1)\t%s\t%s\n' "$loaded" "$(page_rows)" >> "$out/page_rows.tsv"
}

# BENCH_ONLY=readmodel: stage 1 is loaded and the service started.
readmodel_only() {
  local block
  readmodel_growth
  load_to "$size2" 1
  feed_to "$size2"
  write_meeting_lists
  readmodel_stage2
  readmodel_growth
  stop_service
  load_to "$size3" 0 0
  start_service
  readmodel_growth
  stop_service
  block=$(mktemp)
  bench/readmodel_report.sh "$results" "$out/page_rows.tsv" "BENCH_ONLY=readmodel make bench" > "$block"
  results_block readmodel "$block"
  rm -f "$block"
}
