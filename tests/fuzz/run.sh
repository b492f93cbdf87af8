#!/usr/bin/env bash
# Runs every libFuzzer harness for N seconds each (default 20), starting
# from the seed corpus in tests/fuzz/corpus/<harness>/ plus what earlier
# runs found (build/fuzz/corpus/<harness>/). Fails on the first crash,
# sanitizer report or leak; the input that caused it is written to
# $BUILD_ROOT/fuzz/findings/. Prints executions per harness.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=${1:-20}
root=${BUILD_ROOT:-build}
fuzz="$root/fuzz"

deploy/packages.sh install build test
make -s MODE=fuzz BUILD_ROOT="$root" -j"$(nproc)" fuzzers
mkdir -p "$fuzz/findings"

status=0
for harness in "$fuzz"/fuzz_*; do
  [ -x "$harness" ] || continue
  name=$(basename "$harness")
  seeds="tests/fuzz/corpus/$name"
  work="$fuzz/corpus/$name"
  mkdir -p "$work" "$seeds"
  log="$fuzz/$name.log"
  if "$harness" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
       -max_len=65536 -artifact_prefix="$fuzz/findings/$name-" "$work" "$seeds" >"$log" 2>&1; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
    printf 'fuzz: %-24s %10s executions in %ss, no findings\n' "$name" "$runs" "$seconds"
  else
    echo "fuzz: $name FOUND A PROBLEM:" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 >&2
    status=1
  fi
done
exit $status
