// INT-6: every calendar entry the API tests saw (tests/api/test_icalendar.c
// keeps each in MAM_CALENDAR_SAMPLES with what it must say) parsed by an
// independent parser, node-ical: the method, the stable UID, SEQUENCE,
// CLASS:CONFIDENTIAL, and no child's name, date of birth or concern
// anywhere in the text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ical from "node-ical";

const dir = process.env.MAM_CALENDAR_SAMPLES;

test("INT_6_every_calendar_entry_parses_with_node_ical_and_says_nothing_personal", () => {
  assert.ok(dir, "MAM_CALENDAR_SAMPLES is set by tests/run.sh");
  const samples = readdirSync(dir).filter((f) => f.endsWith(".ics"));
  assert.ok(samples.length >= 5, `the API tests kept their entries (${samples.length})`);
  const methods = new Set();
  for (const file of samples) {
    const text = readFileSync(join(dir, file), "utf8");
    const expect = JSON.parse(readFileSync(join(dir, file.replace(/\.ics$/, ".json")), "utf8"));
    const parsed = ical.sync.parseICS(text);
    const cal = Object.values(parsed).find((c) => c.type === "VCALENDAR");
    assert.ok(cal, `${file}: a VCALENDAR`);
    assert.equal(cal.method, expect.method, `${file}: METHOD`);
    methods.add(cal.method);
    const events = Object.values(parsed).filter((c) => c.type === "VEVENT");
    const event = events.find((e) => e.uid === expect.uid);
    assert.ok(event, `${file}: the meeting's UID ${expect.uid}`);
    assert.equal(Number(event.sequence), expect.sequence, `${file}: SEQUENCE`);
    assert.equal(event.class, "CONFIDENTIAL", `${file}: CLASS`);
    assert.ok(event.start instanceof Date && event.end > event.start, `${file}: a time`);
    assert.match(event.summary, /^[A-Z][a-z -]+ MAM-\d{4}-\d{6,}$/, `${file}: the type and reference only`);
    if (expect.method === "CANCEL") assert.equal(event.status, "CANCELLED");
    for (const word of expect.never)
      assert.ok(!text.includes(word), `${file} carries "${word}"`);
  }
  for (const m of ["REQUEST", "CANCEL", "PUBLISH"]) assert.ok(methods.has(m), `an entry with METHOD:${m}`);
});
