// IDP-1 and IDP-2 through the API, against a real OpenID provider
// (oidc-provider) serving two issuers on loopback:
//   "council" (primary, configured as for Microsoft Entra ID): subject in
//     `oid`, app roles in `roles` mapped to the service's roles, agency
//     from `groups` through a map, keys from a JWKS URL, a case-management
//     system's client-credentials tokens mapped by `azp`;
//   "police" (configured as for Keycloak, another tenant): subject `sub`,
//     roles in `realm_access.roles`, one agency for the whole issuer, keys
//     through OIDC discovery, an encryption key (RSA-OAEP) published next
//     to the signing key.
// The service runs as its own process with JWT_ISSUERS_FILE and
// LOG_FORMAT=json. Tests run in order: later ones rotate keys and stop
// the provider.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { startProvider, newKey, userToken, clientCredentialsToken, RESOURCE } from "./lib/provider.mjs";
import { startMam, stopMam, call, logObjects, metric, scratchDir, writeReadable } from "./lib/mam.mjs";

const suffix = randomBytes(5).toString("hex").toUpperCase();
const CSC = `TC${suffix}`;
const POL = `TP${suffix}`;
const GROUP_CSC = "3f2a9c1e-0000-4000-8000-00000000c5c0"; // a fictional Entra group object id
const MIN_FETCH_INTERVAL_S = 3;
const FETCH_TIMEOUT_MS = 1500;
const SHORT_TTL_S = 8;

const secret = () => randomBytes(24).toString("hex");
const frontEnd = { client_id: "front-end", client_secret: secret(), grant_types: ["authorization_code"],
                   redirect_uris: ["http://127.0.0.1:9/callback"], response_types: ["code"] };
const shortLived = { ...frontEnd, client_id: "short-lived", client_secret: secret() };
const otherApi = { ...frontEnd, client_id: "other-api", client_secret: secret() };
const cms = { client_id: "cms-council", client_secret: secret(), grant_types: ["client_credentials"],
              redirect_uris: [], response_types: [] };

// fictional people; "shared-subject" is a subject at both issuers
const councilAccounts = {
  "admin-1": { oid: "oid-admin-1", name: "Council Admin", roles: ["Mam.Admin"], groups: [GROUP_CSC] },
  "auditor-1": { oid: "oid-auditor-1", name: "Council Auditor", roles: ["Mam.Auditor"], groups: [GROUP_CSC] },
  "prac-1": { oid: "shared-subject", name: "Council Practitioner", roles: ["Mam.Practitioner", "Mail.Read"],
              groups: ["g-unrelated", GROUP_CSC] },
  "no-agency": { oid: "oid-no-agency", name: "No Agency", roles: ["Mam.Practitioner"], groups: ["g-unrelated"] },
  "pipe": { oid: "police|shared-subject", name: "Pipe In Subject", roles: ["Mam.Practitioner"], groups: [GROUP_CSC] },
};
const policeAccounts = {
  "shared-subject": { name: "Police Officer", realm_access: { roles: ["mam-practitioner", "offline_access"] } },
};

let council, police, mam, dir, councilPort;
let councilKeys;

function councilClaims(account, token) {
  const claims = { azp: token.clientId };
  if (account) Object.assign(claims, { oid: account.oid, name: account.name, roles: account.roles, groups: account.groups });
  return claims;
}
const policeClaims = (account) => (account ? { name: account.name, realm_access: account.realm_access } : {});

function startCouncil(keys, port = 0) {
  return startProvider({ port, keys, accounts: councilAccounts, clients: [frontEnd, shortLived, otherApi, cms],
                         claimsFor: councilClaims, ttl: (client) => (client === "short-lived" ? SHORT_TTL_S : 300),
                         audience: (client) => (client === "other-api" ? "api://another-service" : RESOURCE) });
}

const councilToken = (login, client = frontEnd) => userToken(council.issuer, client, login);
const meetingBody = () => ({
  type: "professionals", title: "Planning for a fictional family", purpose: "Agree how agencies will work together",
  criteria: ["drift_no_improved_outcomes"], rationale: "Progress has stalled across agencies",
  children: [{ name: "Alex Example", date_of_birth: "2015-06-01" }], no_other_children: true,
});

// A token signed with a key of the attacker's, claiming the council.
function forged(header, payload) {
  const { privateKey } = forged.key ??= generateKeyPairSync("rsa", { modulusLength: 2048 });
  const b64 = (o) => Buffer.from(typeof o === "string" ? o : JSON.stringify(o)).toString("base64url");
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url");
  return `${input}.${sig}`;
}
const now = () => Math.floor(Date.now() / 1000);
const councilPayload = (extra = {}) => ({ iss: council.issuer, aud: RESOURCE, sub: "x", oid: "oid-forged", name: "Forged",
                                          roles: ["Mam.Admin"], groups: [GROUP_CSC], exp: now() + 300, ...extra });

before(async () => {
  councilKeys = [newKey("council-1")];
  council = await startCouncil(councilKeys);
  councilPort = new URL(council.issuer).port;
  police = await startProvider({ keys: [newKey("police-sig"), newKey("police-enc", "enc")], accounts: policeAccounts,
                                 clients: [frontEnd], claimsFor: policeClaims });
  dir = scratchDir();
  const issuers = {
    allow_http_loopback: true, // tests only: production requires https
    key_min_fetch_interval_s: MIN_FETCH_INTERVAL_S,
    key_fetch_timeout_ms: FETCH_TIMEOUT_MS,
    issuers: [
      {
        name: "council", primary: true, issuer: council.issuer, audience: RESOURCE, algorithms: ["RS256"],
        keys: { jwks_url: `${council.issuer}/jwks` }, leeway_s: 0,
        claims: {
          subject: "oid", name: "name", roles: "roles",
          role_values: { "Mam.Practitioner": "practitioner", "Mam.Manager": "manager", "Mam.Admin": "admin",
                         "Mam.Auditor": "auditor" },
          agency: { claim: "groups", map: { [GROUP_CSC]: CSC } },
        },
        applications: { client_id_claim: "azp", clients: { "cms-council": CSC } },
      },
      {
        name: "police", issuer: police.issuer, audience: RESOURCE,
        keys: { discovery_url: `${police.issuer}/.well-known/openid-configuration` },
        claims: { name: "name", roles: "realm_access.roles", role_values: { "mam-practitioner": "practitioner" },
                  agency: { fixed: POL } },
      },
    ],
  };
  const file = writeReadable(dir, "issuers.json", JSON.stringify(issuers, null, 2));
  mam = await startMam({ JWT_ISSUERS_FILE: file, LOG_FORMAT: "json", LOG_LEVEL: "info" });
  const admin = await councilToken("admin-1");
  for (const [code, kind] of [[CSC, "childrens_social_care"], [POL, "police"]]) {
    const r = await call(mam, "POST", "/v1/agencies", { token: admin, body: { code, name: "Fictional Test Agency", kind } });
    assert.equal(r.status, 201, `creating ${code}: ${r.text}`);
  }
});

after(async () => {
  await council?.stop();
  await police?.stop();
  if (mam) await stopMam(mam);
});

let councilMeeting, councilPractitioner, policeOfficer, shortToken;

test("IDP_2_each_issuer_maps_its_own_claims", async () => {
  councilPractitioner = await councilToken("prac-1");
  let r = await call(mam, "POST", "/v1/meetings", { token: councilPractitioner, body: meetingBody() });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.requester, { sub: "shared-subject", name: "Council Practitioner" },
                   "council: the subject is oid, unprefixed (primary issuer)");
  assert.equal(r.json.convening_agency, CSC, "council: the agency comes from groups through the map");
  councilMeeting = r.json.id;

  policeOfficer = await userToken(police.issuer, frontEnd, "shared-subject");
  r = await call(mam, "POST", "/v1/meetings", { token: policeOfficer, body: meetingBody() });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.requester, { sub: "police|shared-subject", name: "Police Officer" },
                   "police: issuer name | sub");
  assert.equal(r.json.convening_agency, POL, "police: one agency for the whole issuer");
  // keys came through discovery, and the RSA-OAEP key did not stop anything
  assert.ok(police.discoveryFetches >= 1);
});

test("IDP_2_same_subject_from_two_issuers_is_two_people", async () => {
  const theirs = await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: policeOfficer });
  assert.equal(theirs.status, 404, "the police officer with the same subject cannot read the council's meeting");
  const own = await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: councilPractitioner });
  assert.equal(own.status, 200);
});

test("IDP_2_client_credentials_token_maps_to_its_agency_integration_role", async () => {
  const app = await clientCredentialsToken(council.issuer, cms);
  let r = await call(mam, "GET", "/v1/events", { token: app });
  assert.equal(r.status, 200, `the application reads its agency's feed: ${r.text}`);
  r = await call(mam, "POST", "/v1/meetings", { token: app, body: meetingBody() });
  assert.equal(r.status, 403, "integration only: no casework role");
  r = await call(mam, "GET", "/v1/audit-events", { token: app });
  assert.equal(r.status, 403);
});

test("IDP_1_rotated_key_is_picked_up_without_restart", async () => {
  shortToken = await councilToken("prac-1", shortLived); // old key, SHORT_TTL_S to live
  const oldToken = await councilToken("prac-1");
  assert.equal((await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: oldToken })).status, 200);
  // the provider rotates: a new signing key first, the old one still published
  await council.stop();
  councilKeys = [newKey("council-2"), ...councilKeys];
  council = await startCouncil(councilKeys, councilPort);
  const fetchesBefore = council.jwksFetches;
  const newToken = await councilToken("prac-1");
  assert.equal(JSON.parse(Buffer.from(newToken.split(".")[0], "base64url")).kid, "council-2");
  // the keys were fetched at start-up moments ago: an unknown kid fetches
  // again only once key_min_fetch_interval_s has passed since
  await new Promise((res) => setTimeout(res, MIN_FETCH_INTERVAL_S * 1000 + 200));
  const r = await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: newToken });
  assert.equal(r.status, 200, `a token signed with the new key: ${r.text}`);
  assert.equal(council.jwksFetches - fetchesBefore, 1, "one fetch, on the unknown kid");
  assert.equal((await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: oldToken })).status, 200,
               "the old key's tokens keep working");
  const exp = JSON.parse(Buffer.from(shortToken.split(".")[1], "base64url")).exp;
  assert.ok(exp > now(), "the short-lived token has not expired yet");
  assert.equal((await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: shortToken })).status, 200,
               "a short-lived token of the old key works...");
  // ... until it expires
  await new Promise((res) => setTimeout(res, (exp - now() + 1.2) * 1000));
  const expired = await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token: shortToken });
  assert.equal(expired.status, 401);
  assert.equal(expired.json.reason, "expired");
});

test("IDP_1_forged_kids_cause_no_more_fetches_than_the_minimum_interval_allows", async () => {
  await new Promise((res) => setTimeout(res, MIN_FETCH_INTERVAL_S * 1000 + 200));
  const before = council.jwksFetches;
  const limitedBefore = await metric(mam, 'mam_auth_key_refreshes_limited_total{issuer="council"}');
  const started = Date.now();
  let refused = 0;
  for (let round = 0; round < 5; round++) {
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      call(mam, "GET", "/v1/meetings", { token: forged({ alg: "RS256", kid: randomBytes(8).toString("hex") }, councilPayload()) })));
    for (const a of answers) {
      assert.equal(a.status, 401);
      assert.equal(a.json.reason, "unknown_key");
      refused++;
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  const allowed = 1 + Math.floor(elapsed / MIN_FETCH_INTERVAL_S);
  const fetched = council.jwksFetches - before;
  assert.ok(fetched >= 1 && fetched <= allowed,
            `${refused} forged kids in ${elapsed.toFixed(1)} s caused ${fetched} fetches (at most ${allowed} allowed)`);
  assert.ok(await metric(mam, 'mam_auth_key_refreshes_limited_total{issuer="council"}') > limitedBefore);
});

test("IDP_2_each_refusal_reason_is_logged_and_counted", async () => {
  const valid = await councilToken("prac-1");
  const [h, p] = valid.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url"));
  const tokens = {
    expired: shortToken,
    unknown_issuer: forged({ alg: "RS256" }, councilPayload({ iss: "https://login.example.invalid/tenant/v2.0" })),
    unknown_key: forged({ alg: "RS256", kid: "no-such-key" }, councilPayload()),
    bad_signature: forged({ alg: "RS256", kid: header.kid }, councilPayload()),
    audience: await councilToken("prac-1", otherApi),
    algorithm: forged({ alg: "HS256" }, councilPayload()),
    malformed: `${h}.${p}`,
    crit: forged({ alg: "RS256", kid: header.kid, crit: ["exp"], exp: 1 }, councilPayload()),
    "missing_claim:groups": await councilToken("no-agency"),
    subject: await councilToken("pipe"),
  };
  for (const [reason, token] of Object.entries(tokens)) {
    const counted = `mam_auth_refused_total{reason="${reason}"}`;
    const before = await metric(mam, counted);
    const r = await call(mam, "GET", "/v1/meetings", { token });
    assert.equal(r.status, 401, `${reason}: ${r.text}`);
    assert.equal(r.json.type, "/problems/unauthenticated");
    assert.equal(r.json.reason, reason.split(":")[0], `${reason}: the body names the reason class`);
    assert.ok(!r.text.includes(token.split(".")[1] ?? token), `${reason}: the answer does not echo the token`);
    assert.equal(await metric(mam, counted), before + 1, `${reason} counted`);
    const line = logObjects(mam).find((o) => o.event === "token_refused" && o.request_id === r.headers.get("x-request-id"));
    assert.ok(line, `${reason}: logged`);
    assert.equal(line.reason, reason);
  }
  // SEC-5: no token, no claim value in the log
  const log = mam.logText();
  for (const token of Object.values(tokens)) assert.ok(!log.includes(token.split(".")[1]), "a token in the log");
  for (const value of ["Council Practitioner", "Police Officer", "shared-subject", "oid-no-agency"])
    assert.ok(!log.includes(value), `${value} in the log`);
});

test("IDP_1_provider_down_leaves_known_keys_working", async () => {
  const token = await councilToken("prac-1");
  await council.stop();
  const failuresBefore = await metric(mam, 'mam_auth_key_fetches_total{issuer="council",outcome="failure"}');
  const r = await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token });
  assert.equal(r.status, 200, "a key already held needs no provider");
  await new Promise((res) => setTimeout(res, MIN_FETCH_INTERVAL_S * 1000 + 200));
  const started = Date.now();
  const forgedKid = await call(mam, "GET", "/v1/meetings", { token: forged({ alg: "RS256", kid: "rotated-away" }, councilPayload()) });
  const waited = Date.now() - started;
  assert.equal(forgedKid.status, 401);
  assert.equal(forgedKid.json.reason, "unknown_key");
  assert.ok(waited < FETCH_TIMEOUT_MS + 1000, `the refresh was bounded (${waited} ms)`);
  assert.ok(await metric(mam, 'mam_auth_key_fetches_total{issuer="council",outcome="failure"}') > failuresBefore);
  assert.equal((await call(mam, "GET", `/v1/meetings/${councilMeeting}`, { token })).status, 200,
               "the last good set is kept after a failed fetch");
});

test("SEC_5_json_logs_are_one_object_per_line_with_trace_ids", async () => {
  const traceId = randomBytes(16).toString("hex");
  const token = await userToken(police.issuer, frontEnd, "shared-subject");
  const r = await call(mam, "GET", "/v1/meetings", { token, headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` } });
  assert.equal(r.status, 200);
  const lines = mam.logText().split("\n").filter((l) => l.trim());
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
  const access = logObjects(mam).find((o) => o.event === "request" && o.request_id === r.headers.get("x-request-id"));
  assert.equal(access.trace_id, traceId);
  assert.equal(access.route, "/v1/meetings");
  assert.equal(access.status, 200);
});
