// Contract checks for `make test` (INT-3):
//   1. the routes the service registers and the operations in openapi.yaml
//      are the same set;
//   2. every response the API tests received matches what openapi.yaml
//      documents for its operation and status: content type, body schema
//      and required headers.
// Usage: node check.mjs --spec openapi.yaml --routes routes.txt --responses responses.jsonl
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const spec = parse(readFileSync(args.spec, "utf8"));
const methods = ["get", "put", "post", "delete", "patch", "head", "options"];
let failures = 0;
const fail = (msg) => {
  failures++;
  if (failures <= 50) console.error(`contract: ${msg}`);
};

// --- 1. routes ---
const specRoutes = new Set();
for (const [path, item] of Object.entries(spec.paths ?? {}))
  for (const m of methods) if (item[m]) specRoutes.add(`${m.toUpperCase()} ${path}`);
const codeRoutes = new Set(
  readFileSync(args.routes, "utf8").split("\n").map((l) => l.trim()).filter(Boolean),
);
for (const r of codeRoutes) if (!specRoutes.has(r)) fail(`route ${r} is served but not in openapi.yaml`);
for (const r of specRoutes) if (!codeRoutes.has(r)) fail(`operation ${r} is in openapi.yaml but not served`);
console.log(`contract: ${codeRoutes.size} routes served, ${specRoutes.size} operations documented`);

// --- 2. responses ---
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(spec, "openapi.json");

const pointer = (parts) => "#/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
const deref = (obj, parts) => {
  while (obj && obj.$ref) {
    const ref = obj.$ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    parts = ref;
    obj = ref.reduce((o, k) => o?.[k], spec);
  }
  return [obj, parts];
};

// static segments win over parameters, as in the service's router
const templates = Object.keys(spec.paths ?? {})
  .sort((a, b) => (a.match(/\{/g) ?? []).length - (b.match(/\{/g) ?? []).length)
  .map((t) => ({
    template: t,
    regex: new RegExp("^" + t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "/?$"),
  }));
const findTemplate = (path) => templates.find((t) => t.regex.test(path))?.template;

const validators = new Map();
const validatorFor = (ref) => {
  if (!validators.has(ref)) validators.set(ref, ajv.compile({ $ref: `openapi.json${ref}` }));
  return validators.get(ref);
};

const problemRef = spec.components?.schemas?.Problem ? "#/components/schemas/Problem" : null;
const seen = new Map();
let checked = 0;
const timed = []; // [seconds, where] of every answer, for the timing line
const lines = readFileSync(args.responses, "utf8").split("\n").filter(Boolean);
for (const line of lines) {
  const r = JSON.parse(line);
  const template = findTemplate(r.path);
  const op = template ? spec.paths[template][r.method.toLowerCase()] : undefined;
  const where = `${r.method} ${template ?? r.path} -> ${r.status}`;
  checked++;
  if (typeof r.seconds === "number") timed.push([r.seconds, where]);
  if (!op && r.method === "OPTIONS" && template) {
    // CORS preflights (openapi.yaml, "Browsers"): 204 without a body, or a
    // problem (403 another origin, 405 not a preflight)
    if (r.status === 204) {
      if (r.body !== undefined || (r.text ?? "") !== "") fail(`${where}: a preflight answer has no body`);
    } else if (![403, 404, 405].includes(r.status)) fail(`${where}: not a documented preflight answer`);
    else if (problemRef && !validatorFor(problemRef)(r.body)) fail(`${where}: problem body does not match Problem`);
    continue;
  }
  if (!op) {
    // unknown routes and methods: the default endpoint answers a problem
    if (![404, 405].includes(r.status)) fail(`${where}: no operation documents this request`);
    else if (problemRef && r.body && !validatorFor(problemRef)(r.body)) fail(`${where}: problem body does not match Problem`);
    continue;
  }
  const responses = op.responses ?? {};
  let key = String(r.status);
  if (!responses[key]) key = `${String(r.status)[0]}XX`;
  if (!responses[key]) key = "default";
  if (!responses[key]) {
    fail(`${where}: status ${r.status} is not documented`);
    continue;
  }
  const opPath = ["paths", template, r.method.toLowerCase(), "responses", key];
  const [response, responseParts] = deref(responses[key], opPath);
  seen.set(`${where}`, true);
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const [h] = deref(header, []);
    const got = Object.keys(r.headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
    if (h?.required && !got && ["ETag", "Location", "X-Request-Id", "Allow", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed", "Cache-Control"].includes(name))
      fail(`${where}: required header ${name} missing`);
  }
  const content = response.content ?? {};
  const mediaTypes = Object.keys(content);
  const contentType = (r.content_type ?? "").split(";")[0].trim();
  if (mediaTypes.length === 0) {
    if (r.body !== undefined || (r.text ?? "") !== "") fail(`${where}: body sent but none documented`);
    continue;
  }
  if (!content[contentType]) {
    fail(`${where}: content type ${contentType || "(none)"} not documented (${mediaTypes.join(", ")})`);
    continue;
  }
  const schemaParts = [...responseParts, "content", contentType, "schema"];
  if (!content[contentType].schema) continue;
  if (r.body === undefined) {
    if (contentType.includes("json")) fail(`${where}: body is not JSON`);
    continue;
  }
  const validate = validatorFor(pointer(schemaParts));
  if (!validate(r.body)) {
    const errors = validate.errors.slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`);
    fail(`${where}: body does not match the schema: ${errors.join("; ")}`);
  }
}
console.log(`contract: ${checked} responses checked against openapi.yaml (${seen.size} operation/status pairs)`);
// How close the API tests came to their time margins (a meeting held three
// seconds after it is scheduled, for one): the slowest answer and the 99th
// percentile, as the test client measured them under the parallel run.
if (timed.length) {
  timed.sort((a, b) => a[0] - b[0]);
  const [slowest, where] = timed[timed.length - 1];
  const p99 = timed[Math.floor(0.99 * (timed.length - 1))][0];
  console.log(`contract: answers took ${p99.toFixed(3)} s at the 99th percentile; the slowest, ${slowest.toFixed(3)} s, was ${where}`);
}
if (failures) {
  console.error(`contract: ${failures} problem(s)`);
  process.exit(1);
}
