// make bench, the "webhooks subscribed" row: did every delivery arrive,
// and does every request nginx received verify? nginx (the receiver on the
// same cores) answers 204 and logs each request's webhook-id, timestamp,
// signature and Content-Length; this checks them afterwards with the
// Standard Webhooks library (as tests/hooks does), against the secrets the
// bench was shown at registration and the bodies the outbox holds, so that
// the receiver costs the measured run no more than nginx does.
//
//   node bench/hooks_check.mjs SECRETS DELIVERIES LOG
// SECRETS: "endpoint_id secret" lines; DELIVERIES: "endpoint_id<TAB>
// message_id<TAB>status<TAB>payload" lines (every outbox row of the run);
// LOG: nginx's "id|timestamp|signature|length|status" lines.
// Prints one line; exits 1 unless every outbox row was delivered and
// arrived, and every request received verifies.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// the library tests/hooks installs (npm ci there; bench/run.sh does it)
const { Webhook } = createRequire(new URL("../tests/hooks/package.json", import.meta.url))(
  "standardwebhooks");

const [secretsFile, deliveriesFile, logFile] = process.argv.slice(2);
const lines = (f) => readFileSync(f, "utf8").split("\n").filter((l) => l !== "");

const secrets = new Map(lines(secretsFile).map((l) => l.split(" ")));
const deliveries = new Map();
for (const l of lines(deliveriesFile)) {
  const [endpoint, id, status, payload] = l.split("\t");
  deliveries.set(id, { endpoint, status, payload });
}
let requests = 0, verified = 0, unknown = 0, badLength = 0;
const arrived = new Set();
for (const l of lines(logFile)) {
  const [id, timestamp, signature, length] = l.split("|");
  requests++;
  const d = deliveries.get(id);
  if (!d) { unknown++; continue; }
  if (Number(length) !== Buffer.byteLength(d.payload)) badLength++;
  try {
    new Webhook(secrets.get(d.endpoint)).verify(d.payload, {
      "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature });
    verified++;
    arrived.add(id);
  } catch { /* counted as not verified */ }
}
const notDelivered = [...deliveries.values()].filter((d) => d.status !== "delivered").length;
const missing = [...deliveries.keys()].filter((id) => !arrived.has(id)).length;
const ok = deliveries.size > 0 && notDelivered === 0 && missing === 0 && verified === requests &&
  badLength === 0;
console.log(`${deliveries.size} outbox rows, ${deliveries.size - notDelivered} recorded delivered; ` +
  `nginx received ${requests} requests, ${verified} verified, ${arrived.size} distinct webhook-ids` +
  (unknown ? `, ${unknown} unknown` : "") + (badLength ? `, ${badLength} of the wrong length` : "") +
  `; ${missing} never arrived${ok ? "" : " (FAILED)"}`);
process.exit(ok ? 0 : 1);
