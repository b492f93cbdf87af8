#!/usr/bin/env bash
# make test: sets up everything on a fresh Debian machine and runs every test.
#
#  1. installs missing Debian packages (deploy/packages.txt) and the contract
#     tools (tests/contract, npm ci)
#  2. builds the service and the tests with AddressSanitizer and UBSan, and
#     checks the layers (tests/layers/check.sh) and that a release build
#     cannot be told the time
#  3. starts the private test cluster (.data/pg-test) and a throwaway database
#  4. runs the unit tests, each libFuzzer harness briefly (FUZZ_SECONDS,
#     default 20), the API tests against a real service process, the
#     contract checks, the tests docs/security.md cites, the Kubernetes
#     manifests, the restore drill, then the
#     fault tests (which stop the database)
#  5. stops the service cleanly and fails on any sanitizer report
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source deploy/service-user.sh

# Overridable so that two checkouts or sessions can test side by side.
jobs=${TEST_JOBS:-4}
cluster=${TEST_PG_CLUSTER:-pg-test}
pg_port=${TEST_PG_PORT:-55433}
export BUILD_ROOT=${BUILD_ROOT:-build}
bin="$BUILD_ROOT/asan"
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "packages"
deploy/packages.sh install build runtime db test
for tools in tests/contract tests/idp tests/hooks; do
  if [ ! -f "$tools/node_modules/.package-lock.json" ] ||
     [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
    (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

step "build (AddressSanitizer)"
make -s MODE=asan -j"$(nproc)" build tests

step "layers"
tests/layers/check.sh
# The test clock (X-Test-Now, src/core/clock.h) exists only in test builds:
# a release build's clock never reads a timestamp it is given.
make -s MODE=release "$BUILD_ROOT/release/obj/core/clock.o"
if nm "$BUILD_ROOT/release/obj/core/clock.o" | grep -q text_parse_timestamp; then
  echo "the release build's clock can be set from a request" >&2
  exit 1
fi
echo "layers: the release build's clock reads only the wall clock"

step "database"
deploy/local-db.sh start "$cluster" "$pg_port"
db="mam_test_$(date +%s)_$$"
deploy/local-db.sh ensure-db "$cluster" "$db"
database_url=$(deploy/local-db.sh url "$cluster" "$db")
owner_url=$(deploy/local-db.sh owner-url "$cluster" "$db")

out=$(mktemp -d)
server_pid=""
cleanup() {
  status=$?
  # TEST_KEEP_RESPONSES=<file>: every exchange the tests recorded, for
  # tests/contract/examples.mjs
  if [ -n "${TEST_KEEP_RESPONSES:-}" ] && [ -f "$out/responses.jsonl" ]; then
    cp "$out/responses.jsonl" "$TEST_KEEP_RESPONSES" || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  deploy/local-db.sh start "$cluster" "$pg_port" >/dev/null 2>&1 || true
  deploy/local-db.sh drop-db "$cluster" "$db" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "test output kept in $out" >&2
  else
    rm -rf "$out"
  fi
}
trap cleanup EXIT

export DATABASE_URL="$database_url"
export MIGRATION_DATABASE_URL="$owner_url"
export MAM_DATABASE_URL="$database_url"
export JWT_ISSUER="https://mam.test"
export JWT_AUDIENCE="mam-test"
JWT_HS256_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export JWT_HS256_SECRET
export MAX_BODY_BYTES=65536
# the origin the API tests' browser-facing checks use (tests/api/test_edge.c)
export CORS_ALLOWED_ORIGINS="https://app.mam.test"
# webhooks (INT-5): endpoints may name loopback receivers (a test
# configuration only) and a fictional host that is never resolved; idle
# workers look for work often; calendar feeds may be read every 2 s
WEBHOOK_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export WEBHOOK_SECRET_KEY
export WEBHOOK_ALLOWED_HOSTS="127.0.0.1,hooks.mam.test"
export WEBHOOK_ALLOW_LOOPBACK=true
export WEBHOOK_POLL_INTERVAL_MS=100
export WEBHOOK_CONNECT_TIMEOUT_MS=1000
export CALENDAR_FEED_MIN_INTERVAL_S=2
export OPENAPI_FILE="${OPENAPI_FILE_OVERRIDE:-$top/openapi.yaml}"
export LOG_LEVEL=warning
# The reminder scheduler's own thread (OBL-3) reads the wall clock; the API
# tests drive it through POST /v1/reminders/run with the test clock instead,
# and tests/api/test_obligations.c starts instances of their own with the
# thread on.
export REMINDER_INTERVAL_S=0
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export MAM_RESPONSES_LOG="$out/responses.jsonl"
export MAM_TEST_CLUSTER="$cluster"
export MAM_TEST_PG_PORT="$pg_port"
# every calendar entry the API tests see, for the independent parser
export MAM_CALENDAR_SAMPLES="$out/calendar-samples"
mkdir -p "$MAM_CALENDAR_SAMPLES"

"$bin/mam" migrate

# the contract's HTML reference, built offline, served at /reference
node tests/contract/reference.mjs --spec "$OPENAPI_FILE" --out "$out/reference.html"
export REFERENCE_FILE="$out/reference.html"

# As root, the service runs as the postgres user, from copies it can read.
mapfile -t staged < <(service_stage "$bin/mam" "$OPENAPI_FILE" tests/lsan.supp "$REFERENCE_FILE")
server_binary=${staged[0]}
export OPENAPI_FILE=${staged[1]}
export LSAN_OPTIONS="suppressions=${staged[2]}:print_suppressions=0"
export REFERENCE_FILE=${staged[3]}
# the fault tests start service processes of their own from the same binary
export MAM_SERVER_BINARY="$server_binary"
export MAM_FAULT_LOGS="$out"
# The fault tests' own instances cut slow clients off after this (the
# default, 30, is what the API tests' server keeps: a request slowed by a
# loaded machine must not be cut off there)
fault_request_timeout_s=5

# Starts the service on a free port. The port is free when chosen but may
# be taken before the service binds it, so a service that exits at once is
# tried again on another port.
start_server() {
  for _ in 1 2 3; do
    PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    export PORT
    export MAM_URL="http://127.0.0.1:$PORT"
    (service_exec "$server_binary") >>"$out/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
      curl -fsS "$MAM_URL/readyz" >/dev/null 2>&1 && return 0
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$server_pid" 2>/dev/null && break  # running but never ready
    wait "$server_pid" || true
  done
  cat "$out/server.log" >&2
  echo "the service did not become ready" >&2
  return 1
}

stop_server() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  if [ "$rc" -ne 0 ]; then
    tail -50 "$out/server.log" >&2
    echo "the service exited with status $rc" >&2
    return 1
  fi
}

# Stops the service and fails on any sanitizer report in its log.
stop_and_check_server() {
  stop_server
  if grep -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$out/server.log"; then
    echo "sanitizer reports in the service log ($out/server.log)" >&2
    exit 1
  fi
}

# The identity-provider tests (a real OpenID provider with two issuers, and
# a service instance of their own trusting it) and the browser test
# (Chromium calling the API from another origin), tests/idp.
idp_tests() {
  node --test --test-reporter=spec tests/idp/idp.test.mjs tests/idp/files.test.mjs \
    tests/idp/browser.test.mjs
}

# Webhooks delivered to a receiver on loopback that verifies them with the
# Standard Webhooks library (their own service instances), and the calendar
# entries the API tests kept, parsed by node-ical (tests/hooks).
hooks_tests() {
  node --test --test-reporter=spec tests/hooks/hooks.test.mjs tests/hooks/ical.test.mjs
}

# make faults: only the fault tests, on the same set-up (TEST_ONLY=faults);
# TEST_ONLY=idp: only the identity-provider and browser tests
if [ "${TEST_ONLY:-}" = hooks ]; then
  step "webhooks (the calendar samples come from the API tests: run TEST_API_FILTER='icalendar/*' first for them)"
  node --test --test-reporter=spec tests/hooks/hooks.test.mjs
  step "webhook tests passed"
  exit 0
elif [ "${TEST_ONLY:-}" = idp ]; then
  step "identity providers and the browser"
  idp_tests
  step "identity-provider tests passed"
  exit 0
elif [ "${TEST_ONLY:-}" = faults ]; then
  step "fault tests (the database is stopped and restarted)"
  start_server  # the tests make their fixtures through it
  REQUEST_TIMEOUT_S=$fault_request_timeout_s "$bin/test-faults" --jobs 1 --verbose
  step "clean shutdown"
  stop_and_check_server
  step "fault tests passed"
  exit 0
elif [ -n "${TEST_ONLY:-}" ]; then
  echo "TEST_ONLY=$TEST_ONLY: the values are faults, idp and hooks" >&2
  exit 2
fi

step "unit tests"
"$bin/test-unit" --jobs "$jobs"

step "fuzzing (every libFuzzer harness, ${FUZZ_SECONDS:-20} s each)"
tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"

step "API tests"
start_server
# One limit for the whole binary rather than per-test .timeout: criterion
# 2.4's timeout watchdog leaks a 48-byte deadline when timeouts of parallel
# tests overlap, which LeakSanitizer rightly reports.
timeout --kill-after=10 "${TEST_API_TIMEOUT_S:-1200}" "$bin/test-api" --jobs "$jobs" \
  ${TEST_API_FILTER:+--filter "$TEST_API_FILTER"}

# The read model (sql/050): after every change the API tests made, each
# meeting's stored rendering is what it renders afresh, on every day it
# claims to hold for; a dependency the triggers miss fails here.
step "read model: every stored rendering is a fresh one (mam renderings check)"
"$bin/mam" renderings check

# While writing tests: TEST_API_FILTER (a criterion --filter pattern) runs
# only those API tests and stops here; make test never sets it.
if [ -n "${TEST_API_FILTER:-}" ]; then
  step "clean shutdown (only the API tests matching $TEST_API_FILTER were run)"
  stop_and_check_server
  exit 0
fi

# The next tests start service instances of their own on the same database,
# with their own webhook settings (a short retry schedule): a delivery worker
# of this instance would take their deliveries from the shared outbox and
# retry them on its own schedule. So this instance stops here (checked for
# sanitizer reports) and starts again for the fault tests.
step "clean shutdown of the API tests' service"
stop_and_check_server

step "identity providers and the browser (oidc-provider, Chromium)"
idp_tests

step "webhooks to a verifying receiver; calendar entries through node-ical"
hooks_tests

if [ "${TEST_SKIP_CONTRACT:-0}" = 1 ]; then
  echo "contract checks skipped (TEST_SKIP_CONTRACT=1): make test never skips them" >&2
else
step "contract"
"$bin/mam" routes > "$out/routes.txt"
node tests/contract/check.mjs --spec openapi.yaml --routes "$out/routes.txt" \
  --responses "$out/responses.jsonl"
tests/contract/node_modules/.bin/redocly lint openapi.yaml --config redocly.yaml \
  --format=summary
# a client generated from the contract (openapi-typescript) has no `unknown` body
node tests/contract/types.mjs --spec openapi.yaml --out "$out/api.d.ts"
fi

step "documentation cites tests that exist"
tests/docs/check-citations.sh

step "kubernetes manifests"
tests/k8s/validate.sh

step "restore drill"
tests/restore/drill-test.sh

step "fault tests (the database is stopped and restarted)"
start_server  # the tests make their fixtures through it
# --verbose: each fault test logs what it survived (writes acknowledged,
# 503s, recovery time), the figures the notes quote
REQUEST_TIMEOUT_S=$fault_request_timeout_s "$bin/test-faults" --jobs 1 --verbose

step "clean shutdown"
stop_and_check_server

step "all tests passed"
