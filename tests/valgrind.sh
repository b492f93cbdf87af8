#!/usr/bin/env bash
# make valgrind: the service under memcheck while the API tests run against it.
#
#  1. installs missing Debian packages (valgrind is in the test stage)
#  2. builds the service without sanitizers (MODE=testing: release code with the test clock, -O2 -g; memcheck
#     and AddressSanitizer do not mix); the API tests are the client and run
#     as make test builds them (MODE=asan)
#  3. starts the private test cluster and a throwaway database, as make test does
#  4. starts the service under valgrind --tool=memcheck --leak-check=full,
#     runs every API test against it, stops it with SIGTERM
#  5. fails on any memcheck error or definite leak (possible and reachable
#     ones are left alone: thread stacks and library caches live until exit)
#
# Slow: every request runs some 20-50 times slower under memcheck; not part
# of make test. Suppressions, each with its reason, are in tests/valgrind.supp.
# The verdict is memcheck's. API tests that fail are reported, not fatal:
# under memcheck some run into curl's 30 s limit, most with several test
# jobs at once.
# Overridable like tests/run.sh: TEST_PG_CLUSTER, TEST_PG_PORT, BUILD_ROOT;
# VALGRIND_JOBS (default 1) API test jobs at once.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source deploy/service-user.sh

jobs=${VALGRIND_JOBS:-1}
cluster=${TEST_PG_CLUSTER:-pg-test}
pg_port=${TEST_PG_PORT:-55433}
export BUILD_ROOT=${BUILD_ROOT:-build}
bin="$BUILD_ROOT/testing"
tests_bin="$BUILD_ROOT/asan"
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "packages"
deploy/packages.sh install build runtime db test

step "build (the service: release code with the test clock, no sanitizers; the API tests: as make test)"
make -s MODE=testing -j"$(nproc)" "$bin/mam"
make -s MODE=asan -j"$(nproc)" "$tests_bin/test-api"

step "database"
deploy/local-db.sh start "$cluster" "$pg_port"
db="mam_valgrind_$(date +%s)_$$"
deploy/local-db.sh ensure-db "$cluster" "$db"

out=$(mktemp -d)
chmod 755 "$out"
server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  deploy/local-db.sh drop-db "$cluster" "$db" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "output kept in $out" >&2
  else
    rm -rf "$out"
  fi
}
trap cleanup EXIT

export DATABASE_URL=$(deploy/local-db.sh url "$cluster" "$db")
export MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url "$cluster" "$db")
export MAM_DATABASE_URL="$DATABASE_URL"
export JWT_ISSUER="https://mam.test"
export JWT_AUDIENCE="mam-test"
JWT_HS256_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export JWT_HS256_SECRET
export MAX_BODY_BYTES=65536
export LOG_LEVEL=warning
export MAM_RESPONSES_LOG="$out/responses.jsonl"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
# memcheck is slow: give the pool and the statements room, so that a request
# waiting its turn is not answered 503 (the tests would call that a failure)
export DB_ACQUIRE_TIMEOUT_MS=30000
export DB_STATEMENT_TIMEOUT_MS=60000
export REQUEST_TIMEOUT_S=120
export HTTP_CONNECTION_TIMEOUT_S=120

"$bin/mam" migrate

# As root, the service runs as the postgres user, from copies it can read.
mapfile -t staged < <(service_stage "$bin/mam" openapi.yaml tests/valgrind.supp)
export OPENAPI_FILE=${staged[1]}
export PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export MAM_URL="http://127.0.0.1:$PORT"

step "service under memcheck"
vg_log="$out/memcheck.log"
touch "$vg_log"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$vg_log"
  # libpq looks for ~/.postgresql; root's home is closed to postgres
  service_home=$(getent passwd postgres | cut -d: -f6)
else
  service_home=$HOME
fi
(HOME=$service_home service_exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
   --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=40 \
   --fair-sched=try --suppressions="${staged[2]}" --log-file="$vg_log" \
   "${staged[0]}") >>"$out/server.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 1 600); do
  if curl -fsS "$MAM_URL/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  cat "$out/server.log" "$vg_log" >&2
  echo "the service did not become ready under valgrind" >&2
  exit 1
fi

step "API tests against it"
api_rc=0
"$tests_bin/test-api" --jobs "$jobs" || api_rc=$?

step "SIGTERM"
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""

errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$vg_log" | tail -1)
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 bytes in \2 blocks/p' \
  "$vg_log" | tail -1)
step "memcheck: ${errors:-?} errors, definitely lost: ${definite:-0 bytes}, service exit status $rc"
if [ "$rc" -ne 0 ] || [ "${errors:-1}" != 0 ]; then
  grep -v '^==[0-9]*== *$' "$vg_log" | tail -150 >&2
  echo "memcheck found errors or definite leaks (full log: $vg_log)" >&2
  exit 1
fi
if [ "$api_rc" -ne 0 ]; then
  echo "warning: API tests failed under valgrind (status $api_rc); memcheck itself is clean" >&2
fi
step "valgrind: no memcheck errors, no definite leaks"
