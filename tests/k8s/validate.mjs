// Validates the Kubernetes manifests of deploy/kubernetes (tests/k8s/validate.sh).
//
//   node validate.mjs                 the base and both overlays, rendered
//   node validate.mjs - [--dev]       the manifests on standard input (a stream
//                                     of YAML documents, e.g. a rendered overlay)
//   node validate.mjs --render DIR    print the built-in rendering of a kustomization
//
// Each object goes through three checks, and any failure makes the exit
// status 1:
//  1. schema: the JSON schema of its kind, from kubernetes-models (the
//     Kubernetes API's OpenAPI definitions) or @kubernetes-models/cloudnative-pg
//     (CloudNativePG's CRDs): types, required fields, enumerations, formats.
//  2. unknown fields: those schemas allow any extra field, so a misspelt one
//     (`replica:`) would pass; the same packages' TypeScript types are used
//     to reject fields that the kind does not have (excess property checks).
//  3. the project's rules: probes on /readyz and /livez, requests and limits,
//     non-root, read-only root file system, no capabilities, references that
//     resolve (Service, HPA, PDB, NetworkPolicy, Pooler, ScheduledBackup),
//     configuration keys the service knows, three database instances with
//     continuous backup, PgBouncer in session mode.
//
// Overlays are rendered by a small built-in renderer (the kustomize features
// used here: resources, namespace, labels, images, strategic-merge patches);
// where kubectl is installed, `kubectl kustomize` renders them as well and
// the two renderings must agree.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, "../..");
const k8sDir = path.join(top, "deploy/kubernetes");

// --- rendering ---------------------------------------------------------------

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding",
  "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass"]);
const BUILTIN_GROUPS = new Set(["v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1",
  "networking.k8s.io/v1"]);
// strategic-merge keys of the built-in lists that patches here touch
const MERGE_KEYS = { containers: "name", initContainers: "name", env: "name", volumes: "name",
  volumeMounts: "mountPath", ports: "containerPort" };

function parseDocs(text, source) {
  const docs = YAML.parseAllDocuments(text);
  const out = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`${source}: ${d.errors[0].message}`);
    const v = d.toJS();
    if (v !== null && v !== undefined) out.push({ obj: v, source });
  }
  return out;
}

function merge(base, patch, builtin, key) {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const mk = builtin ? MERGE_KEYS[key] : undefined;
    if (!mk || !Array.isArray(base)) return structuredClone(patch);
    const out = base.map((x) => structuredClone(x));
    for (const p of patch) {
      const i = out.findIndex((x) => x && p && x[mk] === p[mk]);
      if (i >= 0) out[i] = merge(out[i], p, builtin, undefined);
      else out.push(structuredClone(p));
    }
    return out;
  }
  if (typeof patch === "object") {
    const out = base && typeof base === "object" && !Array.isArray(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(patch)) {
      const m = merge(out[k], v, builtin, k);
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  return patch;
}

function imageName(ref) {
  const at = ref.indexOf("@");
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

function setImages(node, images) {
  if (Array.isArray(node)) return node.forEach((n) => setImages(n, images));
  if (!node || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === "containers" || k === "initContainers") && Array.isArray(v)) {
      for (const c of v) {
        const img = images.find((i) => c && typeof c.image === "string" && imageName(c.image) === i.name);
        if (!img) continue;
        let ref = img.newName ?? img.name;
        if (img.digest) ref += "@" + img.digest;
        else if (img.newTag) ref += ":" + img.newTag;
        c.image = ref;
      }
    }
    setImages(v, images);
  }
}

const KUSTOMIZATION_KEYS = new Set(["apiVersion", "kind", "resources", "namespace", "images",
  "patches", "labels"]);

function render(dir) {
  const kfile = path.join(dir, "kustomization.yaml");
  const k = YAML.parse(fs.readFileSync(kfile, "utf8"));
  for (const key of Object.keys(k))
    if (!KUSTOMIZATION_KEYS.has(key))
      throw new Error(`${kfile}: '${key}' is not supported by this renderer (add it to validate.mjs)`);
  let objs = [];
  for (const r of k.resources ?? []) {
    const p = path.join(dir, r);
    if (fs.statSync(p).isDirectory()) objs.push(...render(p));
    else objs.push(...parseDocs(fs.readFileSync(p, "utf8"), path.relative(top, p)));
  }
  for (const p of k.patches ?? []) {
    if (!p.path || p.target || p.patch)
      throw new Error(`${kfile}: only 'patches: - path: FILE' (strategic merge) is supported`);
    const file = path.join(dir, p.path);
    for (const { obj: patch } of parseDocs(fs.readFileSync(file, "utf8"), file)) {
      const t = objs.find((o) => o.obj.kind === patch.kind && o.obj.metadata?.name === patch.metadata?.name
        && o.obj.apiVersion === patch.apiVersion);
      if (!t) throw new Error(`${path.relative(top, file)}: no ${patch.kind}/${patch.metadata?.name} to patch`);
      t.obj = merge(t.obj, patch, BUILTIN_GROUPS.has(patch.apiVersion), undefined);
      t.source += ` + ${path.relative(top, file)}`;
    }
  }
  for (const l of k.labels ?? []) {
    if (l.includeSelectors || l.includeTemplates)
      throw new Error(`${kfile}: labels with includeSelectors/includeTemplates are not supported`);
    for (const o of objs) o.obj.metadata = { ...o.obj.metadata, labels: { ...o.obj.metadata?.labels, ...l.pairs } };
  }
  if (k.namespace)
    for (const o of objs) if (!CLUSTER_SCOPED.has(o.obj.kind)) o.obj.metadata.namespace = k.namespace;
  if (k.images) for (const o of objs) setImages(o.obj, k.images);
  return objs;
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
const idOf = (o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

// --- the models --------------------------------------------------------------

function modelPath(apiVersion, kind) {
  if (apiVersion === "postgresql.cnpg.io/v1") return `@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/${kind}`;
  if (BUILTIN_GROUPS.has(apiVersion)) return `kubernetes-models/${apiVersion}/${kind}`;
  return null;
}

async function schemaErrors(o) {
  const mp = modelPath(o.apiVersion, o.kind);
  if (!mp) return [`no schema for apiVersion ${o.apiVersion} (add it to validate.mjs)`];
  let mod;
  try {
    mod = await import(mp);
  } catch {
    return [`unknown kind ${o.kind} in ${o.apiVersion}`];
  }
  const Model = mod[o.kind];
  try {
    new Model(o).validate();
    return [];
  } catch (e) {
    return String(e.message).split(/,\s*(?=data)/).map((s) => `schema: ${s}`);
  }
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

function projectRules(objs, { ha }) {
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
  if (!of("Job").some((j) => j.spec?.template?.spec?.containers?.some((c) => (c.args ?? c.command ?? []).includes("migrate"))))
    errors.push("no migration Job (a Job running `mam migrate`)");

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
    if (!c.spec?.backup?.barmanObjectStore && !c.spec?.plugins?.length) errors.push(`Cluster/${n}: no continuous backup configured`);
    if (!(c.spec?.imageName ?? "").match(/postgresql:15/)) errors.push(`Cluster/${n}: must run PostgreSQL 15`);
    if (!of("ScheduledBackup").some((b) => b.spec?.cluster?.name === n)) errors.push(`Cluster/${n}: no ScheduledBackup`);
  }
  for (const b of of("ScheduledBackup"))
    if (!find("Cluster", b.spec?.cluster?.name)) errors.push(`ScheduledBackup/${b.metadata.name}: cluster ${b.spec?.cluster?.name} not found`);
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
  if (args[0] === "-") {
    const items = parseDocs(fs.readFileSync(0, "utf8"), "stdin");
    if (!items.length) { console.error("FAIL stdin: no manifests"); process.exit(1); }
    const r = await check("stdin", items, { ha: !args.includes("--dev") });
    process.exit(r.bad ? 1 : 0);
  }
  const targets = [
    { dir: "base", ha: true },
    { dir: "overlays/development", ha: false },
    { dir: "overlays/production", ha: true },
  ];
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
