#!/bin/sh
# Prints a .env for docker compose with fresh random secrets:
#   deploy/compose-env.sh > .env && docker compose up
set -eu
secret() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n'; }
echo "POSTGRES_PASSWORD=$(secret)"
echo "MAM_OWNER_PASSWORD=$(secret)"
echo "MAM_APP_PASSWORD=$(secret)"
echo "JWT_HS256_SECRET=$(secret)$(secret)"
echo "JWT_ISSUER=http://localhost/dev-issuer"
echo "JWT_AUDIENCE=mam-local"
