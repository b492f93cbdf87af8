#!/usr/bin/env bash
# Horizontal scaling on one machine: three service instances on loopback
# behind nginx (round robin, keep-alive upstream), all on one PostgreSQL.
#  1. the API integration tests run through the balancer (every request may
#     land on another instance: the service must be stateless);
#  2. the benchmark's 80/20 mix (bench/lua/mix.lua) through nginx with one,
#     two and three instances behind it, and once straight to one instance
#     for nginx's own cost; the CPU each part used is read from /proc.
# Writes the figures into bench/RESULTS.md between the scaling markers
# (replacing that block, or appending it); make bench rewrites the rest.
#
# Knobs: SCALE_MEETINGS (10000), SCALE_SECONDS (15 per run), SCALE_CONNECTIONS
# (64), SCALE_PG_CLUSTER / SCALE_PG_PORT (pg-scale / 55435), BUILD_ROOT (build),
# SCALE_SKIP_TESTS=1 (figures only).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source deploy/service-user.sh
source bench/block.sh

meetings=${SCALE_MEETINGS:-10000}
seconds=${SCALE_SECONDS:-15}
conns=${SCALE_CONNECTIONS:-64}
cluster=${SCALE_PG_CLUSTER:-pg-scale}
pg_port=${SCALE_PG_PORT:-55435}
base_port=${SCALE_BASE_PORT:-18290}
nginx_port=$((base_port + 10))
export BUILD_ROOT=${BUILD_ROOT:-build}
pg_bin=/usr/lib/postgresql/15/bin
out="$top/$BUILD_ROOT/scale"
data="$out/data"
export BENCH_DATA="$data"
started=$(date +%s)
say() { printf '[scale %4ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }

deploy/packages.sh install build runtime db test bench
make -s -j"$(nproc)" MODE=testing build
make -s -j"$(nproc)" MODE=asan "$BUILD_ROOT/asan/test-api"
rm -rf "$out"
mkdir -p "$data" "$out/nginx/logs"
chmod 755 "$out" "$data"

# --- one database ---
deploy/local-db.sh start "$cluster" "$pg_port"
deploy/local-db.sh drop-db "$cluster" mam_scale >/dev/null
deploy/local-db.sh ensure-db "$cluster" mam_scale
export DATABASE_URL=$(deploy/local-db.sh url "$cluster" mam_scale)
export MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url "$cluster" mam_scale)
admin_url=$(deploy/local-db.sh admin-url "$cluster" mam_scale)
psql_admin() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$admin_url" "$@"; }
"$BUILD_ROOT/testing/mam" migrate >/dev/null 2>&1
{ echo 'SET session_replication_role = replica;'; cat bench/load.sql; } |
  psql_admin -v from=0 -v to="$meetings" -v history=1 -f - >/dev/null 2>&1
psql_admin -c "ANALYZE" >/dev/null 2>&1
say "loaded $meetings meetings"

export JWT_ISSUER=https://scale.invalid/issuer JWT_AUDIENCE=mam-scale
JWT_HS256_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
export JWT_HS256_SECRET
mam_token() { "$BUILD_ROOT/testing/mam" token --ttl 86400 "$@"; }
: > "$data/managers.txt"; : > "$data/practitioners.txt"
for a in $(seq -w 1 40); do
  printf 'B%s %s\n' "$a" "$(mam_token --sub "bench-m-B$a" --name "Bench Manager" --agency "B$a" --roles manager)" >> "$data/managers.txt"
  for k in 0 1 2 3 4; do
    printf 'B%s-%s %s\n' "$a" "$k" "$(mam_token --sub "bench-p-B$a-$k" --name "Bench Practitioner" --agency "B$a" --roles practitioner)" >> "$data/practitioners.txt"
  done
done
psql_admin -At -F ' ' -c "SELECT agency, id FROM bench_meetings" > "$data/meetings.txt"
psql_admin -At -F ' ' -c "SELECT agency, id FROM bench_meetings WHERE status IN ('requested', 'authorised', 'scheduled')" > "$data/open_meetings.txt"

# --- three instances, nginx in front ---
binary=$(service_stage "$BUILD_ROOT/testing/mam")
openapi=$(service_stage "$top/openapi.yaml")
pids=()
start_instances() { # DATABASE_URL
  local i
  for i in 1 2 3; do
    (export DATABASE_URL="$1" PORT=$((base_port + i)) BIND_ADDRESS=127.0.0.1 LOG_LEVEL=warning \
            OPENAPI_FILE="$openapi" DB_POOL_SIZE=16 \
            MAX_BODY_BYTES=65536
     service_exec "$binary") >>"$out/instance-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in 1 2 3; do
    for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$((base_port + i))/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "http://127.0.0.1:$((base_port + i))/readyz" >/dev/null || { tail "$out/instance-$i.log" >&2; exit 1; }
  done
}
stop_instances() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
nginx_pid=""
cleanup() {
  [ -z "$nginx_pid" ] || { kill -QUIT "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; }
  stop_instances
  deploy/local-db.sh drop-db "$cluster" mam_scale_tests >/dev/null 2>&1 || true
}
trap cleanup EXIT

nginx_conf() { # N: the upstream holds the first N instances
  local servers="" i
  for i in $(seq 1 "$1"); do servers+="    server 127.0.0.1:$((base_port + i));"$'\n'; done
  cat > "$out/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 2m;
  large_client_header_buffers 4 32k;
  upstream mam {
$servers    keepalive 128;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://mam;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_buffering off;
    }
  }
}
CONF
}
start_nginx() {
  nginx_conf "$1"
  if [ -z "$nginx_pid" ]; then
    nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" -e "$out/nginx/logs/error.log" &
    nginx_pid=$!
  else
    kill -HUP "$nginx_pid"
  fi
  sleep 1
  curl -fsS "http://127.0.0.1:$nginx_port/readyz" >/dev/null
}
# The suite runs on an empty database of its own, as in make test: its
# timings assume one (a list over 10,000 meetings can meet the statement
# timeout while wrk-sized load runs elsewhere on the machine).
deploy/local-db.sh drop-db "$cluster" mam_scale_tests >/dev/null
deploy/local-db.sh ensure-db "$cluster" mam_scale_tests
tests_url=$(deploy/local-db.sh url "$cluster" mam_scale_tests)
MIGRATION_DATABASE_URL=$(deploy/local-db.sh owner-url "$cluster" mam_scale_tests) \
  "$BUILD_ROOT/testing/mam" migrate >/dev/null 2>&1
start_instances "$tests_url"
start_nginx 3
say "three instances on :$((base_port + 1))-:$((base_port + 3)), nginx on :$nginx_port"

# --- 1. the integration suite through the balancer ---
tests_line="not run (SCALE_SKIP_TESTS=1)"
if [ "${SCALE_SKIP_TESTS:-0}" != 1 ]; then
  set +e
  # each instance counts only the requests it served: the metrics test sums them
  MAM_INSTANCE_URLS="http://127.0.0.1:$((base_port + 1)) http://127.0.0.1:$((base_port + 2)) http://127.0.0.1:$((base_port + 3))" \
  MAM_URL="http://127.0.0.1:$nginx_port" MAM_DATABASE_URL="$tests_url" MAX_BODY_BYTES=65536 \
    OPENAPI_FILE="$top/openapi.yaml" ASAN_OPTIONS=detect_leaks=0 \
    "$BUILD_ROOT/asan/test-api" --jobs 4 > "$out/test-api.log" 2>&1
  rc=$?
  set -e
  tests_line=$(grep -E '^\[====\] Synthesis' "$out/test-api.log" | tail -1 | sed 's/^\[====\] //')
  say "API tests through nginx: ${tests_line:-no summary} (exit $rc)"
  if [ "$rc" -ne 0 ]; then
    grep -E '^\[(FAIL|----)\]' "$out/test-api.log" | head -20 >&2
    echo "scale: the API tests failed through the balancer ($out/test-api.log)" >&2
    exit 1
  fi
fi

# --- 2. the mix at 1, 2, 3 instances, on the loaded database ---
stop_instances
start_instances "$DATABASE_URL"
ticks() { # PID...: CPU ticks used by these processes, their live children and their waited-for children
  local p c total=0
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$(( total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat") ))
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
      [ -r "/proc/$c/stat" ] && total=$(( total + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0) ))
    done
  done
  echo "$total"
}
postmaster=$(head -1 "$(readlink -f ".data/$cluster")/postmaster.pid")
hz=$(getconf CLK_TCK)
results="$out/results.tsv"
: > "$results"
run_mix() { # LABEL URL N
  local label=$1 url=$2 n=$3 line pg0 svc0 ng0 pg1 svc1 ng1 t0 t1 wall
  pg0=$(ticks "$postmaster"); svc0=$(ticks "${pids[@]:0:$n}"); ng0=$(ticks ${nginx_pid:-})
  t0=$(date +%s.%N)
  line=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s -s bench/lua/mix.lua "$url" 2>&1 | grep '^RESULT' || true)
  t1=$(date +%s.%N)
  pg1=$(ticks "$postmaster"); svc1=$(ticks "${pids[@]:0:$n}"); ng1=$(ticks ${nginx_pid:-})
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
  awk -v label="$label" -v n="$n" -v wall="$wall" -v hz="$hz" \
      -v pg=$((pg1 - pg0)) -v svc=$((svc1 - svc0)) -v ng=$((ng1 - ng0)) -v line="$line" 'BEGIN {
    split(line, f, " "); for (i in f) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
    printf "%s\t%d\t%.0f\t%.1f\t%.1f\t%d\t%.2f\t%.2f\t%.2f\n", label, n, v["rps"], v["p50_us"] / 1000,
      v["p99_us"] / 1000, v["errors"] + v["non2xx"], pg / hz / wall, svc / hz / wall, ng / hz / wall
  }' >> "$results"
  say "$(tail -1 "$results")"
}
run_mix "1 instance, direct (no nginx)" "http://127.0.0.1:$((base_port + 1))" 1
for n in 1 2 3; do
  start_nginx "$n"
  run_mix "$n instance$([ "$n" = 1 ] || echo s) behind nginx" "http://127.0.0.1:$nginx_port" "$n"
done

# --- the report block ---
block=$(mktemp)
{
  echo "<!-- scaling:begin -->"
  echo "## Horizontal scaling on one machine"
  echo
  echo "Measured by \`bench/scale.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)):"
  echo "up to three service instances on loopback behind nginx (round robin, keep-alive upstream),"
  echo "one PostgreSQL 15 cluster, $meetings meetings (\`bench/load.sql\`), the 80/20 mix"
  echo "(\`bench/lua/mix.lua\`) from wrk with $conns connections for ${seconds} s per row. Each instance"
  echo "has 8 HTTP threads and 16 pooled connections. API integration tests through the balancer:"
  echo "${tests_line}."
  echo
  echo "CPU columns are cores in use on average during the run (2.00 = both cores), read from"
  echo "/proc for the PostgreSQL cluster (postmaster and backends), the service instances and nginx;"
  echo "wrk used the rest."
  echo
  echo "| setup | instances | req/s | p50 ms | p99 ms | errors | PostgreSQL cores | service cores | nginx cores |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$results"
  echo
  echo "${SCALE_NOTE:-Everything, load generator included, shares the same two cores, so more instances cannot add capacity here: the table shows where the CPU goes, not a scaling curve. See docs/operations.md, \"Scaling and its limits\".}"
  echo "<!-- scaling:end -->"
} > "$block"
results_block scaling "$block"
rm -f "$block"
say "done"
