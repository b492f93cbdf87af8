#!/usr/bin/env bash
# Validates every manifest in deploy/kubernetes (the base and both overlays,
# rendered) against the Kubernetes and CloudNativePG schemas and the
# project's rules (validate.mjs says which), then proves that the validator
# can fail: each of a set of deliberately broken renderings must be refused.
# Installs the validator (package-lock.json, npm ci) when it is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [ ! -d node_modules/kubernetes-models ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

node validate.mjs

# --- negative self-check ---
prod=$(mktemp)
trap 'rm -f "$prod"' EXIT
# the production overlay as the validator renders it
node validate.mjs --render ../../deploy/kubernetes/overlays/production > "$prod"
node validate.mjs - < "$prod" >/dev/null || { echo "validate.sh: the unbroken production rendering fails on stdin" >&2; exit 1; }

broken=0
expect_refused() { # description sed-expression
  local what=$1 expr=$2 out
  if sed -E "$expr" "$prod" | cmp -s - "$prod"; then
    echo "validate.sh: self-check '$what' does not apply to the rendering (nothing changed)" >&2
    broken=$((broken + 1)); return
  fi
  if out=$(sed -E "$expr" "$prod" | node validate.mjs - 2>&1); then
    echo "validate.sh: a broken manifest passed validation: $what" >&2
    broken=$((broken + 1))
  else
    echo "refused as it should be: $what ($(grep -m1 '^FAIL' <<<"$out" | cut -c1-140))"
  fi
}
expect_refused "Kubernetes schema: replicas is not a number" 's/^  replicas: 3$/  replicas: three/'
expect_refused "Kubernetes schema: unknown imagePullPolicy" 's/imagePullPolicy: IfNotPresent/imagePullPolicy: Sometimes/'
expect_refused "Kubernetes unknown field: minReplica" 's/minReplicas:/minReplica:/'
expect_refused "Kubernetes unknown field: readinessProbes" 's/readinessProbe:/readinessProbes:/'
expect_refused "CloudNativePG schema: poolMode sessions" 's/poolMode: session/poolMode: sessions/'
expect_refused "CloudNativePG: instances missing" 's/^  instances: 3$/  instance: 3/'
expect_refused "CloudNativePG unknown field: enablePodAntiAfinity" 's/enablePodAntiAffinity:/enablePodAntiAfinity:/'
expect_refused "rule: two database instances" 's/^  instances: 3$/  instances: 2/'
expect_refused "rule: writable root file system" 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect_refused "rule: pool mode transaction" 's/poolMode: session/poolMode: transaction/'
expect_refused "rule: liveness on another path" 's#path: /livez#path: /healthz#'
expect_refused "rule: unknown setting in the ConfigMap" 's/^  LOG_LEVEL:/  LOGLEVEL:/'
[ "$broken" -eq 0 ] || { echo "validate.sh: the validator's self-check failed ($broken)" >&2; exit 1; }
echo "validator self-check: every broken manifest was refused"
