// A webhook receiver on loopback, as an integrator would write one: every
// request is verified with the Standard Webhooks reference library
// (`standardwebhooks` from npm) against the secrets it currently trusts,
// and de-duplicated on webhook-id. Its behaviour is set by the test: answer
// 2xx, 5xx, 410, or hang past the sender's timeout; it can also stop
// listening (connection refused) and listen again on the same port.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

export class Receiver {
  // every receiver listening, so that a failed test leaves none open (an
  // open one would keep node, and make test, waiting)
  static listening = new Set();

  static async closeAll() {
    for (const r of [...Receiver.listening]) await r.close();
  }

  constructor() {
    this.secrets = [];          // whsec_ secrets trusted now
    this.requests = [];         // every request: { id, timestamp, signatures, body, verified, at }
    this.unique = new Map();    // webhook-id -> the first verified payload
    this.behaviour = () => 204; // (request) => status, or "hang"
    this.port = 0;
    this.server = null;
    this.hanging = new Set();
  }

  async listen(port = 0) {
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => this.#handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    await new Promise((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = this.server.address().port;
    Receiver.listening.add(this);
    return this;
  }

  // Stops listening: later attempts are refused connections.
  async close() {
    Receiver.listening.delete(this);
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }

  url(path = "/hooks") { return `http://127.0.0.1:${this.port}${path}`; }

  #verify(body, headers) {
    for (const secret of this.secrets) {
      try {
        return new Webhook(secret).verify(body, headers);
      } catch { /* try the next trusted secret */ }
    }
    return undefined;
  }

  #handle(req, res, body) {
    const headers = {
      "webhook-id": req.headers["webhook-id"],
      "webhook-timestamp": req.headers["webhook-timestamp"],
      "webhook-signature": req.headers["webhook-signature"],
    };
    const payload = this.#verify(body, headers);
    const record = { id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                     signatures: (headers["webhook-signature"] ?? "").split(" "), body,
                     verified: payload !== undefined, at: Date.now() };
    this.requests.push(record);
    const outcome = this.behaviour(record);
    if (outcome === "hang") { this.hanging.add(res); return; }
    if (outcome >= 200 && outcome < 300 && record.verified && !this.unique.has(record.id))
      this.unique.set(record.id, payload);
    res.writeHead(outcome, { "content-type": "text/plain" });
    res.end(String(outcome));
  }

  // Waits until pred() holds (polling), or fails after ms.
  async until(pred, ms = 20000, what = "the receiver's condition") {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (pred()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}
