// Key files, for air-gapped sites (IDP-1): the single-issuer shorthand's
// JWT_JWKS_FILE and an issuer's jwks_file are re-read on SIGHUP and when
// the file changes, without a restart; a file that no longer parses keeps
// the last good keys.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { startMam, stopMam, call, scratchDir, writeReadable, metric } from "./lib/mam.mjs";

const ISSUER = "https://keys-in-a-file.test";
const AUDIENCE = "mam-file-test";

function newKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" } };
}

function token(key, extra = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "RS256", kid: key.kid })}.${b64({
    iss: ISSUER, aud: AUDIENCE, sub: `file-${randomBytes(4).toString("hex")}`, name: "File Person",
    agency: "LA-FILE", roles: ["practitioner"], exp: now + 300, ...extra })}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(key.privateKey).toString("base64url")}`;
}

// Replaces the file at once (a rename), as a Secret update or an admin's
// `mv` does: the service never reads half a file.
function publish(dir, name, keys, text) {
  const tmp = writeReadable(dir, `${name}.new`, text ?? JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  renameSync(tmp, join(dir, name));
}

const accepted = async (mam, key) => (await call(mam, "GET", "/v1/meetings?limit=1", { token: token(key) })).status === 200;

async function eventually(check, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const started = [];
after(async () => { for (const m of started) await stopMam(m); });

test("IDP_1_key_file_is_re_read_on_SIGHUP", async () => {
  const dir = scratchDir();
  const a = newKey("a"), b = newKey("b");
  publish(dir, "jwks.json", [a]);
  const mam = await startMam({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_FILE: join(dir, "jwks.json") });
  started.push(mam);
  assert.ok(await accepted(mam, a));
  assert.ok(!(await accepted(mam, b)), "a key the file does not hold");
  publish(dir, "jwks.json", [b]);
  mam.child.kill("SIGHUP");
  assert.ok(await eventually(() => accepted(mam, b), 3), "the new key after SIGHUP");
  assert.ok(!(await accepted(mam, a)), "the key the file no longer holds is dropped");
  // a broken file: logged, the last good keys kept
  publish(dir, "jwks.json", [], "{\"keys\": [");
  mam.child.kill("SIGHUP");
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(await accepted(mam, b), "the last good keys are kept");
  assert.match(mam.logText(), /key file cannot be used/);
  assert.equal(await metric(mam, 'mam_auth_keys{issuer="default"}'), 1);
});

test("IDP_1_key_file_is_re_read_when_it_changes", async () => {
  const dir = scratchDir();
  const a = newKey("a"), b = newKey("b");
  publish(dir, "police-jwks.json", [a]);
  const issuers = { key_file_check_interval_s: 1, issuers: [{
    name: "police", primary: true, issuer: ISSUER, audience: AUDIENCE,
    keys: { jwks_file: join(dir, "police-jwks.json") } }] };
  const mam = await startMam({ JWT_ISSUERS_FILE: writeReadable(dir, "issuers.json", JSON.stringify(issuers)) });
  started.push(mam);
  assert.ok(await accepted(mam, a));
  publish(dir, "police-jwks.json", [b, a]);
  assert.ok(await eventually(() => accepted(mam, b), 5), "the new key without a signal");
  assert.ok(await accepted(mam, a), "the old key, still in the file");
});
