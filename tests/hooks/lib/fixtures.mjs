// Fictional agencies, people and meetings for the webhook tests, through
// the API of a service instance (tests/idp/lib/mam.mjs), with development
// tokens signed by the test run's HS256 secret.
import { createHmac, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { call } from "../../idp/lib/mam.mjs";

export function token(sub, agency, roles, ttl = 3600) {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const claims = { iss: process.env.JWT_ISSUER, aud: process.env.JWT_AUDIENCE, sub, name: `Test ${sub}`,
                   agency, roles, iat: now, nbf: now, exp: now + ttl };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const sig = createHmac("sha256", process.env.JWT_HS256_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}

export const unique = () => randomBytes(6).toString("hex").toUpperCase();

export async function newAgency(mam, kind = "police") {
  const code = `WH${unique()}`;
  const r = await call(mam, "POST", "/v1/agencies", { token: token(`admin-${code}`, "ADMIN-WH", ["admin"]),
                                                      body: { code, name: "Fictional Webhook Agency", kind } });
  if (r.status !== 201) throw new Error(`agency: ${r.status} ${r.text}`);
  return code;
}

export function people(agency) {
  const id = unique().toLowerCase();
  return {
    practitioner: token(`wh-p-${id}`, agency, ["practitioner"]),
    manager: token(`wh-m-${id}`, agency, ["manager"]),
    system: token(`wh-s-${id}`, agency, ["integration"]),
  };
}

export function meetingBody() {
  return { type: "stop_and_review", title: "Planning for a fictional family", purpose: "Agree a plan",
           criteria: ["drift_no_improved_outcomes"], rationale: "The plan is drifting",
           children: [{ name: "Alex Example", date_of_birth: "2015-06-01" }], no_other_children: true };
}

export async function newMeeting(mam, who) {
  const r = await call(mam, "POST", "/v1/meetings", { token: who, body: meetingBody() });
  if (r.status !== 201) throw new Error(`meeting: ${r.status} ${r.text}`);
  return r.json.id;
}

// Runs SQL against the test database as the service's role (psql).
export function sql(statement) {
  return execFileSync("psql", [process.env.MAM_DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qtAc", statement],
                      { encoding: "utf8" }).trim();
}

// The agency's feed, from the start, as the integration reads it.
export async function feed(mam, system) {
  const all = [];
  let after;
  for (;;) {
    const r = await call(mam, "GET", `/v1/events?limit=200${after ? `&after=${after}` : ""}`, { token: system });
    if (r.status !== 200) throw new Error(`feed: ${r.status} ${r.text}`);
    all.push(...r.json.items);
    if (r.json.items.length < 200) return all;
    after = r.json.next_cursor;
  }
}

export const msgId = (eventId) => `msg_${eventId.replaceAll("-", "")}`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
