// Renders a kustomization the way `kubectl kustomize` does, for the features
// deploy/kubernetes uses (resources, namespace, labels, images, strategic-merge
// patches). Shared by validate.mjs and extract-crds.mjs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
export const top = path.resolve(here, "../../..");

export const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding",
  "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass"]);
export const BUILTIN_GROUPS = new Set(["v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1",
  "networking.k8s.io/v1"]);
// strategic-merge keys of the built-in lists that patches here touch
const MERGE_KEYS = { containers: "name", initContainers: "name", env: "name", volumes: "name",
  volumeMounts: "mountPath", ports: "containerPort" };

export function parseDocs(text, source) {
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

export function render(dir) {
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

export function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
export const idOf = (o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
