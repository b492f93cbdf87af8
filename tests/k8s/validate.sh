#!/usr/bin/env bash
# Validates every manifest in deploy/kubernetes (the base, both overlays and
# the gateway example, rendered) against the Kubernetes schemas, the CRDs of
# every supported CloudNativePG version and of the other operators used, and
# the project's rules, and the Dockerfile (validate.mjs says which); then
# proves that the validator can fail: each of a set of deliberately broken
# renderings must be refused, for the reason expected.
# Installs the validator (package-lock.json, npm ci) when it is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [ ! -d node_modules/kubernetes-models ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

node validate.mjs

# --- negative self-check ---
prod=$(mktemp) edge=$(mktemp) dockerfile=$(mktemp) changed=$(mktemp)
K8S_TS_CACHE=$(mktemp -d); export K8S_TS_CACHE
trap 'rm -f "$prod" "$edge" "$dockerfile" "$changed"; rm -rf "$K8S_TS_CACHE"' EXIT
# the production overlay, and the gateway example (production and its edge),
# as the validator renders them
node validate.mjs --render ../../deploy/kubernetes/overlays/production > "$prod"
node validate.mjs --render ../../deploy/kubernetes/examples/gateway-api > "$edge"
for f in "$prod" "$edge"; do
  node validate.mjs - < "$f" >/dev/null || { echo "validate.sh: an unbroken rendering fails on stdin" >&2; exit 1; }
done

broken=0
# judge description pattern: the rendering in $changed must be refused, with
# a FAIL line matching pattern (an extended regular expression) if one is given
judge() {
  local what=$1 pattern=$2 in=$3 out
  if cmp -s "$changed" "$in"; then
    echo "validate.sh: self-check '$what' does not apply to the rendering (nothing changed)" >&2
    broken=$((broken + 1)); return
  fi
  if out=$(node validate.mjs - < "$changed" 2>&1); then
    echo "validate.sh: a broken manifest passed validation: $what" >&2
    broken=$((broken + 1))
  elif [ -n "$pattern" ] && ! grep -Eq "^FAIL.*($pattern)" <<<"$out"; then
    echo "validate.sh: '$what' was refused, but not for the expected reason /$pattern/:" >&2
    grep '^FAIL' <<<"$out" | head -3 >&2
    broken=$((broken + 1))
  else
    echo "refused as it should be: $what ($(grep -E -m1 "^FAIL.*(${pattern:-})" <<<"$out" | cut -c1-160))"
  fi
}
# expect_refused description sed-expression [pattern [rendering]]: the
# rendering (production by default) changed by the sed expression
expect_refused() {
  local in=${4:-$prod}
  sed -E "$2" "$in" > "$changed"
  judge "$1" "${3:-}" "$in"
}
# expect_refused_js description javascript pattern [rendering]: the same, the
# rendering changed by JavaScript statements over `docs` (its objects)
expect_refused_js() {
  local in=${4:-$prod}
  node --input-type=module -e "
    import fs from 'node:fs'; import YAML from 'yaml';
    const docs = YAML.parseAllDocuments(fs.readFileSync(0, 'utf8')).map((d) => d.toJS()).filter(Boolean);
    const find = (kind, name) => docs.find((o) => o.kind === kind && o.metadata.name === name);
    $2;
    process.stdout.write(docs.map((d) => YAML.stringify(d)).join('---\\n'));" < "$in" > "$changed"
  judge "$1" "$3" "$in"
}
expect_refused "Kubernetes schema: replicas is not a number" 's/^  replicas: 3$/  replicas: three/'
expect_refused "Kubernetes schema: unknown imagePullPolicy" 's/imagePullPolicy: IfNotPresent/imagePullPolicy: Sometimes/'
expect_refused "Kubernetes unknown field: minReplica" 's/minReplicas:/minReplica:/'
expect_refused "Kubernetes unknown field: readinessProbes" 's/readinessProbe:/readinessProbes:/'
expect_refused "CloudNativePG schema: poolMode sessions" 's/poolMode: session/poolMode: sessions/' 'poolMode.*is not one of'
expect_refused "CloudNativePG: instances missing" 's/^  instances: 3$/  instance: 3/' 'required field instances missing'
expect_refused "CloudNativePG unknown field: enablePodAntiAfinity" 's/enablePodAntiAffinity:/enablePodAntiAfinity:/' 'enablePodAntiAfinity: does not exist'
expect_refused "CloudNativePG, each version: failoverQuorum (1.28+) on 1.26" \
  's/^    synchronous:$/    synchronous:\n      failoverQuorum: true/' 'cloudnative-pg v1\.26\.[0-9]+: spec\.postgresql\.synchronous\.failoverQuorum: does not exist'
expect_refused "deprecated field (the CRD says so): bootstrap.initdb.options" \
  's/^      owner: mam_owner$/      owner: mam_owner\n      options: ["-k"]/' 'initdb\.options: deprecated'
expect_refused "deprecated: the in-tree barmanObjectStore" \
  's/^  instances: 3$/  instances: 3\n  backup:\n    barmanObjectStore:\n      destinationPath: s3:\/\/mam-backups\/mam-db/' 'barmanObjectStore: deprecated since 1\.26'
expect_refused "deprecated: a ScheduledBackup by barmanObjectStore" 's/method: plugin/method: barmanObjectStore/' 'spec\.method "barmanObjectStore": deprecated'
expect_refused "deprecated: a ScheduledBackup without method (barmanObjectStore by default)" '/^  method: plugin$/d' 'spec\.method "barmanObjectStore": deprecated'
expect_refused "deprecated: enablePodMonitor" 's/^  monitoring:$/  monitoring:\n    enablePodMonitor: true/' 'enablePodMonitor: deprecated'
expect_refused "ObjectStore schema: unknown field maxParalel" 's/maxParallel:/maxParalel:/' 'maxParalel: does not exist'
expect_refused "ObjectStore schema: encryption aes256" 's/encryption: AES256/encryption: aes256/' 'encryption: "aes256" is not one of'
expect_refused "PodMonitor schema: unknown field podMetricEndpoints" 's/podMetricsEndpoints:/podMetricEndpoints:/' 'podMetricEndpoints: does not exist'
expect_refused "rule: two database instances" 's/^  instances: 3$/  instances: 2/'
expect_refused "rule: writable root file system" 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect_refused "rule: pool mode transaction" 's/poolMode: session/poolMode: transaction/'
expect_refused "rule: liveness on another path" 's#path: /livez#path: /healthz#'
expect_refused "rule: unknown setting in the ConfigMap" 's/^  LOG_LEVEL:/  LOGLEVEL:/'
expect_refused "rule: backups without encryption" '/encryption: AES256/d' 'encryption must be set'
expect_refused "rule: WAL not archived by the plugin" 's/isWALArchiver: true/isWALArchiver: false/' 'isWALArchiver'
expect_refused "rule: no PodMonitor for the API" 's#^      path: /metrics$#      path: /stats#' 'no PodMonitor scrapes /metrics'
expect_refused "rule: migration Job gives up after 2.5 minutes" 's/activeDeadlineSeconds: 2700/activeDeadlineSeconds: 150/' 'activeDeadlineSeconds 150'
expect_refused "rule: migration Job waits for a message src/main.c does not print" \
  's/the role mam_runtime does not exist \(yet\)/role mam_runtime is missing/' 'no longer prints'
expect_refused_js "rule: the API pods may reach PostgreSQL directly" \
  "find('NetworkPolicy', 'mam-db').spec.ingress[0].from.push({ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } } })" \
  'lets in the API pods'
expect_refused_js "rule: PostgreSQL open to the whole namespace" \
  "find('NetworkPolicy', 'mam-db').spec.ingress[0].from.push({ podSelector: {} })" 'from every pod of the namespace'
expect_refused_js "rule: no NetworkPolicy for the database" \
  "docs.splice(docs.indexOf(find('NetworkPolicy', 'mam-db')), 1)" 'no NetworkPolicy selects its instances'
expect_refused "edge rule: a plain-HTTP listener" 's/protocol: HTTPS/protocol: HTTP/' 'HTTPS only' "$edge"
expect_refused "edge rule: body limit above MAX_BODY_BYTES" 's/maxSize: 1m/maxSize: 10m/' 'is not MAX_BODY_BYTES' "$edge"
expect_refused "edge rule: no HSTS" 's/name: Strict-Transport-Security/name: X-Frame-Options/' 'Strict-Transport-Security' "$edge"
expect_refused "Gateway API schema: path type Prefix" 's/type: PathPrefix/type: Prefix/' '"Prefix" is not one of' "$edge"

# the Dockerfile: nothing pulled but the base image
expect_refused_dockerfile() { # description sed-expression
  sed -E "$2" ../../Dockerfile > "$dockerfile"
  if cmp -s "$dockerfile" ../../Dockerfile; then echo "validate.sh: self-check '$1' does not apply to the Dockerfile" >&2; broken=$((broken + 1)); return; fi
  if out=$(node validate.mjs --dockerfile "$dockerfile" 2>&1); then
    echo "validate.sh: a Dockerfile that pulls more passed: $1" >&2; broken=$((broken + 1))
  else
    echo "refused as it should be: $1 ($(head -1 <<<"$out" | cut -c1-140))"
  fi
}
expect_refused_dockerfile "Dockerfile: # syntax directive" '1s/^/# syntax=docker\/dockerfile:1\n/'
expect_refused_dockerfile "Dockerfile: another image" 's/^FROM debian:bookworm-slim$/FROM gcr.io\/distroless\/base-debian12/'
expect_refused_dockerfile "Dockerfile: COPY from an image" 's#^COPY --from=build #COPY --from=docker.io/library/busybox #'
[ "$broken" -eq 0 ] || { echo "validate.sh: the validator's self-check failed ($broken)" >&2; exit 1; }
echo "validator self-check: every broken manifest was refused"
