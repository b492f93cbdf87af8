// Draws the contract's examples from real exchanges: for every operation of
// openapi.yaml without one, the JSON body of a request the API tests sent
// that succeeded, and of each documented success answer the service gave
// (tests/support/client.c records both in MAM_RESPONSES_LOG). The data is
// the tests' fictional data; long lists are cut to two items, and secrets
// shown once are replaced by fixed ones. A maintainer's tool, run after a
// test run kept its exchanges (TEST_KEEP_RESPONSES=<file> make test):
//   node tests/contract/examples.mjs --spec openapi.yaml --responses <file>
// It rewrites openapi.yaml in place; review the diff.
import { readFileSync, writeFileSync } from "node:fs";
import { parseDocument, parse } from "yaml";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const text = readFileSync(args.spec, "utf8");
const doc = parseDocument(text);
const spec = parse(text);
const methods = ["get", "put", "post", "delete", "patch"];
const templates = Object.keys(spec.paths)
  .sort((a, b) => (a.match(/\{/g) ?? []).length - (b.match(/\{/g) ?? []).length)
  .map((t) => ({ t, re: new RegExp("^" + t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "/?$") }));
const templateOf = (path) => templates.find((x) => x.re.test(path))?.t;

const trim = (v, depth = 0) => {
  if (Array.isArray(v)) return v.slice(0, 2).map((x) => trim(x, depth + 1));
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "secret" && typeof x === "string") o[k] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwJ3vT8bC1xKg=";
      else if (k === "token" && typeof x === "string" && x.startsWith("mamcal_")) o[k] = "mamcal_4fQm3Zp1x9YtWc8rKd2LhVb7NsEa6GuJo0TiRyMqXkA";
      else if (k === "feed_url" && typeof x === "string") o[k] = "https://mam.example-partnership.invalid/v1/calendar-feeds/mamcal_4fQm3Zp1x9YtWc8rKd2LhVb7NsEa6GuJo0TiRyMqXkA";
      else o[k] = trim(x, depth + 1);
    }
    return o;
  }
  return v;
};

const requests = new Map(); // "post /v1/x" -> body
const answers = new Map();  // "post /v1/x 201" -> body
for (const line of readFileSync(args.responses, "utf8").split("\n")) {
  if (!line) continue;
  const r = JSON.parse(line);
  const t = templateOf(r.path);
  if (!t) continue;
  const key = `${r.method.toLowerCase()} ${t}`;
  if (r.status >= 200 && r.status < 300) {
    if (r.request && !requests.has(key)) requests.set(key, r.request);
    if (r.body !== undefined && !answers.has(`${key} ${r.status}`)) answers.set(`${key} ${r.status}`, r.body);
  }
}

let added = 0;
for (const [path, item] of Object.entries(spec.paths)) {
  for (const m of methods) {
    const op = item[m];
    if (!op) continue;
    const key = `${m} ${path}`;
    const media = op.requestBody?.content?.["application/json"];
    if (media && !media.example && !media.examples && requests.has(key)) {
      doc.setIn(["paths", path, m, "requestBody", "content", "application/json", "examples"],
                doc.createNode({ recorded: { summary: "As the API tests sent it", value: trim(requests.get(key)) } }));
      added++;
    }
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      if (!/^2/.test(status) || response.$ref) continue;
      for (const ct of Object.keys(response.content ?? {})) {
        if (!/json/.test(ct)) continue;
        const c = response.content[ct];
        if (c.example || c.examples || !answers.has(`${key} ${status}`)) continue;
        doc.setIn(["paths", path, m, "responses", status, "content", ct, "examples"],
                  doc.createNode({ recorded: { summary: "As the service answered the API tests", value: trim(answers.get(`${key} ${status}`)) } }));
        added++;
      }
    }
  }
}
writeFileSync(args.spec, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
const ops = Object.values(spec.paths).flatMap((i) => methods.filter((m) => i[m]));
console.log(`examples: ${added} added to ${args.spec} (${ops.length} operations)`);
