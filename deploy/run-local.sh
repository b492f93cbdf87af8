#!/usr/bin/env bash
# make run: everything needed to run the service locally, from a clean clone
# on Debian 12: missing packages, the build, the private PostgreSQL cluster
# (.data/pg), the database, migrations and fictional development agencies.
# Then the service runs in the foreground on PORT (default 8080) until
# Ctrl-C. A second run reuses the cluster and its data.
#
#   deploy/run-local.sh          run the service
#   deploy/run-local.sh token .. print a development token for it (mam token ...)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source deploy/service-user.sh

pg_port=${LOCAL_PG_PORT:-55432}

deploy/packages.sh install build runtime db
make -s build

deploy/local-db.sh start pg "$pg_port"
deploy/local-db.sh ensure-db pg mam

secret_file=.data/dev-jwt-secret
if [ ! -s "$secret_file" ]; then
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '/+=\n' > "$secret_file")
fi
export DATABASE_URL=${DATABASE_URL:-$(deploy/local-db.sh url pg mam)}
export MIGRATION_DATABASE_URL=${MIGRATION_DATABASE_URL:-$(deploy/local-db.sh owner-url pg mam)}
export JWT_ISSUER=${JWT_ISSUER:-http://localhost/dev-issuer}
export JWT_AUDIENCE=${JWT_AUDIENCE:-mam-local}
export JWT_HS256_SECRET=${JWT_HS256_SECRET:-$(cat "$secret_file")}
export PORT=${PORT:-8080}

if [ "${1:-}" = token ]; then
  shift
  exec build/release/mam token "$@"
fi

build/release/mam migrate
"/usr/lib/postgresql/15/bin/psql" -X -q -v ON_ERROR_STOP=1 "$MIGRATION_DATABASE_URL" \
  -f deploy/dev-fixtures.sql

mapfile -t staged < <(service_stage build/release/mam "${OPENAPI_FILE:-openapi.yaml}")
binary=${staged[0]}
export OPENAPI_FILE=${staged[1]}
cat >&2 <<MSG

The service is starting on http://localhost:$PORT (Ctrl-C stops it).
Development tokens (fictional people and agencies), for example:
  make token ARGS='--sub dev-practitioner --name "Dev Practitioner" --agency DEV-CSC --roles practitioner'
  make token ARGS='--sub dev-manager --name "Dev Manager" --agency DEV-CSC --roles manager'
  make token ARGS='--sub dev-admin --name "Dev Admin" --agency DEV-CSC --roles admin'

MSG
service_exec "$binary"
