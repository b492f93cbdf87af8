// Validates the Kubernetes manifests of deploy/kubernetes (tests/k8s/validate.sh).
//
//   node validate.mjs                 the base, both overlays and the gateway
//                                     example, rendered; and the Dockerfile
//   node validate.mjs - [--dev]       the manifests on standard input (a stream
//                                     of YAML documents, e.g. a rendered overlay)
//   node validate.mjs --render DIR    print the built-in rendering of a kustomization
//   node validate.mjs --dockerfile F  check only the Dockerfile F
//
// Each object goes through three checks, and any failure makes the exit
// status 1:
//  1. schema. Built-in kinds: the JSON schema of the kind from kubernetes-models
//     (the Kubernetes API's OpenAPI definitions), and its TypeScript types to
//     reject fields the kind does not have (the JSON schemas allow any extra
//     field, so a misspelt `replica:` would pass them). Custom resources: the
//     OpenAPI v3 schema of their CRD in every upstream version listed in
//     crds/sources.json (CloudNativePG: each version that docs/operations.md
//     says is supported, which must be the same list), lib/crd.mjs: types,
//     required fields, enumerations, bounds, patterns, fields that do not
//     exist, and fields the CRD marks deprecated or that crds/deprecations.json
//     lists from the release notes (the in-tree barmanObjectStore).
//  2. the project's rules: probes on /readyz and /livez, requests and limits,
//     non-root, read-only root file system, no capabilities, references that
//     resolve (Service, HPA, PDB, NetworkPolicy, Pooler, ScheduledBackup,
//     ObjectStore, PodMonitor, HTTPRoute), configuration keys the service
//     knows, three database instances with continuous, encrypted backup
//     through the Barman Cloud plugin, PgBouncer in session mode, PodMonitors
//     rather than enablePodMonitor, a migration Job that waits long enough,
//     NetworkPolicies that let only the Pooler, the migration Job, the
//     operator and the cluster itself reach PostgreSQL, and an edge that
//     serves HTTPS only, with HSTS and the service's body limit.
//  3. the Dockerfile: nothing pulled but the base image (no `# syntax`
//     frontend, no other image in FROM or --from, no download in RUN or ADD).
//
// Overlays are rendered by a small built-in renderer (lib/render.mjs: the
// kustomize features used here); where kubectl is installed, `kubectl
// kustomize` renders them as well and the two renderings must agree.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import ts from "typescript";
import { CLUSTER_SCOPED, BUILTIN_GROUPS, parseDocs, render, canonical, idOf, top } from "./lib/render.mjs";
import { loadProjections, checkObject, compareVersions } from "./lib/crd.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8sDir = path.join(top, "deploy/kubernetes");
const crdDir = path.join(here, "crds");

// --- the schemas -------------------------------------------------------------

function modelPath(apiVersion, kind) {
  if (BUILTIN_GROUPS.has(apiVersion)) return `kubernetes-models/${apiVersion}/${kind}`;
  return null;
}

const projections = loadProjections(crdDir);
const deprecations = JSON.parse(fs.readFileSync(path.join(crdDir, "deprecations.json"), "utf8"));
const groupOf = (apiVersion) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

// The CRD versions that describe kind in the group of apiVersion.
function crdVersions(apiVersion, kind) {
  return projections.filter((p) => p.kinds[kind]?.group === groupOf(apiVersion));
}

async function schemaErrors(o) {
  if (!o || typeof o.apiVersion !== "string" || typeof o.kind !== "string") return ["apiVersion and kind must be strings"];
  const crds = crdVersions(o.apiVersion, o.kind);
  if (crds.length)
    return crds.flatMap((p) => checkObject(o, p, deprecations).map((e) => `schema: ${p.source} ${p.version}: ${e}`));
  const mp = modelPath(o.apiVersion, o.kind);
  if (!mp) return [`no schema for ${o.kind} in ${o.apiVersion} (add its CRD to crds/sources.json, or the group to validate.mjs)`];
  let mod;
  try {
    mod = await import(mp);
  } catch {
    return [`unknown kind ${o.kind} in ${o.apiVersion}`];
  }
  const Model = mod[o.kind];
  if (!Model) return [`unknown kind ${o.kind} in ${o.apiVersion}`];
  try {
    new Model(o).validate();
    return [];
  } catch (e) {
    return String(e.message).split(/,\s*(?=data)/).map((s) => `schema: ${s}`);
  }
}

// The CloudNativePG versions docs/operations.md says are supported must be
// exactly those whose CRDs are checked (crds/sources.json, one per minor).
function supportedVersionErrors() {
  const checked = projections.filter((p) => p.source === "cloudnative-pg")
    .map((p) => p.version.replace(/^v/, "").split(".").slice(0, 2).join(".")).sort(compareVersions);
  const doc = fs.readFileSync(path.join(top, "docs/operations.md"), "utf8");
  const m = doc.match(/^Supported CloudNativePG versions: (.+)$/m);
  if (!m) return { errors: ["docs/operations.md: no line 'Supported CloudNativePG versions: 1.x, ...'"], checked };
  const stated = [...m[1].matchAll(/\b1\.(\d+)\b/g)].map((x) => `1.${x[1]}`);
  const errors = [];
  for (const v of stated) if (!checked.includes(v)) errors.push(`CloudNativePG ${v}: supported in docs/operations.md but its CRDs are not checked (crds/sources.json, extract-crds.mjs)`);
  for (const v of checked) if (!stated.includes(v)) errors.push(`CloudNativePG ${v}: its CRDs are checked but docs/operations.md does not list it as supported`);
  return { errors, checked };
}

// Unknown fields, through TypeScript's excess property checks on the models' types.
function unknownFieldErrors(items) {
  const dir = fs.mkdtempSync(path.join(here, ".check-"));
  try {
    const lines = [];
    const spans = [];
    items.forEach((it, i) => {
      const mp = modelPath(it.obj.apiVersion, it.obj.kind);
      if (!mp) return;
      lines.push(`import type { I${it.obj.kind} as T${i} } from "${mp}";`);
    });
    items.forEach((it, i) => {
      if (!modelPath(it.obj.apiVersion, it.obj.kind)) return;
      const start = lines.length;
      lines.push(`export const o${i}: T${i} = ${JSON.stringify(it.obj, null, 1)};`.split("\n").join("\n"));
      const end = lines.join("\n").split("\n").length;
      spans.push({ i, start: lines.slice(0, start).join("\n").split("\n").length, end });
    });
    const file = path.join(dir, "check.ts");
    fs.writeFileSync(file, lines.join("\n") + "\n");
    // validate.sh's self-checks mostly change custom resources, which leave
    // this program as it was: the answer for the same program is kept for
    // the run (K8S_TS_CACHE, a directory validate.sh makes and removes)
    const cache = process.env.K8S_TS_CACHE &&
      path.join(process.env.K8S_TS_CACHE, createHash("sha256").update(lines.join("\n")).digest("hex") + ".json");
    if (cache && fs.existsSync(cache)) return new Map(JSON.parse(fs.readFileSync(cache, "utf8")));
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [],
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    });
    const errors = new Map();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0];
      let line = -1;
      if (d.file && d.start !== undefined) line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
      const span = spans.find((s) => line > s.start - 1 && line <= s.end);
      const key = span ? span.i : -1;
      if (!errors.has(key)) errors.set(key, []);
      errors.get(key).push(`fields: ${msg}`);
    }
    if (cache) fs.writeFileSync(cache, JSON.stringify([...errors]));
    return errors;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- the project's rules -------------------------------------------------------

function knownSettings() {
  const src = fs.readFileSync(path.join(top, "src/core/config.c"), "utf8");
  const names = new Set();
  for (const m of src.matchAll(/env(?:_int|_dup)?\("([A-Z0-9_]+)"/g)) names.add(m[1]);
  return names;
}

const matches = (selector, labels) =>
  selector && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function podRules(kind, name, pod, errors, { probes }) {
  const psc = pod.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false) errors.push(`${kind}/${name}: automountServiceAccountToken must be false`);
  if (psc.seccompProfile?.type !== "RuntimeDefault") errors.push(`${kind}/${name}: seccompProfile must be RuntimeDefault`);
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const at = `${kind}/${name} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true) errors.push(`${at}: must run as non-root (runAsNonRoot)`);
    if (sc.runAsUser === 0 || psc.runAsUser === 0) errors.push(`${at}: runAsUser 0`);
    if (sc.readOnlyRootFilesystem !== true) errors.push(`${at}: readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${at}: capabilities must drop ALL`);
    if ((sc.capabilities?.add ?? []).length) errors.push(`${at}: adds capabilities`);
    if (sc.privileged) errors.push(`${at}: privileged`);
    for (const t of ["requests", "limits"])
      for (const r of ["cpu", "memory"])
        if (c.resources?.[t]?.[r] === undefined) errors.push(`${at}: resources.${t}.${r} missing`);
    if (probes) {
      if (c.readinessProbe?.httpGet?.path !== "/readyz") errors.push(`${at}: readinessProbe must be GET /readyz`);
      if (c.livenessProbe?.httpGet?.path !== "/livez") errors.push(`${at}: livenessProbe must be GET /livez`);
    }
    const mounted = new Set((c.volumeMounts ?? []).map((m) => m.name));
    for (const v of mounted)
      if (!(pod.volumes ?? []).some((x) => x.name === v)) errors.push(`${at}: mounts unknown volume ${v}`);
  }
}

function projectRules(objs, { ha, monitoring }) {
  const errors = [];
  const of = (kind) => objs.filter((o) => o.kind === kind);
  const find = (kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
  const settings = knownSettings();

  for (const o of objs) {
    if (!o.metadata?.name) errors.push(`${o.kind}: metadata.name missing`);
    if (!CLUSTER_SCOPED.has(o.kind) && objs.some((n) => n.kind === "Namespace") && !o.metadata?.namespace)
      errors.push(`${o.kind}/${o.metadata?.name}: no namespace although the overlay has one`);
  }

  const deployments = of("Deployment");
  if (deployments.length === 0) errors.push("no Deployment");
  for (const d of deployments) {
    const n = d.metadata.name;
    const pod = d.spec?.template?.spec ?? {};
    if ((d.spec?.replicas ?? 1) < 2) errors.push(`Deployment/${n}: needs two or more replicas`);
    if (d.spec?.strategy?.rollingUpdate?.maxUnavailable !== 0)
      errors.push(`Deployment/${n}: rollingUpdate.maxUnavailable must be 0 (old pods serve until new ones are ready)`);
    if (!matches(d.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels))
      errors.push(`Deployment/${n}: selector does not match the pod labels`);
    podRules("Deployment", n, pod, errors, { probes: true });
    const labels = d.spec?.template?.metadata?.labels;
    const ports = new Set(pod.containers?.flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort])));
    const services = of("Service").filter((s) => matches(s.spec?.selector, labels));
    if (!services.length) errors.push(`Deployment/${n}: no Service selects its pods`);
    for (const s of services)
      for (const p of s.spec.ports ?? [])
        if (!ports.has(p.targetPort ?? p.port)) errors.push(`Service/${s.metadata.name}: targetPort ${p.targetPort} is not a container port`);
    const hpa = of("HorizontalPodAutoscaler").find((h) => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === n);
    if (!hpa) errors.push(`Deployment/${n}: no HorizontalPodAutoscaler`);
    else if ((hpa.spec.minReplicas ?? 1) < 2) errors.push(`HorizontalPodAutoscaler/${hpa.metadata.name}: minReplicas below 2`);
    if (!of("PodDisruptionBudget").some((p) => matches(p.spec?.selector?.matchLabels, labels)))
      errors.push(`Deployment/${n}: no PodDisruptionBudget selects its pods`);
    const np = of("NetworkPolicy").find((p) => matches(p.spec?.podSelector?.matchLabels, labels));
    if (!np) errors.push(`Deployment/${n}: no NetworkPolicy selects its pods`);
    else {
      const types = np.spec.policyTypes ?? [];
      if (!types.includes("Ingress") || !types.includes("Egress")) errors.push(`NetworkPolicy/${np.metadata.name}: must restrict Ingress and Egress`);
      for (const rule of np.spec.ingress ?? [])
        if (!rule.ports?.length || rule.ports.some((p) => !ports.has(p.port)))
          errors.push(`NetworkPolicy/${np.metadata.name}: ingress allowed beyond the API port`);
      for (const rule of np.spec.egress ?? [])
        if (!rule.to?.length || !rule.ports?.length || rule.ports.some((p) => ![5432, 53].includes(p.port)))
          errors.push(`NetworkPolicy/${np.metadata.name}: egress allowed beyond the database and DNS`);
    }
  }
  for (const j of of("Job")) podRules("Job", j.metadata.name, j.spec?.template?.spec ?? {}, errors, { probes: false });
  errors.push(...migrationJobRules(of("Job")));

  // references from the workloads
  for (const w of [...deployments, ...of("Job")]) {
    for (const c of w.spec?.template?.spec?.containers ?? []) {
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef) {
          const cm = find("ConfigMap", e.configMapRef.name);
          if (!cm) errors.push(`${w.kind}/${w.metadata.name}: ConfigMap ${e.configMapRef.name} not found`);
          else for (const k of Object.keys(cm.data ?? {}))
            if (!settings.has(k)) errors.push(`ConfigMap/${cm.metadata.name}: ${k} is not a setting of the service (src/core/config.c)`);
        }
        if (e.secretRef) errors.push(`${w.kind}/${w.metadata.name}: envFrom a whole Secret; name the keys (secretKeyRef)`);
      }
      for (const e of c.env ?? []) {
        if (!settings.has(e.name) && !/^DB_(USER|PASSWORD|OWNER|OWNER_PASSWORD)$/.test(e.name))
          errors.push(`${w.kind}/${w.metadata.name}: env ${e.name} is not a setting of the service`);
        if (/URL$/.test(e.name) && e.value && /:\/\/[^$@]+:[^$@]+@/.test(e.value))
          errors.push(`${w.kind}/${w.metadata.name}: ${e.name} holds a literal password; use a Secret`);
      }
    }
  }

  // the database
  const clusters = of("Cluster");
  if (!clusters.length) errors.push("no CloudNativePG Cluster");
  for (const c of clusters) {
    const n = c.metadata.name;
    if (ha && (c.spec?.instances ?? 1) < 3) errors.push(`Cluster/${n}: needs three instances or more`);
    if (!(c.spec?.imageName ?? "").match(/postgresql:15/)) errors.push(`Cluster/${n}: must run PostgreSQL 15`);
    if (!of("ScheduledBackup").some((b) => b.spec?.cluster?.name === n)) errors.push(`Cluster/${n}: no ScheduledBackup`);
  }
  errors.push(...backupRules(objs, { ha }));
  errors.push(...monitoringRules(objs, { monitoring }));
  errors.push(...databaseNetworkRules(objs));
  errors.push(...edgeRules(objs));
  const poolers = of("Pooler");
  if (!poolers.length) errors.push("no Pooler (PgBouncer) in front of the database");
  for (const p of poolers) {
    if (!find("Cluster", p.spec?.cluster?.name)) errors.push(`Pooler/${p.metadata.name}: cluster ${p.spec?.cluster?.name} not found`);
    if (p.spec?.pgbouncer?.poolMode !== "session")
      errors.push(`Pooler/${p.metadata.name}: poolMode must be session (the service prepares statements per connection)`);
    const hosts = deployments.flatMap((d) => d.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.value ?? "")));
    if (!hosts.some((v) => v.includes(`@${p.metadata.name}:`))) errors.push(`Pooler/${p.metadata.name}: the service does not connect through it`);
  }
  return errors;
}

// --- backups, monitoring, the migration Job, the database's network, the edge ----

const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

// Continuous backup through the Barman Cloud plugin into an encrypted object store.
function backupRules(objs, { ha }) {
  const errors = [];
  const of = (kind) => objs.filter((o) => o.kind === kind);
  for (const c of of("Cluster")) {
    const n = c.metadata.name;
    if (c.spec?.backup?.barmanObjectStore)
      errors.push(`Cluster/${n}: spec.backup.barmanObjectStore is the deprecated in-tree backup (removed in CloudNativePG 1.31); use the Barman Cloud plugin`);
    if (c.spec?.backup?.retentionPolicy)
      errors.push(`Cluster/${n}: spec.backup.retentionPolicy applies to the in-tree backup only; retention belongs on the ObjectStore`);
    for (const e of c.spec?.externalClusters ?? [])
      if (e.barmanObjectStore) errors.push(`Cluster/${n}: externalClusters ${e.name} uses the deprecated in-tree barmanObjectStore; use plugin`);
    const plugin = (c.spec?.plugins ?? []).find((p) => p.name === BARMAN_PLUGIN);
    if (!plugin) { errors.push(`Cluster/${n}: no continuous backup (spec.plugins has no ${BARMAN_PLUGIN})`); continue; }
    if (plugin.enabled === false) errors.push(`Cluster/${n}: the ${BARMAN_PLUGIN} plugin is disabled`);
    if (plugin.isWALArchiver !== true) errors.push(`Cluster/${n}: the ${BARMAN_PLUGIN} plugin must archive the WAL (isWALArchiver: true)`);
    const storeName = plugin.parameters?.barmanObjectName;
    const store = of("ObjectStore").find((s) => s.metadata.name === storeName);
    if (!store) errors.push(`Cluster/${n}: ObjectStore ${storeName} (plugin parameter barmanObjectName) not found`);
    const backups = of("ScheduledBackup").filter((b) => b.spec?.cluster?.name === n);
    for (const b of backups)
      if (b.spec.method !== "plugin" || b.spec.pluginConfiguration?.name !== BARMAN_PLUGIN)
        errors.push(`ScheduledBackup/${b.metadata.name}: must say method: plugin with pluginConfiguration.name ${BARMAN_PLUGIN} (the default method is the deprecated barmanObjectStore)`);
  }
  for (const b of of("ScheduledBackup"))
    if (!of("Cluster").some((c) => c.metadata.name === b.spec?.cluster?.name))
      errors.push(`ScheduledBackup/${b.metadata.name}: cluster ${b.spec?.cluster?.name} not found`);
  for (const s of of("ObjectStore")) {
    const n = s.metadata.name;
    const cfg = s.spec?.configuration ?? {};
    for (const part of ["data", "wal"])
      if (!cfg[part]?.encryption) errors.push(`ObjectStore/${n}: configuration.${part}.encryption must be set (server-side encryption of the ${part === "wal" ? "archived WAL" : "base backups"})`);
    if (!s.spec?.retentionPolicy) errors.push(`ObjectStore/${n}: no retentionPolicy: backups would be kept for ever`);
    if (ha && cfg.endpointURL && !cfg.endpointURL.startsWith("https://")) errors.push(`ObjectStore/${n}: endpointURL must be https`);
    for (const t of ["requests", "limits"])
      for (const r of ["cpu", "memory"])
        if (s.spec?.instanceSidecarConfiguration?.resources?.[t]?.[r] === undefined)
          errors.push(`ObjectStore/${n}: instanceSidecarConfiguration.resources.${t}.${r} missing (the sidecar in every PostgreSQL pod)`);
    if (!of("Cluster").some((c) => (c.spec?.plugins ?? []).some((p) => p.parameters?.barmanObjectName === n)))
      errors.push(`ObjectStore/${n}: no Cluster uses it`);
  }
  return errors;
}

// The pods each PodMonitor scrapes, and every component scraped where there are PodMonitors.
function monitoringRules(objs, { monitoring }) {
  const errors = [];
  const of = (kind) => objs.filter((o) => o.kind === kind);
  for (const o of [...of("Cluster"), ...of("Pooler")])
    if (o.spec?.monitoring?.enablePodMonitor !== undefined)
      errors.push(`${o.kind}/${o.metadata.name}: monitoring.enablePodMonitor is deprecated (CloudNativePG 1.25); write a PodMonitor`);
  const monitors = of("PodMonitor");
  if (!monitoring && !monitors.length) return errors;
  const scraped = (labels, port, pathWanted) => monitors.some((m) => matches(m.spec?.selector?.matchLabels, labels) &&
    (m.spec.podMetricsEndpoints ?? []).some((e) => e.port === port && (!pathWanted || (e.path ?? "/metrics") === pathWanted)));
  for (const c of of("Cluster"))
    if (!scraped({ "cnpg.io/cluster": c.metadata.name, "cnpg.io/podRole": "instance" }, "metrics"))
      errors.push(`Cluster/${c.metadata.name}: no PodMonitor scrapes its instances (port metrics)`);
  for (const p of of("Pooler"))
    if (!scraped({ "cnpg.io/cluster": p.spec?.cluster?.name, "cnpg.io/poolerName": p.metadata.name, "cnpg.io/podRole": "pooler" }, "metrics"))
      errors.push(`Pooler/${p.metadata.name}: no PodMonitor scrapes its pods (port metrics)`);
  for (const d of of("Deployment")) {
    const port = d.spec?.template?.spec?.containers?.[0]?.ports?.[0]?.name;
    if (!scraped(d.spec?.template?.metadata?.labels, port, "/metrics"))
      errors.push(`Deployment/${d.metadata.name}: no PodMonitor scrapes /metrics on its port ${port}`);
  }
  for (const m of monitors) {
    const sel = m.spec?.selector?.matchLabels;
    const pods = [...of("Deployment").map((d) => d.spec?.template?.metadata?.labels),
      ...of("Cluster").map((c) => ({ "cnpg.io/cluster": c.metadata.name, "cnpg.io/podRole": "instance" })),
      ...of("Pooler").map((p) => ({ "cnpg.io/cluster": p.spec?.cluster?.name, "cnpg.io/poolerName": p.metadata.name, "cnpg.io/podRole": "pooler" }))];
    const hits = pods.filter((l) => matches(sel, l)).length;
    if (hits !== 1) errors.push(`PodMonitor/${m.metadata.name}: selects ${hits} kinds of pods; one each (a Pooler's pods carry cnpg.io/cluster too)`);
  }
  return errors;
}

// The migration Job waits for the database as long as a first install takes.
const MIN_MIGRATION_DEADLINE_S = 1800;
function migrationJobRules(jobs) {
  const errors = [];
  const mainC = fs.readFileSync(path.join(top, "src/main.c"), "utf8");
  const migrate = jobs.filter((j) => (j.spec?.template?.spec?.containers ?? []).some((c) =>
    [...(c.command ?? []), ...(c.args ?? [])].join(" ").includes("mam migrate --require-runtime-role")));
  if (!migrate.length) errors.push("no migration Job (a Job running `mam migrate --require-runtime-role`)");
  for (const j of migrate) {
    const n = j.metadata.name;
    const deadline = j.spec?.activeDeadlineSeconds;
    if (!(deadline >= MIN_MIGRATION_DEADLINE_S))
      errors.push(`Job/${n}: activeDeadlineSeconds ${deadline ?? "unset"}: a first install may take longer; ${MIN_MIGRATION_DEADLINE_S} s at least`);
    if (j.spec?.backoffLimit === undefined) errors.push(`Job/${n}: backoffLimit must be stated`);
    for (const c of j.spec.template.spec.containers) {
      const script = [...(c.command ?? []), ...(c.args ?? [])].join("\n");
      if (!script.includes("mam migrate")) continue;
      if (!/\bsleep\b/.test(script) || !/\bwhile\b/.test(script)) errors.push(`Job/${n}: container ${c.name} does not wait and retry`);
      const waitsFor = [...script.matchAll(/\*"([^"]+)"\*/g)].map((m) => m[1]);
      if (!waitsFor.length) errors.push(`Job/${n}: container ${c.name} retries on nothing in particular`);
      for (const msg of waitsFor)
        if (!mainC.includes(msg)) errors.push(`Job/${n}: waits for the message "${msg}", which src/main.c no longer prints`);
    }
  }
  return errors;
}

// Pods the rendering makes, by their labels (the operator's as CloudNativePG sets them).
function knownPods(objs) {
  const of = (kind) => objs.filter((o) => o.kind === kind);
  return [
    ...of("Deployment").map((d) => ({ what: `the API pods (Deployment ${d.metadata.name})`, api: true, labels: d.spec?.template?.metadata?.labels ?? {} })),
    ...of("Job").map((j) => ({ what: `the Job ${j.metadata.name}`, job: true, labels: j.spec?.template?.metadata?.labels ?? {} })),
    ...of("Pooler").map((p) => ({ what: `the Pooler ${p.metadata.name}`, pooler: p.metadata.name, cluster: p.spec?.cluster?.name,
      labels: { "cnpg.io/cluster": p.spec?.cluster?.name, "cnpg.io/poolerName": p.metadata.name, "cnpg.io/podRole": "pooler" } })),
    ...of("Cluster").flatMap((c) => [
      { what: `the instances of ${c.metadata.name}`, cluster: c.metadata.name, own: true,
        labels: { "cnpg.io/cluster": c.metadata.name, "cnpg.io/podRole": "instance", "cnpg.io/instanceName": `${c.metadata.name}-1` } },
      { what: `the join jobs of ${c.metadata.name}`, cluster: c.metadata.name, own: true,
        labels: { "cnpg.io/cluster": c.metadata.name, "cnpg.io/jobRole": "join", "cnpg.io/instanceName": `${c.metadata.name}-2` } },
    ]),
  ];
}

const OPERATOR = { ns: "cnpg-system", labels: { "app.kubernetes.io/name": "cloudnative-pg" } };
const isOperatorPeer = (peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === OPERATOR.ns &&
  matches(peer.podSelector?.matchLabels, OPERATOR.labels);
const portsOf = (rule) => (rule.ports ?? []).map((p) => p.port);

// Only the Pooler, the migration Job, the cluster's own pods and the operator
// reach PostgreSQL; only the API pods reach the Pooler.
function databaseNetworkRules(objs) {
  const errors = [];
  const of = (kind) => objs.filter((o) => o.kind === kind);
  const pods = knownPods(objs);
  const policiesFor = (labels) => of("NetworkPolicy").filter((p) => matches(p.spec?.podSelector?.matchLabels, labels));
  // the pods a peer without namespaceSelector selects, among those known
  const selected = (peer) => pods.filter((p) => matches(peer.podSelector?.matchLabels, p.labels));
  const judgePeers = (np, rule, allowed, what) => {
    if (!rule.from?.length) { errors.push(`NetworkPolicy/${np}: ${what} open to every source (no from)`); return []; }
    const found = [];
    for (const peer of rule.from) {
      if (peer.ipBlock) { errors.push(`NetworkPolicy/${np}: ${what} from an ipBlock`); continue; }
      if (peer.namespaceSelector) {
        if (isOperatorPeer(peer) && allowed.operator) { found.push("operator"); continue; }
        errors.push(`NetworkPolicy/${np}: ${what} from another namespace than the operator's (${JSON.stringify(peer)})`);
        continue;
      }
      if (!peer.podSelector?.matchLabels || !Object.keys(peer.podSelector.matchLabels).length) {
        errors.push(`NetworkPolicy/${np}: ${what} from every pod of the namespace`); continue;
      }
      for (const p of selected(peer)) {
        if (allowed.pod(p)) found.push(p);
        else errors.push(`NetworkPolicy/${np}: ${what} lets in ${p.what}`);
      }
    }
    return found;
  };
  for (const c of of("Cluster")) {
    const n = c.metadata.name;
    const instance = pods.find((p) => p.cluster === n && p.own && p.labels["cnpg.io/podRole"] === "instance");
    const policies = policiesFor(instance.labels);
    if (!policies.length) { errors.push(`Cluster/${n}: no NetworkPolicy selects its instances`); continue; }
    const found = [];
    for (const np of policies) {
      if (!(np.spec.policyTypes ?? []).includes("Ingress")) errors.push(`NetworkPolicy/${np.metadata.name}: must restrict Ingress`);
      for (const rule of np.spec.ingress ?? []) {
        const ports = portsOf(rule);
        if (!ports.length) errors.push(`NetworkPolicy/${np.metadata.name}: an ingress rule without ports`);
        if (ports.includes(5432) || ports.includes(8000)) {
          found.push(...judgePeers(np.metadata.name, rule, {
            operator: true,
            pod: (p) => p.cluster === n || (ports.every((x) => x === 5432) && p.job && p.labels["app.kubernetes.io/component"] === "migrate"),
          }, `PostgreSQL/status port of ${n}`));
        } else {
          // metrics only, from Prometheus's namespace
          if (ports.some((x) => x !== 9187)) errors.push(`NetworkPolicy/${np.metadata.name}: ingress to ports ${ports.join(", ")} of the instances`);
          if (!rule.from?.length || rule.from.some((peer) => !peer.namespaceSelector?.matchLabels))
            errors.push(`NetworkPolicy/${np.metadata.name}: metrics open beyond a named namespace`);
        }
      }
    }
    for (const p of of("Pooler").filter((x) => x.spec?.cluster?.name === n))
      if (!found.some((f) => f.pooler === p.metadata.name)) errors.push(`Cluster/${n}: its NetworkPolicy does not let in the Pooler ${p.metadata.name}`);
    if (!found.some((f) => f.job)) errors.push(`Cluster/${n}: its NetworkPolicy does not let in the migration Job`);
    if (!found.includes("operator")) errors.push(`Cluster/${n}: its NetworkPolicy does not let in the operator (${OPERATOR.ns})`);
  }
  for (const p of of("Pooler")) {
    const mine = pods.find((x) => x.pooler === p.metadata.name);
    const policies = policiesFor(mine.labels);
    if (!policies.length) { errors.push(`Pooler/${p.metadata.name}: no NetworkPolicy selects its pods`); continue; }
    for (const np of policies)
      for (const rule of np.spec.ingress ?? []) {
        const ports = portsOf(rule);
        if (ports.includes(5432)) judgePeers(np.metadata.name, rule, { operator: false, pod: (x) => x.api }, `PgBouncer of ${p.metadata.name}`);
        else if (ports.some((x) => x !== 9127) || !rule.from?.length || rule.from.some((peer) => !peer.namespaceSelector?.matchLabels))
          errors.push(`NetworkPolicy/${np.metadata.name}: ingress to the Pooler beyond PgBouncer and its exporter`);
      }
  }
  // the API pods reach PostgreSQL only through the Pooler
  for (const api of pods.filter((p) => p.api))
    for (const np of policiesFor(api.labels))
      for (const rule of np.spec.egress ?? [])
        if (portsOf(rule).includes(5432))
          for (const peer of rule.to ?? [])
            for (const p of selected(peer))
              if (!p.pooler) errors.push(`NetworkPolicy/${np.metadata.name}: the API pods may reach ${p.what}; only the Pooler`);
  return errors;
}

// MAX_BODY_BYTES from the ConfigMap the Deployment reads.
function maxBodyBytes(objs) {
  for (const cm of objs.filter((o) => o.kind === "ConfigMap"))
    if (cm.data?.MAX_BODY_BYTES) return Number(cm.data.MAX_BODY_BYTES);
  return undefined;
}
const nginxSize = (s) => {
  const m = /^(\d+)([kmg]?)$/i.exec(String(s));
  return m ? Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] : NaN;
};

// The public edge (Gateway API): HTTPS only, HSTS, the service's body limit.
function edgeRules(objs) {
  const errors = [];
  const of = (kind) => objs.filter((o) => o.kind === kind);
  if (of("Ingress").length) errors.push("an Ingress: the edge is a Gateway API Gateway (examples/gateway-api)");
  for (const g of of("Gateway")) {
    for (const l of g.spec?.listeners ?? []) {
      if (l.protocol !== "HTTPS") errors.push(`Gateway/${g.metadata.name}: listener ${l.name} is ${l.protocol}; HTTPS only, no plain HTTP`);
      if ((l.tls?.mode ?? "Terminate") !== "Terminate" || !l.tls?.certificateRefs?.length)
        errors.push(`Gateway/${g.metadata.name}: listener ${l.name} must terminate TLS with a certificate`);
      if ((l.allowedRoutes?.namespaces?.from ?? "Same") !== "Same") errors.push(`Gateway/${g.metadata.name}: listener ${l.name} takes routes from other namespaces`);
    }
  }
  const limit = maxBodyBytes(objs);
  for (const r of of("HTTPRoute")) {
    const n = r.metadata.name;
    for (const ref of r.spec?.parentRefs ?? []) {
      const g = of("Gateway").find((x) => x.metadata.name === ref.name);
      if (!g) errors.push(`HTTPRoute/${n}: Gateway ${ref.name} not found`);
      else if (!ref.sectionName || !(g.spec.listeners ?? []).some((l) => l.name === ref.sectionName))
        errors.push(`HTTPRoute/${n}: must attach to a named HTTPS listener of ${ref.name} (sectionName)`);
    }
    for (const [i, rule] of (r.spec?.rules ?? []).entries()) {
      const hsts = (rule.filters ?? []).filter((f) => f.type === "ResponseHeaderModifier")
        .flatMap((f) => [...(f.responseHeaderModifier?.set ?? []), ...(f.responseHeaderModifier?.add ?? [])])
        .find((h) => h.name.toLowerCase() === "strict-transport-security");
      const age = Number(/max-age=(\d+)/.exec(hsts?.value ?? "")?.[1] ?? 0);
      if (age < 31536000) errors.push(`HTTPRoute/${n}: rule ${i} does not set Strict-Transport-Security with max-age of a year or more`);
      for (const b of rule.backendRefs ?? []) {
        const svc = of("Service").find((s) => s.metadata.name === b.name);
        if (!svc) errors.push(`HTTPRoute/${n}: Service ${b.name} not found`);
        else if (!(svc.spec.ports ?? []).some((p) => p.port === b.port)) errors.push(`HTTPRoute/${n}: Service ${b.name} has no port ${b.port}`);
      }
    }
    const policies = of("ClientSettingsPolicy").filter((p) => p.spec?.targetRef?.name === n && p.spec.targetRef.kind === "HTTPRoute");
    if (!policies.length) errors.push(`HTTPRoute/${n}: no body-size limit (ClientSettingsPolicy)`);
    for (const p of policies)
      if (nginxSize(p.spec?.body?.maxSize) !== limit)
        errors.push(`ClientSettingsPolicy/${p.metadata.name}: body.maxSize ${p.spec?.body?.maxSize} is not MAX_BODY_BYTES (${limit})`);
  }
  return errors;
}

// --- the Dockerfile -------------------------------------------------------------

const BASE_IMAGE = "debian:bookworm-slim";

// Nothing pulled at build time but the base image (and Debian's packages).
function dockerfileErrors(file) {
  const errors = [];
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split("\n");
  // parser directives are the comments before anything else
  for (const l of lines) {
    if (!/^\s*#/.test(l)) break;
    if (/^\s*#\s*syntax\s*=/i.test(l)) errors.push(`${l.trim()}: a frontend image pulled from a registry at build time`);
  }
  const stages = new Set();
  const logical = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const l of logical) {
    const [word, ...rest] = l.split(/\s+/);
    const args = rest.filter((a) => !a.startsWith("--"));
    const flags = rest.filter((a) => a.startsWith("--"));
    switch (word.toUpperCase()) {
      case "FROM": {
        const image = args[0];
        if (image !== BASE_IMAGE && !stages.has(image)) errors.push(`FROM ${image}: an image other than the base (${BASE_IMAGE})`);
        if (args[1]?.toUpperCase() === "AS") stages.add(args[2]);
        break;
      }
      case "COPY": case "ADD": case "RUN":
        for (const f of flags) {
          const from = /--(?:from|mount=.*\bfrom)=([^,\s]+)/.exec(f)?.[1];
          if (from && !stages.has(from)) errors.push(`${word} ${f}: copies from an image, not a stage`);
        }
        if (word.toUpperCase() === "ADD" && args.some((a) => /^(https?|git)[:@]/.test(a))) errors.push(`${l}: downloads at build time`);
        if (word.toUpperCase() === "RUN" && /\b(curl|wget|git\s+clone|pip3?\s+install|npm\s+(install|ci))\b/.test(l))
          errors.push(`${l.slice(0, 80)}: downloads from outside Debian's archive at build time`);
        break;
      default:
        break;
    }
  }
  return errors;
}

// --- running -------------------------------------------------------------------

async function check(label, items, opts) {
  let failed = 0;
  const fieldErrors = unknownFieldErrors(items);
  for (const [i, it] of items.entries()) {
    const o = it.obj;
    const errs = [...await schemaErrors(o), ...(fieldErrors.get(i) ?? [])];
    for (const e of errs) console.error(`FAIL ${label}: ${o.kind}/${o.metadata?.name} (${it.source}): ${e}`);
    if (errs.length) failed++;
  }
  for (const e of fieldErrors.get(-1) ?? []) { console.error(`FAIL ${label}: ${e}`); failed++; }
  const rules = projectRules(items.map((it) => it.obj), opts);
  for (const e of rules) console.error(`FAIL ${label}: rule: ${e}`);
  console.log(`${label}: ${items.length} manifests, ${failed} failing the schemas, ${rules.length} rule violations`);
  return { count: items.length, bad: failed + rules.length };
}

function kubectlRender(dir) {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
  } catch {
    return null;
  }
  return parseDocs(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" }), `kubectl kustomize ${dir}`);
}

async function main() {
  const args = process.argv.slice(2);
  let total = 0, bad = 0;
  if (args[0] === "--render") {
    process.stdout.write(render(path.resolve(args[1])).map((it) => YAML.stringify(it.obj)).join("---\n"));
    return;
  }
  if (args[0] === "--dockerfile") {
    const errors = dockerfileErrors(path.resolve(args[1]));
    for (const e of errors) console.error(`FAIL Dockerfile: ${e}`);
    process.exit(errors.length ? 1 : 0);
  }
  if (args[0] === "-") {
    const items = parseDocs(fs.readFileSync(0, "utf8"), "stdin");
    if (!items.length) { console.error("FAIL stdin: no manifests"); process.exit(1); }
    const dev = args.includes("--dev");
    const r = await check("stdin", items, { ha: !dev, monitoring: !dev });
    process.exit(r.bad ? 1 : 0);
  }
  // ha: three database instances and the production rules; monitoring:
  // PodMonitors must cover the database, the Pooler and the API
  const targets = [
    { dir: "base", ha: true, monitoring: false },
    { dir: "overlays/development", ha: false, monitoring: false },
    { dir: "overlays/production", ha: true, monitoring: true },
    { dir: "examples/gateway-api", ha: true, monitoring: true },
  ];
  const supported = supportedVersionErrors();
  for (const e of supported.errors) { console.error(`FAIL ${e}`); bad++; }
  console.log(`CloudNativePG versions whose CRDs are checked: ${supported.checked.join(", ")}; ` +
    `other CRDs: ${projections.filter((p) => p.source !== "cloudnative-pg").map((p) => `${p.source} ${p.version}`).join(", ")}`);
  const docker = dockerfileErrors(path.join(top, "Dockerfile"));
  for (const e of docker) { console.error(`FAIL Dockerfile: ${e}`); bad++; }
  if (!docker.length) console.log(`Dockerfile: pulls nothing but ${BASE_IMAGE}`);
  for (const t of targets) {
    const dir = path.join(k8sDir, t.dir);
    let items;
    try {
      items = render(dir);
    } catch (e) {
      console.error(`FAIL ${t.dir}: ${e.message}`);
      bad++;
      continue;
    }
    const r = await check(t.dir, items, t);
    total += r.count;
    bad += r.bad;
    const theirs = kubectlRender(dir);
    if (theirs) {
      const a = new Map(items.map((it) => [idOf(it.obj), JSON.stringify(canonical(it.obj))]));
      const b = new Map(theirs.map((it) => [idOf(it.obj), JSON.stringify(canonical(it.obj))]));
      const diff = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
      for (const k of diff) console.error(`FAIL ${t.dir}: rendered differently by kubectl kustomize: ${k}`);
      if (diff.length) bad++;
      else console.log(`${t.dir}: kubectl kustomize renders the same ${b.size} manifests`);
    } else if (t.dir !== "base") {
      console.log(`${t.dir}: kubectl not installed; rendered by the built-in renderer only`);
    }
  }
  // every YAML file under deploy/kubernetes must have been read by some target
  const files = execFileSync("find", [k8sDir, "-name", "*.yaml"], { encoding: "utf8" }).trim().split("\n");
  for (const f of files) {
    const rel = path.relative(k8sDir, f);
    const dirOf = path.dirname(rel);
    const k = path.join(k8sDir, dirOf.startsWith("base") ? "base" : dirOf, "kustomization.yaml");
    if (path.basename(f) === "kustomization.yaml") continue;
    const listed = fs.existsSync(k) && (fs.readFileSync(k, "utf8").includes(path.relative(path.dirname(k), f)));
    if (!listed) { console.error(`FAIL ${rel}: not part of any kustomization, so never validated`); bad++; }
  }
  console.log(`validated ${total} manifests (${targets.length} renderings of ${files.length} files); ${bad ? "FAILED" : "all valid"}`);
  process.exit(bad ? 1 : 0);
}

main().catch((e) => { console.error(`FAIL: ${e.stack ?? e}`); process.exit(1); });
