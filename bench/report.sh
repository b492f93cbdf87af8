#!/usr/bin/env bash
# Turns bench/out/results.tsv into bench/RESULTS.md.
set -euo pipefail
results=$1
cat <<HEAD
# Benchmark results

Measured by \`make bench\` on $(date -u +%Y-%m-%d) on this machine ($(nproc) cores,
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)), every workload taken side by side
with its limit in the same run (\`bench/run.sh\`). wrk uses ${BENCH_CONNECTIONS:-64} connections and
pgbench the same number of clients; each figure is the better of two alternating
${BENCH_SECONDS:-10}-second runs. Ratios are the service's requests per second over the limit's.

| workload | meetings | req/s | p50 ms | p99 ms | errors | peak RSS MB | limit | limit/s | ratio |
|---|---:|---:|---:|---:|---:|---:|---|---:|---:|
HEAD
tail -n +2 "$results" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 }'
