/**
 * Review of `telegram-logger report` (branch review-report): each test states what a reader of
 * the report would expect and FAILS on main at a196a4e, demonstrating one finding. Real SQLite
 * databases (openStore), real GramJS error classes; no mocks.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import type Database from "better-sqlite3";
import { Api } from "telegram";
import { FloodWaitError } from "telegram/errors/index.js";
import { gatherReport } from "../../src/report/gather.ts";
import { previousPeriod, reportPeriod } from "../../src/report/period.ts";
import { problemKey } from "../../src/report/problems.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { tempDir } from "../support/tmp.ts";

const H = 3_600_000;
/** 2026-11-02, midnight UTC. */
const DAY = Date.UTC(2026, 10, 2);

function store(t: TestContext, events: NewEvent[]): Store {
  const s = openStore(path.join(tempDir(t), "db", "telegram-logger.sqlite"));
  t.after(() => s.close());
  const recorder = new EventStore(s.db);
  for (const e of events) recorder.record(e, e.occurredAt);
  return s;
}

function gather(sqlite: Database.Database, now: number, first = { year: 2026, month: 11, day: 2 }) {
  const period = reportPeriod("daily", first, true);
  return gatherReport(sqlite, period, previousPeriod(period, true), now, { top: 10 });
}

const run = (occurredAt: number, extra: Partial<NewEvent> = {}): NewEvent => ({
  source: "system",
  type: "housekeeping.run",
  status: "success",
  occurredAt,
  ...extra,
});

describe("report review: wrong figures", () => {
  it("today so far is compared with the same hours of the day before, not the whole day", (t) => {
    // One event an hour, yesterday all day and today until noon: the rate did not change.
    const events = [
      ...Array.from({ length: 24 }, (_, h) => run(DAY - 24 * H + h * H)),
      ...Array.from({ length: 12 }, (_, h) => run(DAY + h * H)),
    ];
    const s = store(t, events);
    const data = gather(s.sqlite, DAY + 12 * H);
    assert.equal(data.complete, false);
    assert.equal(data.events.total, 12);
    // main says "the day before: 24 (-50%)" at noon every day.
    assert.equal(data.previous.total, 12, "the day before, until the same time of day");
  });

  it("GramJS FloodWait failures that differ only in the wait are one kind (README: FLOOD_WAIT_N)", () => {
    const request = new Api.upload.GetFile({
      location: new Api.InputDocumentFileLocation({
        id: 1n as never,
        accessHash: 1n as never,
        fileReference: Buffer.alloc(0),
        thumbSize: "",
      }),
      offset: 0n as never,
      limit: 1024,
    });
    const a = new FloodWaitError({ request, capture: 35 }).message;
    const b = new FloodWaitError({ request, capture: 36 }).message;
    assert.match(a, /^A wait of 35 seconds is required \(caused by upload\.GetFile\)$/);
    assert.equal(problemKey(a), problemKey(b));
  });

  it("a frequent kind is not lost because rarer kinds filled the groups first", (t) => {
    // More distinct rare messages than the report holds groups (10,000), all stored before the
    // frequent one, whose text also sorts last.
    const word = (i: number) => i.toString(26).replace(/\d/g, (d) => "qrstuvwxyz"[Number(d)]!);
    const rare = Array.from({ length: 10_050 }, (_, i) =>
      run(DAY + (i % 1000), { status: "error", type: "update.failed", error: `rare ${word(i)}` }),
    );
    const frequent = Array.from({ length: 50 }, (_, i) =>
      run(DAY + H + i, { status: "error", type: "update.failed", error: "zz the real problem" }),
    );
    const s = store(t, [...rare, ...frequent]);
    const data = gather(s.sqlite, DAY + 48 * H);
    assert.equal(data.problems.top[0]?.message, "zz the real problem");
    assert.equal(data.problems.top[0]?.count, 50);
    assert.equal(data.problems.distinct, 10_000);
    assert.equal(data.problems.overflow, 51, "the rare kinds beyond the bound are counted");
  });
});

describe("report review: odd rows", () => {
  it("an error stored as a BLOB (foreign writer, bad encoding) does not crash the report", (t) => {
    const s = store(t, [run(DAY + H, { status: "error", type: "update.failed" })]);
    s.sqlite.prepare("UPDATE events SET error = x'c328ff41'").run();
    const data = gather(s.sqlite, DAY + 48 * H); // main: TypeError: row.error.trim is not a function
    assert.equal(data.problems.top.length, 1);
  });

  it("a duration_ms that is not a number is not shown as the p95 or the maximum", (t) => {
    const s = store(t, [run(DAY + H, { durationMs: 5 }), run(DAY + 2 * H)]);
    s.sqlite.prepare("UPDATE events SET duration_ms = 'slow' WHERE duration_ms IS NULL").run();
    const [d] = gather(s.sqlite, DAY + 48 * H).durations;
    assert.deepEqual(d, { type: "housekeeping.run", count: 1, avgMs: 5, p95Ms: 5, p99Ms: 5, maxMs: 5 });
  });
});

describe("report review: cost", () => {
  it("every events query of a report searches the period through events_occurred_at", (t) => {
    const s = store(t, [
      run(DAY + H, { durationMs: 5 }),
      { source: "telegram", type: "message.deleted", status: "success", occurredAt: DAY, chatId: 1 },
      { source: "fs", type: "file.created", status: "success", occurredAt: DAY, username: "u" },
    ]);
    const seen: string[] = [];
    const prepare = s.sqlite.prepare.bind(s.sqlite);
    (s.sqlite as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
      seen.push(sql);
      return prepare(sql);
    };
    gather(s.sqlite, DAY + 48 * H);
    const values: Record<string, unknown> = { start: DAY, end: DAY + 24 * H, top: 10, type: "x", offset: 0 };
    const unbounded = seen
      .filter((sql) => /FROM events\s+WHERE occurred_at >= @start/.test(sql))
      .map((sql) => {
        const names = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
        const plan = prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(Object.fromEntries(names.map((n) => [n, values[n]])))
          .map((r) => (r as { detail: string }).detail)
          .join("; ");
        return { sql: sql.replace(/\s+/g, " ").slice(0, 90), plan };
      })
      .filter((q) => !q.plan.includes("events_occurred_at"));
    // main: the deleted-chats, top-users and p95 queries use events_type_status, i.e. every
    // message.deleted / file.* / duration row ever kept (1.8 M rows: 131 ms instead of 8 ms each).
    assert.deepEqual(unbounded, []);
  });

  it("the most active chats search messages by (chat_type, date) and events by the period", (t) => {
    const s = store(t, [
      { source: "telegram", type: "message.edited", status: "success", occurredAt: DAY, chatId: 1 },
    ]);
    s.sqlite
      .prepare(
        "INSERT INTO messages (chat_id, message_id, chat_type, date, recorded_at) VALUES (1, 1, 'user', ?, ?)",
      )
      .run(DAY + H, DAY + H);
    const seen: string[] = [];
    const prepare = s.sqlite.prepare.bind(s.sqlite);
    (s.sqlite as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
      seen.push(sql);
      return prepare(sql);
    };
    const data = gather(s.sqlite, DAY + 48 * H);
    assert.deepEqual(
      data.activeChats.map((c) => [c.chatId, c.messages, c.edits]),
      [[1, 1, 1]],
    );
    const values: Record<string, unknown> = { start: DAY, end: DAY + 24 * H, top: 10, ids: "[1]" };
    const planOf = (sql: string) => {
      const names = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
      return prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(Object.fromEntries(names.map((n) => [n, values[n]])))
        .map((r) => (r as { detail: string }).detail)
        .join("; ");
    };
    const messages = seen.filter((sql) => /FROM messages\s+WHERE chat_type IN/.test(sql));
    const events = seen.filter((sql) => /\+chat_id IN/.test(sql));
    assert.equal(messages.length, 1);
    assert.equal(events.length, 1);
    assert.match(planOf(messages[0]!), /messages_type_date/);
    assert.match(planOf(events[0]!), /events_occurred_at/);
  });
});
