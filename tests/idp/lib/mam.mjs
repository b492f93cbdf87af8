// The service under test, as its own process: started from the binary
// tests/run.sh builds (MAM_SERVER_BINARY, AddressSanitizer), on a free
// loopback port, with the environment given here on top of run.sh's
// (database, OPENAPI_FILE). As root it runs as postgres, like every other
// instance of make test. Its log is kept for the tests to read.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync, readFileSync, chmodSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// A directory the service user can read, for its configuration files.
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), "mam-idp-"));
  chmodSync(dir, 0o755);
  return dir;
}

export function writeReadable(dir, name, text) {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}

const SHORTHAND = ["JWT_ISSUER", "JWT_AUDIENCE", "JWT_HS256_SECRET", "JWT_JWKS_FILE"];

export async function startMam(env, logDir) {
  const binary = process.env.MAM_SERVER_BINARY;
  if (!binary) throw new Error("MAM_SERVER_BINARY is set by tests/run.sh");
  const port = await freePort();
  const log = join(logDir ?? process.env.MAM_FAULT_LOGS ?? tmpdir(), `idp-instance-${port}.log`);
  const childEnv = { ...process.env, PORT: String(port), ...env };
  for (const name of SHORTHAND) if (!(name in env)) delete childEnv[name];
  const fd = openSync(log, "a");
  const root = process.getuid() === 0;
  const [cmd, args] = root
    ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", binary]]
    : [binary, []];
  if (root) childEnv.HOME = "/var/lib/postgresql";
  const child = spawn(cmd, args, { env: childEnv, stdio: ["ignore", fd, fd] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGTERM" ? 15 : 9))));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return { url, port, log, child, exited, logText: () => readFileSync(log, "utf8") };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the service did not become ready:\n${readFileSync(log, "utf8")}`);
}

// SIGTERM, a clean exit, and no sanitizer report in its log.
export async function stopMam(mam) {
  mam.child.kill("SIGTERM");
  const code = await mam.exited;
  const text = mam.logText();
  if (code !== 0) throw new Error(`the service exited with ${code}:\n${text.slice(-4000)}`);
  if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(text))
    throw new Error(`sanitizer report in ${mam.log}`);
}

// Calls the API; every answer is recorded for the contract check
// (tests/contract/check.mjs) like the C API tests' answers are.
export async function call(mam, method, path, { token, body, headers = {} } = {}) {
  const started = process.hrtime.bigint();
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h["content-type"] = "application/json";
  const res = await fetch(mam.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.env.MAM_RESPONSES_LOG) {
    const names = ["ETag", "Location", "X-Request-Id", "Allow", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed", "Cache-Control"];
    const recorded = {};
    for (const n of names) if (res.headers.has(n)) recorded[n] = res.headers.get(n);
    const line = { method, path: path.split("?")[0], status: res.status, content_type: res.headers.get("content-type") ?? undefined,
                   seconds, headers: recorded };
    if (json !== undefined && /json/.test(res.headers.get("content-type") ?? "")) line.body = json;
    else if (text) line.text = text;
    appendFileSync(process.env.MAM_RESPONSES_LOG, JSON.stringify(line) + "\n");
  }
  return { status: res.status, headers: res.headers, json, text };
}

// The service's log as objects (LOG_FORMAT=json: every line must parse).
export function logObjects(mam) {
  return mam.logText().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

export async function metric(mam, series) {
  const r = await fetch(`${mam.url}/metrics`);
  const text = await r.text();
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
