// A browser front end on another origin (CORS): Debian's headless Chromium,
// driven by playwright-core, loads a page from one loopback origin that
// calls the API on another with a bearer token, through the preflight, and
// reads the headers the API exposes (ETag, Location, X-Request-Id); a page
// from an origin not in CORS_ALLOWED_ORIGINS gets nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { startMam, stopMam, call, freePort } from "./lib/mam.mjs";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// The page: one script that calls the API as a single-page application does.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>front end</title></head><body>
<script>
window.callApi = async (api, token) => {
  const auth = { Authorization: "Bearer " + token };
  try {
    const created = await fetch(api + "/v1/meetings", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json", "X-Request-Id": "browser-create-1",
                 "Idempotency-Key": "browser-" + Math.random().toString(16).slice(2) },
      body: JSON.stringify({ type: "professionals", title: "Planning for a fictional family",
        purpose: "Agree how agencies will work together", criteria: ["drift_no_improved_outcomes"],
        rationale: "Progress has stalled across agencies",
        children: [{ name: "Alex Example", date_of_birth: "2015-06-01" }], no_other_children: true }),
    });
    const meeting = await created.json();
    const read = await fetch(api + "/v1/meetings/" + meeting.id, { headers: auth });
    const etag = read.headers.get("ETag");
    const changed = await fetch(api + "/v1/meetings/" + meeting.id, {
      method: "PATCH", headers: { ...auth, "Content-Type": "application/json", "If-Match": etag },
      body: JSON.stringify({ title: "Planning for a fictional family, revised" }),
    });
    return { created: created.status, location: created.headers.get("Location"),
             createdRequestId: created.headers.get("X-Request-Id"), read: read.status, etag,
             requestId: read.headers.get("X-Request-Id"), changed: changed.status,
             newEtag: changed.headers.get("ETag") };
  } catch (e) {
    return { error: e.name };
  }
};
</script></body></html>`;

let mam, allowed, refused, context, userDataDir, token;

function pageServer(host) {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () =>
    resolve({ server, origin: `http://${host}:${server.address().port}` })));
}

function mint(args) {
  return execFileSync(process.env.MAM_SERVER_BINARY, ["token", ...args], { encoding: "utf8" }).trim();
}

before(async () => {
  allowed = await pageServer("127.0.0.1");
  refused = await pageServer("localhost"); // another origin: same port space, another host
  mam = await startMam({
    CORS_ALLOWED_ORIGINS: `https://app.example.org, ${allowed.origin}`,
    JWT_ISSUER: process.env.JWT_ISSUER, JWT_AUDIENCE: process.env.JWT_AUDIENCE,
    JWT_HS256_SECRET: process.env.JWT_HS256_SECRET,
  });
  const suffix = randomBytes(5).toString("hex").toUpperCase();
  const agency = `TB${suffix}`;
  const admin = mint(["--sub", `browser-admin-${suffix}`, "--name", "Browser Admin", "--agency", agency, "--roles", "admin"]);
  const r = await call(mam, "POST", "/v1/agencies", { token: admin,
    body: { code: agency, name: "Fictional Test Agency", kind: "childrens_social_care" } });
  assert.equal(r.status, 201, r.text);
  token = mint(["--sub", `browser-p-${suffix}`, "--name", "Browser Practitioner", "--agency", agency, "--roles", "practitioner"]);
  userDataDir = mkdtempSync(join(tmpdir(), "mam-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS,
  });
});

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  allowed?.server.close();
  refused?.server.close();
  if (mam) await stopMam(mam);
});

test("CORS_browser_on_an_allowed_origin_calls_the_api_and_reads_its_headers", async () => {
  const page = await context.newPage();
  await page.goto(`${allowed.origin}/`);
  const got = await page.evaluate(([api, t]) => window.callApi(api, t), [mam.url, token]);
  await page.close();
  assert.equal(got.error, undefined, `the browser refused the answer: ${JSON.stringify(got)}`);
  assert.equal(got.created, 201);
  assert.match(got.location, /^\/v1\/meetings\/[0-9a-f-]{36}$/, "Location is readable");
  assert.equal(got.createdRequestId, "browser-create-1", "X-Request-Id is readable");
  assert.equal(got.read, 200);
  assert.equal(got.etag, '"1"', "ETag is readable");
  assert.match(got.requestId, /^[0-9a-f]{32}$/);
  assert.equal(got.changed, 200, "If-Match passes the preflight");
  assert.equal(got.newEtag, '"2"');
});

test("CORS_browser_on_another_origin_is_refused", async () => {
  const page = await context.newPage();
  await page.goto(`${refused.origin}/`);
  const got = await page.evaluate(([api, t]) => window.callApi(api, t), [mam.url, token]);
  await page.close();
  assert.equal(got.error, "TypeError", `the page read an answer: ${JSON.stringify(got)}`);
  // the preflight the browser sent was refused, without CORS headers
  const preflight = await fetch(`${mam.url}/v1/meetings`, { method: "OPTIONS", headers: {
    Origin: refused.origin, "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type" } });
  assert.equal(preflight.status, 403);
  assert.equal(preflight.headers.get("access-control-allow-origin"), null);
});
