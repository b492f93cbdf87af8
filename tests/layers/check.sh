#!/usr/bin/env bash
# The layers of src/ (README, "Layout"), checked: a file includes only
# headers of its own layer or of layers below it, and the layers above the
# store never run SQL themselves.
#
#   core                 buffers, text, configuration, the clock, cursors
#   auth, db             callers and tokens; the connection pool and migrations
#   domain               the rules, as plain functions (may name a caller)
#   store                every SQL statement, one module per resource
#   http                 the server, the pipeline, answers (may hold a store)
#   api                  the handlers, the request frame, the route table
#   src/*.c, src/*.h     start-up and commands (main, serve)
#
# Fails listing every upward include, and every libpq or statement call in
# api/ or http/ (db_stmt, db_exec, PGresult, PQ...).
set -euo pipefail
cd "$(dirname "$0")/../../src"

rank() {
  case "$1" in
    core) echo 0 ;;
    auth|db) echo 1 ;;
    domain) echo 2 ;;
    store) echo 3 ;;
    http) echo 4 ;;
    api) echo 5 ;;
    top) echo 6 ;;
    *) echo 99 ;;
  esac
}

layer_of() { # path relative to src/
  case "$1" in
    */*) echo "${1%%/*}" ;;
    *) echo top ;;
  esac
}

problems=0
while IFS= read -r file; do
  from=$(layer_of "$file")
  from_rank=$(rank "$from")
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    to=$(layer_of "$inc")
    [ "$to" = "$from" ] && continue
    # auth and db share a rank but do not use each other
    if [ "$(rank "$to")" -ge "$from_rank" ]; then
      echo "layers: src/$file includes \"$inc\" ($from may not depend on $to)" >&2
      problems=$((problems + 1))
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find . -name '*.[ch]' | sed 's|^\./||' | sort)

# SQL stays in the store: nothing above it touches a statement or libpq.
if grep -nE '\bdb_stmt\b|\bdb_exec(_value)?\b|\bPGresult\b|\bPQ[a-zA-Z]+\(|<libpq-fe\.h>' \
     api/*.c api/*.h http/*.c http/*.h; then
  echo "layers: the lines above run SQL outside src/store" >&2
  problems=$((problems + 1))
fi

if [ "$problems" -ne 0 ]; then
  echo "layers: $problems problem(s)" >&2
  exit 1
fi
echo "layers: every include points down; SQL only in src/store ($(find . -name '*.[ch]' | wc -l) files)"
