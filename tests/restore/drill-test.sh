#!/usr/bin/env bash
# The restore drill's test (make test). In a database of its own on the test
# cluster: fictional data created through the API (agencies, meetings
# requested, authorised, declined and cancelled, an invitation, a
# family-notice decision) plus held meetings with approved minutes and
# actions (bench/load.sql, 80 meetings); then deploy/restore-drill.sh must
# pass, and must fail when the restored copy is altered behind its back.
#
# Needs the environment tests/run.sh exports: MAM_TEST_CLUSTER,
# MAM_SERVER_BINARY, JWT_ISSUER, JWT_AUDIENCE, JWT_HS256_SECRET (and
# OPENAPI_FILE, the sanitizer options). Run alone, it starts what it needs:
#   MAM_TEST_CLUSTER=pg-test MAM_SERVER_BINARY=build/asan/mam tests/restore/drill-test.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
source deploy/service-user.sh
pg_bin=/usr/lib/postgresql/15/bin
cluster=${MAM_TEST_CLUSTER:?set MAM_TEST_CLUSTER (tests/run.sh does)}
binary=${MAM_SERVER_BINARY:-build/asan/mam}
export JWT_ISSUER=${JWT_ISSUER:-https://mam.test} JWT_AUDIENCE=${JWT_AUDIENCE:-mam-test}
if [ -z "${JWT_HS256_SECRET:-}" ]; then
  JWT_HS256_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
  export JWT_HS256_SECRET
fi
export OPENAPI_FILE=${OPENAPI_FILE:-$(service_stage "$top/openapi.yaml")}
started=$(date +%s)
say() { printf '[drill-test %3ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

db="mam_drill_$(date +%s)_$$"
work=$(mktemp -d)
chmod 755 "$work"
server_pid=""
cleanup() {
  local status=$?
  [ -z "$server_pid" ] || { kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  deploy/local-db.sh drop-db "$cluster" "$db" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then say "output kept in $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

deploy/local-db.sh ensure-db "$cluster" "$db"
export DATABASE_URL=$(deploy/local-db.sh url "$cluster" "$db")
export MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url "$cluster" "$db")
admin_url=$(deploy/local-db.sh admin-url "$cluster" "$db")
"$binary" migrate >/dev/null

# --- held meetings with minutes and actions (fictional, as make bench loads them) ---
{ echo 'SET session_replication_role = replica;'; cat bench/load.sql; echo 'DROP TABLE bench_meetings;'; } |
  "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -v from=0 -v to=80 -v history=1 "$admin_url" -f - >/dev/null

# --- data created through the API ---
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
(export PORT=$port BIND_ADDRESS=127.0.0.1; service_exec "$binary" serve) >"$work/api.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/api.log" >&2; fail "the service did not start"; }

token() { "$binary" token --sub "$1" --name "$2" --agency "$3" --roles "$4" --ttl 3600; }
admin=$(token drill-admin "Drill Admin" DRL-CSC admin)
prac=$(token drill-p1 "Drill Practitioner" DRL-CSC practitioner)
manager=$(token drill-m1 "Drill Manager" DRL-CSC manager)
api() { # METHOD PATH TOKEN [BODY] [If-Match]: prints the body; fails on a non-2xx answer
  local args=(-sS -o "$work/out" -w '%{http_code}' -X "$1" "http://127.0.0.1:$port$2"
              -H "Authorization: Bearer $3" -H 'Content-Type: application/json')
  [ -z "${4:-}" ] || args+=(-d "$4")
  [ -z "${5:-}" ] || args+=(-H "If-Match: \"$5\"")
  [ "$1" != POST ] || args+=(-H "Idempotency-Key: drill-$RANDOM$RANDOM")
  local code
  code=$(curl "${args[@]}")
  [ "${code:0:1}" = 2 ] || { cat "$work/out" >&2; fail "$1 $2 answered $code"; }
  cat "$work/out"
}
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

api POST /v1/agencies "$admin" '{"code":"DRL-CSC","name":"Drill Children'"'"'s Services (fictional)","kind":"childrens_social_care"}' >/dev/null
api POST /v1/agencies "$admin" '{"code":"DRL-POL","name":"Drill Police (fictional)","kind":"police"}' >/dev/null
meeting='{"type":"stop_and_review","title":"Stop and review for a fictional child","purpose":"Agree a plan",
  "criteria":["drift_no_improved_outcomes"],"rationale":"The plan is drifting",
  "children":[{"name":"Alex Example","date_of_birth":"2016-04-02"}],"no_other_children":true}'
ids=()
for _ in 1 2 3 4; do ids+=("$(api POST /v1/meetings "$prac" "$meeting" | field id)"); done
api POST "/v1/meetings/${ids[0]}/authorise" "$manager" '' 1 >/dev/null
api POST "/v1/meetings/${ids[1]}/decline" "$manager" '{"reason":"Not needed: the plan is on track"}' 1 >/dev/null
api POST "/v1/meetings/${ids[2]}/cancel" "$prac" '{"reason":"No longer needed"}' 1 >/dev/null
api POST "/v1/meetings/${ids[0]}/consent-decisions" "$manager" '{"decision":"inform"}' >/dev/null ||
  say "note: no family-notice decision recorded"
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
say "created 4 meetings through the API; 80 held and closed meetings with minutes and actions loaded"

# --- the callers whose views the drill compares ---
{
  echo "$prac"; echo "$manager"
  "$pg_bin/psql" -X -qAt -F ' ' "$admin_url" -c "
    (SELECT DISTINCT 'bench-m-' || convening_agency, convening_agency, 'manager' FROM meetings
      WHERE status IN ('held', 'closed') ORDER BY 1 LIMIT 1)
    UNION ALL
    (SELECT DISTINCT owner_sub, owner_agency, 'practitioner' FROM actions ORDER BY 1 LIMIT 2)" |
  while read -r sub agency role; do token "$sub" "Drill $role" "$agency" "$role"; done
} > "$work/tokens"

export DRILL_TOKENS="$work/tokens" MAM_SERVER_BINARY="$binary" RESTORE_ADMIN_URL="$admin_url" DRILL_SAMPLE=6
deploy/restore-drill.sh 2>&1 | tee "$work/drill.log" >&2 || fail "the restore drill failed"
grep -q 'passed: the restored database serves the same data' "$work/drill.log" || fail "the drill did not report a pass"
ok=$(sed -nE 's/.*answers for [0-9]+ callers: ([0-9]+) successful.*/\1/p' "$work/drill.log")
[ "${ok:-0}" -ge 30 ] || fail "the drill compared too little to mean anything (${ok:-0} successful answers)"

# --- the drill must notice an altered copy ---
if DRILL_FAIL_FAST=1 DRILL_TAMPER_SQL="UPDATE actions SET description = description || ' (altered)'" \
   deploy/restore-drill.sh > "$work/tampered.log" 2>&1; then
  cat "$work/tampered.log" >&2
  fail "the drill passed although the restored copy was altered"
fi
grep -q 'DIFFERENT' "$work/tampered.log" || { cat "$work/tampered.log" >&2; fail "the altered copy failed the drill for another reason"; }
say "passed: restored data served identically ($ok answers); an altered copy is caught"
