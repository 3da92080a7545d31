/**
 * /ui/reports/… and /api/reports/… of the real app over HTTP: the figures are the `report`
 * command's (`makeReport … --format json` on the same database), the page draws them with inline
 * SVG charts, an empty period says "nothing recorded", a bad kind, date, top or utc is a 400 naming
 * it, and hostile chat names arrive as text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReportKind } from "../../src/model/report-kind.ts";
import { makeReport } from "../../src/report/report-command.ts";
import type { NewEvent } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { PeerStore } from "../../src/store/peers.ts";
import { openReadOnly } from "../../src/store/read-only.ts";
import { ask, bearer, login, startWeb, type WebFixture } from "./support.ts";

const DAY = new Date(2026, 10, 3); // 2026-11-03, local midnight (reports cut days in TZ)
const T0 = DAY.getTime() + 9 * 3_600_000;
const HOSTILE = "</text></svg><script>alert(1)</script>\u202Eevil";

function seed(f: WebFixture): void {
  const db = f.app.store.db;
  new PeerStore(db).remember(
    {
      peerId: -1005,
      type: "channel",
      accessHash: null,
      username: null,
      name: HOSTILE,
      isSelf: false,
      noforwards: false,
    },
    T0,
  );
  const messages = new MessageStore(db);
  db.transaction(() => {
    for (let i = 0; i < 5; i++)
      messages.insert(
        { chatId: -1005, messageId: i + 1, chatType: "channel", date: T0 + i * 60_000, text: `m${i}` },
        T0,
      );
    messages.insert(
      { chatId: 77, messageId: 1, chatType: "user", date: T0 + 3_600_000, text: "hi", outgoing: true },
      T0,
    );
  });
  const events: NewEvent[] = [
    {
      source: "telegram",
      type: "message.deleted",
      status: "success",
      occurredAt: T0 + 1,
      chatId: -1005,
      messageId: 1,
      details: { deletion: "deleted" },
    },
    {
      source: "telegram",
      type: "message.deleted",
      status: "success",
      occurredAt: T0 + 2,
      chatId: -1005,
      messageId: 2,
      details: { deletion: "own" },
    },
    {
      source: "telegram",
      type: "message.edited",
      status: "success",
      occurredAt: T0 + 3,
      chatId: -1005,
      messageId: 3,
    },
    {
      source: "telegram",
      type: "feed.failed",
      status: "error",
      occurredAt: T0 + 4 * 3_600_000,
      error: `FLOOD_WAIT_35 ${HOSTILE}`,
      durationMs: 120,
    },
    {
      source: "fs",
      type: "file.created",
      status: "success",
      occurredAt: T0 + 5,
      path: "/srv/a.txt",
      project: "docs",
      details: { owner: "anna" },
    },
    {
      source: "fs",
      type: "file.modified",
      status: "success",
      occurredAt: T0 + 6,
      path: "/srv/a.txt",
      project: "docs",
      details: { owner: "anna" },
    },
    {
      source: "system",
      type: "housekeeping.run",
      status: "warning",
      occurredAt: T0 + 86_400_000,
      durationMs: 40,
    },
    // The day before, for the comparison.
    {
      source: "system",
      type: "housekeeping.run",
      status: "success",
      occurredAt: T0 - 86_400_000,
      durationMs: 30,
    },
  ];
  f.seed(events);
}

/** What `report <kind> --date <date> --format json` prints for the app's database, less its Generated time. */
function commandReport(f: WebFixture, kind: ReportKind, date: string, utc = false): Record<string, unknown> {
  const sqlite = openReadOnly(f.app.config.dbFile);
  try {
    const [year, month, day] = date.split("-").map(Number) as [number, number, number];
    const json = JSON.parse(
      makeReport(
        sqlite,
        { kind, first: { year, month, day }, utc, format: "json", top: 10, out: null, force: false },
        Date.now(),
      ),
    );
    delete json.generatedAt;
    return json;
  } finally {
    sqlite.close();
  }
}

describe("reports", () => {
  it("answers the report command's figures for every kind", async (t) => {
    const f = await startWeb(t);
    seed(f);
    for (const [kind, date] of [
      ["daily", "2026-11-03"],
      ["weekly", "2026-11-01"],
      ["monthly", "2026-11-15"],
    ] as const) {
      for (const utc of [false, true]) {
        const r = await ask(f, `/api/reports/${kind}?date=${date}${utc ? "&utc=1" : ""}`, {
          headers: bearer(),
        });
        assert.equal(r.status, 200, `${kind} ${date}`);
        const body = r.json();
        delete body.generatedAt;
        assert.deepEqual(body, commandReport(f, kind, date, utc), `${kind} ${date} utc=${utc}`);
      }
    }
    const daily = (await ask(f, "/api/reports/daily?date=2026-11-03", { headers: bearer() })).json();
    assert.equal(daily.events.total, 6);
    assert.equal(daily.deletions.byKind.deleted, 1);
    assert.equal(daily.messages.total, 6);
  });

  it("draws the figures as a page with SVG charts, chat names as text", async (t) => {
    const f = await startWeb(t);
    seed(f);
    const cookie = await login(f);
    const page = await ask(f, "/ui/reports/daily?date=2026-11-03", { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Daily report, 2026-11-03<\/h1>/);
    assert.match(page.text, /<div class="label">events<\/div><div class="value">6<\/div>/);
    assert.match(page.text, /<div class="label">messages stored<\/div><div class="value">6<\/div>/);
    assert.match(page.text, /<h2>Events per hour<\/h2><div class="chart-wrap"><svg class="chart"/);
    assert.equal((page.text.match(/<rect class="bar" /g) ?? []).length >= 24, true);
    assert.match(page.text, /<title>09:00: 5 events, 0 errors<\/title>/);
    assert.match(page.text, /<title>13:00: 1 events, 1 errors<\/title>/);
    assert.match(page.text, /<title>10:00: 0 events, 0 errors<\/title>/);
    assert.match(page.text, /<h2>Most active chats<\/h2><div class="chart-wrap"><svg/);
    assert.match(page.text, /&lt;\/text&gt;&lt;\/svg&gt;&lt;script&gt;/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.doesNotMatch(page.text, /\u202E/);
    assert.match(page.text, /\[U\+202E\]|U\+202E/);
    assert.match(page.text, /href="\/ui\/reports\/daily\?date=2026-11-02"/);
    assert.match(page.text, /href="\/ui\/reports\/daily\?date=2026-11-04"/);

    const monthly = await ask(f, "/ui/reports/monthly?date=2026-11-20", { headers: { cookie } });
    assert.equal(monthly.status, 200);
    assert.match(monthly.text, /<h1>Monthly report, 2026-11<\/h1>/);
    assert.match(monthly.text, /<h2>Events per day<\/h2>/);
    assert.match(monthly.text, /<td data-label="Date">2026-11-30<\/td>/);

    const index = await ask(f, "/ui/reports", { headers: { cookie } });
    assert.equal(index.status, 200);
    assert.match(index.text, /href="\/ui\/reports\/weekly\?date=/);
  });

  it("says nothing was recorded in an empty period", async (t) => {
    const f = await startWeb(t);
    const page = await ask(f, "/ui/reports/daily?date=2020-01-01", { headers: bearer() });
    assert.equal(page.status, 200);
    assert.match(page.text, /Nothing recorded in this period\./);
    const api = (await ask(f, "/api/reports/weekly?date=2020-01-01", { headers: bearer() })).json();
    assert.equal(api.events.total, 0);
  });

  it("answers 400 naming a bad kind, date, top or utc", async (t) => {
    const f = await startWeb(t);
    for (const [p, parameter] of [
      ["/yearly", "kind"],
      ["/%3Cscript%3E", "kind"],
      ["/daily?date=2026-02-30", "date"],
      ["/daily?date=3026-01-01", "date"],
      ["/daily?date=%3Cb%3E", "date"],
      ["/weekly?top=0", "top"],
      ["/weekly?top=1001", "top"],
      ["/monthly?utc=maybe", "utc"],
      ["/daily?colour=red", "colour"],
      ["/daily?date=2026-11-01&date=2026-11-02", "date"],
    ] as const) {
      const api = await ask(f, `/api/reports${p}`, { headers: bearer() });
      assert.equal(api.status, 400, p);
      assert.equal(api.json().parameter, parameter, p);
      const ui = await ask(f, `/ui/reports${p}`, { headers: bearer() });
      assert.equal(ui.status, 400, p);
      assert.match(ui.text, /class="problem"/);
      assert.doesNotMatch(ui.text, /<script>|<b>/);
    }
    assert.equal((await ask(f, "/api/reports/daily")).status, 401);
  });
});
