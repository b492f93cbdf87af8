#!/bin/sh
# Run once by the postgres image when its volume is new (mounted into
# /docker-entrypoint-initdb.d by docker-compose.yml): the same three roles
# as every other deployment, so Compose has least privilege too.
#   mam_owner    owns the database and its schema; runs the migrations
#   mam_runtime  NOLOGIN group: what the service may do (granted by
#                `mam migrate`: read and write case data, never change the
#                schema, update or delete audit events)
#   mam_app      the service's login, a member of mam_runtime
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_pw="$MAM_OWNER_PASSWORD" -v app_pw="$MAM_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE mam_owner LOGIN PASSWORD %L', :'owner_pw') \gexec
CREATE ROLE mam_runtime NOLOGIN;
SELECT format('CREATE ROLE mam_app LOGIN PASSWORD %L IN ROLE mam_runtime', :'app_pw') \gexec
CREATE DATABASE mam OWNER mam_owner;
SQL
