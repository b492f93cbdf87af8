// A real OpenID provider (oidc-provider, certified) on loopback, for the
// identity-provider tests. Nothing here imitates a provider: tokens come
// from its real endpoints (authorization code with its development login
// and consent pages, client credentials), signed as JWT access tokens
// (RFC 9068, resource indicators) with keys generated at test time.
import { createServer } from "node:http";
import { generateKeyPairSync, randomBytes, createHash } from "node:crypto";
import Provider from "oidc-provider";

export const RESOURCE = "api://mam-test";

// A new RSA key as a private JWK: use "sig" to sign, "enc" for an
// encryption key a Keycloak realm also publishes (RSA-OAEP).
export function newKey(kid, use = "sig") {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { ...jwk, kid, use, alg: use === "sig" ? "RS256" : "RSA-OAEP" };
}

// Starts a provider on 127.0.0.1:port (0: any free port).
//   accounts: { id: { claims for its access tokens } }
//   clients:  oidc-provider client metadata
//   keys:     private JWKs, the first signing key signs
//   claimsFor(account, token): the extra claims of an access token
//   ttl(clientId), audience(clientId): access tokens' lifetime and audience
export async function startProvider({ port = 0, keys, accounts, clients, claimsFor, ttl = () => 300,
                                      audience = () => RESOURCE }) {
  const server = createServer();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const state = { jwksFetches: 0, discoveryFetches: 0, server, issuer, keys };
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys },
    findAccount: async (_ctx, sub) =>
      accounts[sub] ? { accountId: sub, claims: async () => ({ sub }) } : undefined,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      encryption: { enabled: true }, // so that an RSA-OAEP key may be published, as Keycloak does
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => {
          if (resource !== RESOURCE) throw new Error("unknown resource");
          return { scope: "mam", audience: audience(client.clientId), accessTokenFormat: "jwt",
                   accessTokenTTL: ttl(client.clientId), jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) =>
      claimsFor(token.accountId ? accounts[token.accountId] : undefined, token),
    pkce: { required: () => false },
    ttl: { IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    cookies: { keys: [randomBytes(16).toString("hex")] },
  });
  provider.proxy = false;
  const callback = provider.callback();
  server.on("request", (req, res) => {
    // no keep-alive: a client must not reuse a socket of a provider that
    // was stopped and started again on the same port (key rotation)
    res.shouldKeepAlive = false;
    if (req.url.startsWith("/jwks")) state.jwksFetches++;
    if (req.url.startsWith("/.well-known/openid-configuration")) state.discoveryFetches++;
    callback(req, res);
  });
  state.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

// ---- getting tokens, as a client would ----

class CookieJar {
  constructor() { this.cookies = new Map(); }
  take(res) {
    for (const line of res.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "); }
}

function basic(id, secret) {
  return "Basic " + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64");
}

async function tokenRequest(issuer, client, params) {
  const res = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded",
               authorization: basic(client.client_id, client.client_secret) },
    body: new URLSearchParams(params),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

// Client credentials (an application such as a case-management system).
export function clientCredentialsToken(issuer, client) {
  return tokenRequest(issuer, client, { grant_type: "client_credentials", scope: "mam", resource: RESOURCE });
}

// Authorization code for a person: the provider's own sign-in and consent
// pages are submitted as a browser would, the code exchanged at /token.
export async function userToken(issuer, client, login) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const redirect = client.redirect_uris[0];
  let url = `${issuer}/auth?` + new URLSearchParams({
    client_id: client.client_id, response_type: "code", redirect_uri: redirect, scope: "openid mam",
    resource: RESOURCE, code_challenge: challenge, code_challenge_method: "S256", state: "s1",
  });
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.take(res);
    await res.arrayBuffer();
    const location = res.headers.get("location");
    if (!location) throw new Error(`sign-in stopped at ${url}: ${res.status}`);
    const next = new URL(location, url);
    if (next.href.startsWith(redirect)) {
      const code = next.searchParams.get("code");
      if (!code) throw new Error(`no code: ${next.href}`);
      return tokenRequest(issuer, client, { grant_type: "authorization_code", code, redirect_uri: redirect,
                                            code_verifier: verifier, resource: RESOURCE });
    }
    if (next.pathname.startsWith("/interaction/")) {
      // the interaction page; submit what it asks for (login, then consent)
      const page = await fetch(next, { headers: { cookie: jar.header() } });
      jar.take(page);
      const html = await page.text();
      const prompt = html.includes('name="prompt" value="login"') ? "login" : "consent";
      const form = new URLSearchParams({ prompt });
      if (prompt === "login") { form.set("login", login); form.set("password", "not-checked"); }
      const submit = await fetch(next, {
        method: "POST", redirect: "manual", body: form,
        headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      });
      jar.take(submit);
      await submit.arrayBuffer();
      url = new URL(submit.headers.get("location"), next).href;
      continue;
    }
    url = next.href;
  }
  throw new Error("sign-in did not finish");
}
