// INT-5 end to end: the service delivers webhooks to a receiver on
// loopback that verifies every request with the Standard Webhooks
// reference library (tests/hooks/lib/receiver.mjs). Each test starts its
// own service instance (tests/idp/lib/mam.mjs) with a short retry schedule
// and timeout, so that what takes days in production takes seconds here.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { call, startMam, stopMam } from "../idp/lib/mam.mjs";
import { Receiver } from "./lib/receiver.mjs";
import { feed, msgId, newAgency, newMeeting, people, sleep, sql } from "./lib/fixtures.mjs";

const SCHEDULE = [1, 1, 2, 2, 2, 2];
const ENV = {
  WEBHOOK_WORKERS: "2",
  WEBHOOK_RETRY_SCHEDULE_S: SCHEDULE.join(","),
  WEBHOOK_TIMEOUT_MS: "1500",
  WEBHOOK_CONNECT_TIMEOUT_MS: "1000",
  WEBHOOK_POLL_INTERVAL_MS: "50",
  WEBHOOK_ROTATION_OVERLAP_S: "3600",
  LOG_LEVEL: "warning",
  // the test run's development tokens (startMam leaves the shorthand out unless given)
  JWT_ISSUER: process.env.JWT_ISSUER,
  JWT_AUDIENCE: process.env.JWT_AUDIENCE,
  JWT_HS256_SECRET: process.env.JWT_HS256_SECRET,
};

let mam;
before(async () => { mam = await startMam(ENV); });
after(async () => { if (mam) await stopMam(mam); });
afterEach(() => Receiver.closeAll());

async function register(system, receiver, eventTypes, path = "/hooks") {
  const r = await call(mam, "POST", "/v1/webhook-endpoints", {
    token: system, body: { url: receiver.url(path), event_types: eventTypes, description: "Test receiver" } });
  assert.equal(r.status, 201, r.text);
  receiver.secrets.push(r.json.secret);
  return r.json;
}

async function deliveries(system, endpoint, status) {
  const r = await call(mam, "GET", `/v1/webhook-endpoints/${endpoint}/deliveries${status ? `?status=${status}` : ""}`,
                       { token: system });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

// The receiver sees a request before the service has recorded its answer:
// poll the deliveries until `count` are recorded as delivered (or 10 s).
async function recordedDelivered(system, endpoint, count = 1) {
  let items = [];
  for (let i = 0; i < 200; i++) {
    items = await deliveries(system, endpoint, "delivered");
    if (items.length >= count) break;
    await sleep(50);
  }
  assert.equal(items.length, count, "deliveries recorded as delivered");
  return items;
}

test("INT_5_every_committed_change_arrives_signed_and_verifiable_once", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  const types = ["meeting.requested", "meeting.authorised", "meeting.cancelled"];
  const endpoint = await register(who.system, receiver, types);
  const meetings = [];
  for (let i = 0; i < 8; i++) meetings.push(await newMeeting(mam, who.practitioner));
  for (const id of meetings.slice(0, 4)) {
    const r = await call(mam, "POST", `/v1/meetings/${id}/authorise`, { token: who.manager, headers: { "if-match": '"1"' } });
    assert.equal(r.status, 200, r.text);
  }
  // refused changes queue nothing: a stale If-Match, a request without a title
  let r = await call(mam, "POST", `/v1/meetings/${meetings[0]}/authorise`, { token: who.manager, headers: { "if-match": '"1"' } });
  assert.equal(r.status, 412);
  const noTitle = { type: "stop_and_review", purpose: "x", criteria: ["drift_no_improved_outcomes"], rationale: "y",
                    children: [{ name: "Alex Example", date_of_birth: "2015-06-01" }], no_other_children: true };
  r = await call(mam, "POST", "/v1/meetings", { token: who.practitioner, body: noTitle });
  assert.equal(r.status, 422);
  // a change that rolled back after its event was written: never delivered
  const ghost = randomUUID();
  sql(`BEGIN; INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)
       VALUES ('${ghost}', '${agency}', 'meeting.cancelled', 'meeting', gen_random_uuid()::text, 9); ROLLBACK;`);

  // what the feed announced of the subscribed types is what must arrive
  const expected = (await feed(mam, who.system)).filter((e) => types.includes(e.type));
  assert.equal(expected.length, 12, "8 requested, 4 authorised");
  await receiver.until(() => expected.every((e) => receiver.unique.has(msgId(e.id))), 20000, "every event delivered");
  await sleep(500); // anything extra would show now
  assert.ok(receiver.requests.every((q) => q.verified), "every request verifies with the endpoint's secret");
  assert.equal(receiver.unique.size, expected.length, "exactly the committed changes, once each by webhook-id");
  assert.ok(!receiver.unique.has(msgId(ghost)), "the rolled-back change never arrives");
  for (const e of expected) {
    const payload = receiver.unique.get(msgId(e.id));
    assert.equal(payload.type, e.type);
    assert.equal(payload.data.event_id, e.id);
    assert.equal(payload.data.resource_id, e.resource_id);
    assert.equal(payload.data.resource_version, e.resource_version);
    assert.equal(payload.data.links.resource, `/v1/meetings/${e.resource_id}`);
  }
  // thin payloads: nothing of the case
  for (const q of receiver.requests) {
    for (const word of ["Alex", "Example", "2015-06-01", "fictional family", "drifting"])
      assert.ok(!q.body.includes(word), `a payload carries ${word}`);
  }
  // one request at a time per endpoint, first attempts in feed order
  const order = receiver.requests.map((q) => q.id);
  const feedOrder = expected.map((e) => msgId(e.id));
  assert.deepEqual(order.filter((id, i) => order.indexOf(id) === i), feedOrder, "delivered in feed order");
  await recordedDelivered(who.system, endpoint.id, expected.length);
  assert.equal((await deliveries(who.system, endpoint.id, "pending")).length, 0);
  await receiver.close();
});

test("INT_5_a_failing_receiver_is_retried_on_schedule_then_delivered", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  const port = receiver.port;
  const endpoint = await register(who.system, receiver, ["meeting.requested"]);
  // attempts 1-2 answer 503, attempt 3 hangs past the timeout, attempt 4
  // finds nobody listening, attempt 5 is accepted
  let attempts = 0;
  let relisten = "not yet";
  receiver.behaviour = () => {
    attempts++;
    if (attempts <= 2) return 503;
    if (attempts === 3) {
      // hang past the sender's timeout, then stop listening for a while
      setTimeout(() => receiver.close(), 2000);
      setTimeout(() => receiver.listen(port).then(() => { relisten = "listening"; },
                                                  (err) => { relisten = String(err); }), 4500);
      return "hang";
    }
    return 204;
  };
  const id = await newMeeting(mam, who.practitioner);
  const [event] = (await feed(mam, who.system)).filter((e) => e.resource_id === id);
  try {
    // about 9 s on a quiet machine (the schedule, one timeout); more on a loaded one
    await receiver.until(() => receiver.unique.has(msgId(event.id)), 60000, "delivery after the failures");
  } catch (err) {
    // what the receiver saw and what the service recorded, to tell why
    const t0 = receiver.requests[0]?.at ?? 0;
    err.message += `; attempts seen at ms ${JSON.stringify(receiver.requests.map((q) => q.at - t0))}` +
      `; listening again: ${relisten}; deliveries: ${JSON.stringify(await deliveries(who.system, endpoint.id))}`;
    throw err;
  }
  const seen = receiver.requests.filter((q) => q.id === msgId(event.id));
  assert.ok(seen.length >= 4, `attempts seen by the receiver: ${seen.length}`);
  assert.ok(seen.every((q) => q.verified));
  // the gaps follow the schedule: never sooner than the delay
  for (let i = 1; i < seen.length; i++)
    assert.ok(seen[i].at - seen[i - 1].at >= SCHEDULE[i - 1] * 1000 - 300,
              `attempt ${i + 1} came ${seen[i].at - seen[i - 1].at} ms after the one before`);
  const [d] = await recordedDelivered(who.system, endpoint.id);
  assert.equal(d.attempts, 5, JSON.stringify(d));
  assert.equal(d.last_status, 204);
  await receiver.close();
});

test("INT_5_a_410_disables_the_endpoint", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  receiver.behaviour = () => 410;
  const endpoint = await register(who.system, receiver, ["meeting.requested"]);
  await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.requests.length === 1, 10000, "the first attempt");
  let r;
  for (let i = 0; i < 100; i++) {
    r = await call(mam, "GET", `/v1/webhook-endpoints/${endpoint.id}`, { token: who.system });
    if (r.json.status === "disabled") break;
    await sleep(50);
  }
  assert.equal(r.json.status, "disabled");
  assert.equal(r.json.disabled_reason, "gone");
  const [failed] = await deliveries(who.system, endpoint.id, "failed");
  assert.equal(failed.last_status, 410);
  // nothing more is sent or queued
  await newMeeting(mam, who.practitioner);
  await sleep(1500);
  assert.equal(receiver.requests.length, 1);
  assert.equal((await deliveries(who.system, endpoint.id)).length, 1);
  await receiver.close();
});

test("INT_5_replay_delivers_again_with_the_same_webhook_id", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  const endpoint = await register(who.system, receiver, ["meeting.requested"]);
  await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.unique.size === 1, 10000, "the delivery");
  const [d] = await recordedDelivered(who.system, endpoint.id);
  const r = await call(mam, "POST", `/v1/webhook-endpoints/${endpoint.id}/deliveries/${d.id}/replay`, { token: who.system });
  assert.equal(r.status, 200, r.text);
  await receiver.until(() => receiver.requests.length === 2, 10000, "the replay");
  assert.equal(receiver.requests[1].id, receiver.requests[0].id, "the same message");
  assert.ok(receiver.requests[1].verified);
  assert.equal(receiver.unique.size, 1, "a receiver that de-duplicates processes it once");
  await receiver.close();
});

test("INT_5_secret_rotation_keeps_deliveries_verifiable_throughout", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  const endpoint = await register(who.system, receiver, ["meeting.requested"]);
  const oldSecret = receiver.secrets[0];
  await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.unique.size === 1, 10000, "the first delivery");
  // rotated: the receiver still trusts only the old secret
  const r = await call(mam, "POST", `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`,
                       { token: who.system, headers: { "if-match": `"${endpoint.version}"` } });
  assert.equal(r.status, 200, r.text);
  const newSecret = r.json.secret;
  assert.notEqual(newSecret, oldSecret);
  await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.unique.size === 2, 10000, "the delivery after rotation");
  const during = receiver.requests.at(-1);
  assert.equal(during.signatures.length, 2, "signed with both secrets during the rotation");
  assert.ok(during.verified, "verifiable with the old secret");
  // the receiver moves to the new secret alone
  receiver.secrets = [newSecret];
  await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.unique.size === 3, 10000, "the delivery after the switch");
  assert.ok(receiver.requests.every((q) => q.verified), "every delivery verified throughout");
  await receiver.close();
});

test("INT_5_sigkill_mid_delivery_loses_nothing_and_duplicates_only_by_webhook_id", async () => {
  const agency = await newAgency(mam, "childrens_social_care");
  const who = people(agency);
  const receiver = await new Receiver().listen();
  const endpoint = await register(who.system, receiver, ["meeting.requested"]);
  // one instance alone, killed while its worker waits on the receiver
  await stopMam(mam);
  mam = await startMam(ENV);
  let answering = false;
  receiver.behaviour = () => (answering ? 200 : "hang");
  for (let i = 0; i < 6; i++) await newMeeting(mam, who.practitioner);
  await receiver.until(() => receiver.requests.length >= 1, 10000, "a delivery in flight");
  mam.child.kill("SIGKILL");
  await mam.exited;
  // started again: the killed worker's lease expires, the new one takes over
  answering = true;
  mam = await startMam(ENV);
  const expected = (await feed(mam, who.system)).filter((e) => e.type === "meeting.requested");
  assert.equal(expected.length, 6);
  await receiver.until(() => expected.every((e) => receiver.unique.has(msgId(e.id))), 40000,
                       "every change delivered after the kill");
  await sleep(500);
  assert.equal(receiver.unique.size, 6, "nothing lost, nothing extra");
  assert.ok(receiver.requests.every((q) => q.verified));
  const ids = new Set(expected.map((e) => msgId(e.id)));
  assert.ok(receiver.requests.every((q) => ids.has(q.id)), "any repeat carries a known webhook-id");
  await recordedDelivered(who.system, endpoint.id, 6);
  await receiver.close();
});
