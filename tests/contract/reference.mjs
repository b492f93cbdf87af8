// The HTML reference of the contract, built offline (make test, the image):
// Redocly's build-docs renders openapi.yaml, and the Redoc script it would
// load from a CDN is inlined from the pinned npm package instead, so the
// page needs nothing from outside. Every problem type of the contract
// (ProblemType) must have its section, `section/Problem-types/<name>`, the
// anchor GET /problems/<name> redirects to.
// Usage: node reference.mjs --spec openapi.yaml --out reference.html
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const scratch = mkdtempSync(join(tmpdir(), "mam-reference-"));
const built = join(scratch, "reference.html");
execFileSync(join(here, "node_modules/.bin/redocly"),
  ["build-docs", resolve(args.spec), "--output", built, "--disableGoogleFont", "--title", "MAM API reference",
   "--lint-config", "off"],
  { stdio: ["ignore", "ignore", "inherit"], cwd: join(here, "../.."), env: { ...process.env, REDOCLY_TELEMETRY: "off" } });
let html = readFileSync(built, "utf8");
rmSync(scratch, { recursive: true, force: true });

const redoc = readFileSync(join(here, "node_modules/redoc/bundles/redoc.standalone.js"), "utf8")
  .replace(/<\/script/gi, "<\\/script");
const cdn = /<script src="https:\/\/cdn\.redocly\.com\/[^"]+"><\/script>/;
if (!cdn.test(html)) throw new Error("reference: the Redoc script tag was not found");
html = html.replace(cdn, () => `<script>${redoc}</script>`);
if (/<script[^>]*\ssrc="https?:|<link[^>]*\shref="https?:|@import\s+url\(["']?https?:/i.test(html))
  throw new Error("reference: something is still loaded from outside");

const spec = parse(readFileSync(args.spec, "utf8"));
const types = spec.components.schemas.ProblemType.enum.map((t) => t.replace("/problems/", ""));
const missing = types.filter((t) => !html.includes(`id="section/Problem-types/${t}"`));
if (missing.length) throw new Error(`reference: no section for the problem types ${missing.join(", ")}`);
writeFileSync(args.out, html);
console.log(`reference: ${args.out} (${Math.round(html.length / 1024)} KiB, nothing loaded from outside); ${types.length} problem types, each with its section`);
