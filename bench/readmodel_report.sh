#!/usr/bin/env bash
# Issue 21's block of bench/RESULTS.md, from one run's results.tsv and
# page_rows.tsv (bench/run.sh, bench/readmodel.sh): what the read model is,
# its rows, and each of the issue's targets judged from the same run.
# Printed by BENCH_ONLY=readmodel and, within the whole report, by
# bench/report.sh, between the readmodel markers.
# Usage: bench/readmodel_report.sh RESULTS PAGE_ROWS COMMAND
set -euo pipefail
results=$1
rows_file=$2
command=$3
[ -f "$rows_file" ] || rows_file=/dev/null
conns=${BENCH_CONNECTIONS:-64}
commit=${BENCH_TODAY_COMMIT:-7e21d9b}
read -r size1 size2 size3 <<<"${BENCH_SIZES:-10000 100000 1000000}"

cat <<HEAD
<!-- readmodel:begin -->
## The read model (issue 21)

**What it is.** Each meeting's representation (\`meeting_json\`) is rendered when the meeting
or anything it embeds changes (its children, decisions, consent, invitations, minutes, the
previous meeting's actions), by deferred constraint triggers at the COMMIT of the transaction
that changed it, under the meeting's lock, and stored in \`meeting_renderings\` (migration 050)
with the row version it was made from and the days over which its overdue flags hold.
\`GET /v1/meetings/{id}\` and the lists return the stored bytes; a read on a day outside those
days renders afresh until housekeeping renders it again. **Rebuilding it:** when a migration
changes a rendering's definition, \`mam migrate\` renders every meeting again; \`mam renderings
rebuild\` does so on demand (as the schema's owner, \`MIGRATION_DATABASE_URL\`, a batch per
transaction), and \`mam renderings check\` lists any stored rendering that differs from a fresh
one. **What it costs on writes:** the rendering moved from the read to the write; the POST
row below is that cost, measured against today's main in the same run.

Measured by \`$command\` on $(date -u +%Y-%m-%d) ($(nproc) cores,
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)), wrk with $conns connections, each figure the better of two alternating
${BENCH_SECONDS:-6}-second runs, at $size2 meetings:

- **the floor** of each read: pgbench running the cheapest SQL that returns the same bytes with
  the same audit row, in one statement (one round trip, a data-modifying CTE) committed
  asynchronously (\`set_config('synchronous_commit', 'off', true)\` in the statement), with as
  many clients as wrk has connections and as the service's pool (${BENCH_DB_POOL:-16}), the better of
  the two. The read: a primary-key fetch of the stored rendering
  (\`bench/pgbench/floor_get_meeting.sql\`). The list: one index range over 50 stored renderings
  of one agency's scheduled meetings, newest first (\`bench/pgbench/floor_list_meetings.sql\`),
  off an index made for this measurement only and dropped after it,
  \`bench_renderings_page ON meeting_renderings ((body->>'convening_agency'), (body->>'status'),
  (body->>'created_at') DESC, meeting_id DESC)\`; a bench agency's manager sees exactly the
  meetings the agency convened, so it is the service's page 1. Neither floor checks visibility
  nor reads a 51st row to learn whether there is a next page.
- **today's main**: commit \`$commit\` (before the read model), its release binary built in a
  git worktree under \`bench/out\`, on a database of its own in the same cluster, migrated by
  that binary (schema 49) and loaded by the same \`bench/load.sql\` to the same volume (the
  loader fills \`meeting_renderings\` only where the table exists). Not on the read model's
  database: today's binary starts against schema 50 (its readiness asks for at least the
  version it knows), but there migration 050's triggers would render at the COMMIT of each of
  its writes, and its POST would not be today's. It runs alternately with the read model.
- **the service's own statement** of each read in pgbench, the same way as the floor
  (\`bench/pgbench/get_meeting.sql\`, \`list_meetings.sql\`): whether the statement or the rest of the
  service separates it from the floor.
- **list page 1** at $size1, $size2 and $size3 meetings (the last loaded without the invitations' and
  minutes' history, and by \`BENCH_ONLY=readmodel\` without the obligations, which the list never
  reads), the better of two runs each (a full run takes one), with the rows page 1 held.

| workload | meetings | req/s | p50 ms | p99 ms | errors | peak RSS MB | limit | limit/s | ratio |
|---|---:|---:|---:|---:|---:|---:|---|---:|---:|
HEAD
awk -F'\t' 'NR > 1 && ($1 ~ /^(read model|today.s main|floor \(pgbench|pgbench, the service.s own|round trips)/ || $1 == "list scheduled (page 1)") {
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results"
echo
echo "Targets (issue 21, \"Done when\"):"
echo
awk -F'\t' -v conns="$conns" -v rows_file="$rows_file" -v commit="$commit" '
  function verdict(ok) { return ok ? "met" : "**not met**" }
  BEGIN { while ((getline line < rows_file) > 0) { split(line, f, "\t"); if (f[1] == "list scheduled (page 1)") rows[f[2]] = f[3] } }
  NR == 1 { next }
  $1 ~ /^read model: / { n = substr($1, 13); rm[n] = $4; rm99[n] = $6; lim[n] = $9; limrps[n] = $10; ratio[n] = $11; fl99[n] = $12; order[++k] = n }
  $1 ~ /^today.s main \(/ { n = substr($1, index($1, "): ") + 3); today[n] = $4; today99[n] = $6 }
  $1 ~ /^pgbench, the service.s own statement: / { n = substr($1, index($1, ": ") + 2); own[n] = $4 }
  $1 == "list scheduled (page 1)" { if (!(1 in pm)) { pm[1] = $2; pp[1] = $5 } pm[2] = $2; pp[2] = $5 }
  $1 ~ /^round trips: .* in four/ { four = $4 }
  $1 ~ /^round trips: .* in one/ { one = $4 }
  END {
    if (one > 0 && four > 0)
      printf "- fewer round trips: the read and its audit row in one statement ran %.2f times the same statements in four round trips (%s/s against %s/s, pgbench)\n", one / four, one, four
    for (i = 1; i <= k; i++) {
      n = order[i]
      if (lim[n] == "floor") {
        printf "- %s: %.2f of its floor (target 0.8): %s\n", n, ratio[n], verdict(ratio[n] + 0 >= 0.8)
        # what separates the service from the floor: its statement, or the rest
        if (own[n] > 0 && limrps[n] > 0)
          printf "  (the service'"'"'s own statement in pgbench ran %s/s, %.2f of the floor; the service ran %.2f of its own statement)\n", own[n], own[n] / limrps[n], rm[n] / own[n]
        if (today[n] > 0) {
          t = n ~ /status=scheduled/ ? 4 : 0
          if (t) printf "- %s: %.2f times today'"'"'s main (%s/s against %s/s; target 4): %s\n", n, rm[n] / today[n], rm[n], today[n], verdict(rm[n] / today[n] >= t)
          else printf "- %s: %.2f times today'"'"'s main (%s/s against %s/s; no target)\n", n, rm[n] / today[n], rm[n], today[n]
        }
        printf "- %s: p99 %s ms at %s connections (target under 25 ms; today'"'"'s main %s ms): %s\n", n, rm99[n], conns, today99[n], verdict(rm99[n] + 0 < 25)
        # what else holds it: with every connection busy the mean wait is
        # connections / throughput (Little'"'"'s law)
        if (rm99[n] + 0 >= 25 && conns * 1000 / rm[n] >= 25)
          printf "  (%s connections at %s req/s wait %.0f ms on average; under 25 ms needs over %d req/s, and the floor ran %s/s: %s)\n",
            conns, rm[n], conns * 1000 / rm[n], conns * 1000 / 25, limrps[n],
            (limrps[n] + 0 < conns * 1000 / 25) ? "on these cores, shared with the load generator and the service, the database cannot answer " conns " connections within 25 ms even at its floor" : "the database could, so what holds it is the service'"'"'s own cost above the floor"
        if (rm99[n] + 0 >= 25 && conns * 1000 / rm[n] < 25)
          printf "  (%s connections at %s req/s wait %.0f ms on average, so the throughput is there and the p99 is the spread; the floor from %s clients had a p99 of %s ms on the same cores. What would reach it: cores for the database not shared with the load generator and the service, or fewer requests in flight)\n",
            conns, rm[n], conns * 1000 / rm[n], conns, (fl99[n] != "" ? fl99[n] : "?")
      } else if (lim[n] ~ /^today/) {
        printf "- %s: %.2f of today'"'"'s main'"'"'s writes (%s/s against %s/s; target 0.8): %s. This is what the read model costs on writes: each write renders its meeting again at COMMIT (after rendering it for its response) and stores the rendering.\n",
          n, ratio[n], rm[n], limrps[n], verdict(ratio[n] + 0 >= 0.8)
      }
    }
    if (pm[1] != pm[2] && pp[1] > 0) {
      r = pp[2] / pp[1]
      if (rows[pm[1]] > 0 && rows[pm[2]] > 0) {
        pr = r * rows[pm[1]] / rows[pm[2]]
        printf "- list scheduled (page 1) at %s meetings / at %s, per row shown: %.2f (p50 %s ms with %s rows on average, against %s ms with %s rows; target within 1.5): %s\n",
          pm[2], pm[1], pr, pp[2], rows[pm[2]], pp[1], rows[pm[1]], verdict(pr <= 1.5)
      } else
        printf "- list scheduled (page 1) p50 at %s meetings / at %s: %.2f (rows per page unknown; target within 1.5): %s\n", pm[2], pm[1], r, verdict(r <= 1.5)
    }
  }' "$results"
[ -z "${BENCH_NOTE:-}" ] || { echo; echo "$BENCH_NOTE"; }
echo "<!-- readmodel:end -->"
