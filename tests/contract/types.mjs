// A client generated from the contract is typed (make test): openapi.yaml
// is turned into TypeScript with openapi-typescript (pinned in
// package-lock.json), the way an integrator would, and any `unknown` in a
// request or response body, or in a schema they use, fails the run. (The
// open map of response headers that openapi-typescript always writes,
// `[name: string]: unknown`, is not a body.) The types are also written to
// --out when given, for a look.
// Usage: node types.mjs --spec openapi.yaml [--out api.d.ts]
import { readFileSync, writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const ast = await openapiTS(new URL(`file://${process.cwd()}/${args.spec}`), { alphabetize: false });
const text = astToString(ast);
if (args.out) writeFileSync(args.out, text);

// Walk the text keeping the path of enclosing members, so each `unknown`
// is reported where it is.
// comments say "unknown" in words, and string literals may hold it
// ("/problems/outcome-unknown"); only the types count
const code = text
  .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
  .replace(/"(?:[^"\\\n]|\\.)*"(?!\??:)/g, (s) => `"${"x".repeat(s.length - 2)}"`);
const lines = code.split("\n");
const path = [];
const problems = [];
for (const [n, line] of lines.entries()) {
  const open = line.match(/^\s*(?:"([^"]+)"|([A-Za-z0-9_$]+))\??:\s*\{\s*$/);
  if (/\bunknown\b/.test(line) && !/\[name: string\]: unknown/.test(line))
    problems.push(`${[...path, (line.match(/^\s*"?([^":?]+)"?\??:/) ?? [])[1] ?? "?"].join(".")} (line ${n + 1}): ${line.trim()}`);
  if (open) path.push(open[1] ?? open[2]);
  else if (/\{\s*$/.test(line)) path.push("{");
  const closes = (line.match(/^\s*\}/) ? 1 : 0);
  if (closes && path.length) path.pop();
}
const declared = (code.match(/\bunknown\b/g) ?? []).length;
console.log(`types: ${lines.length} lines of TypeScript from ${args.spec}; ${problems.length} unknown in bodies and schemas (${declared} in all, the rest header maps)`);
for (const p of problems.slice(0, 60)) console.error(`types: unknown at ${p}`);
if (problems.length) process.exit(1);
