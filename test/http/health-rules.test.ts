/** The health rules as pure functions: each reason for a 503, and what is only reported. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorLog, sanitizeErrorText } from "../../src/http/health/error-log.ts";
import { assessHealth, type HealthInputs } from "../../src/http/health/model.ts";
import {
  databaseReport,
  outboxReport,
  TELEGRAM_GRACE_MS,
  telegramReport,
  watchersReport,
} from "../../src/http/health/parts.ts";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const base = (over: Partial<HealthInputs> = {}): HealthInputs => ({
  now: T0 + 60_000,
  startedAt: T0,
  lastHousekeepingAt: T0 + 1000,
  lastError: null,
  errorWindowSecs: 300,
  housekeepingStaleSecs: 900,
  parts: [],
  ...over,
});

describe("health assessment", () => {
  it("is ok with the documented fields", () => {
    const r = assessHealth(base());
    assert.equal(r.httpStatus, 200);
    assert.deepEqual(r.body, {
      status: "ok",
      reasons: [],
      started_at: "2025-01-01T00:00:00.000Z",
      uptime_secs: 60,
      last_housekeeping_at: "2025-01-01T00:00:01.000Z",
      last_error_at: null,
      last_error_msg: null,
    });
  });

  it("is 503 within the error window, 200 after it", () => {
    const lastError = { at: T0 + 10_000, message: "boom" };
    const inside = assessHealth(base({ lastError, now: T0 + 10_000 + 300_000 }));
    assert.equal(inside.httpStatus, 503);
    assert.match(inside.body.reasons[0]!, /error was logged 300 s ago.*boom/);
    assert.equal(inside.body.last_error_msg, "boom");
    const after = assessHealth(base({ lastError, now: T0 + 10_000 + 301_000 }));
    assert.equal(after.httpStatus, 200);
    assert.equal(after.body.last_error_at, "2025-01-01T00:00:10.000Z");
  });

  it("is 503 when housekeeping is stale, counting from start when it never completed", () => {
    const stale = assessHealth(base({ lastHousekeepingAt: T0, now: T0 + 901_000 }));
    assert.equal(stale.httpStatus, 503);
    assert.match(stale.body.reasons[0]!, /housekeeping last completed 901 s ago/);
    const never = assessHealth(base({ lastHousekeepingAt: null, now: T0 + 901_000 }));
    assert.match(never.body.reasons[0]!, /housekeeping has not completed since start 901 s ago/);
    assert.equal(assessHealth(base({ lastHousekeepingAt: null, now: T0 + 900_000 })).httpStatus, 200);
  });

  it("puts each part under its name and its problems among the reasons", () => {
    const r = assessHealth(
      base({
        parts: [
          { name: "database", report: { state: { ok: true }, problems: [] } },
          { name: "watchers", report: { state: { roots: [] }, problems: ["watch root /x failed"] } },
        ],
      }),
    );
    assert.equal(r.httpStatus, 503);
    assert.deepEqual(r.body.database, { ok: true });
    assert.deepEqual(r.body.reasons, ["watchers: watch root /x failed"]);
  });
});

describe("part rules", () => {
  const facts = { connected: true, authorized: true, lastUpdateAt: T0, startedAt: T0 };

  it("telegram: forgives a short disconnection, not one over a minute", () => {
    const down = { ...facts, connected: false };
    assert.deepEqual(telegramReport(down, T0, T0 + TELEGRAM_GRACE_MS, 0).problems, []);
    assert.match(
      telegramReport(down, T0, T0 + TELEGRAM_GRACE_MS + 1000, 0).problems[0]!,
      /disconnected for 61 s/,
    );
    const unauthorized = { ...facts, authorized: false };
    assert.match(telegramReport(unauthorized, T0, T0 + 120_000, 0).problems[0]!, /not authorized/);
  });

  it("telegram: a stall is no update while connected for longer than the limit", () => {
    assert.deepEqual(telegramReport(facts, null, T0 + 3600_000, 3600).problems, []);
    assert.match(telegramReport(facts, null, T0 + 3601_000, 3600).problems[0]!, /no update for 3601 s/);
    assert.deepEqual(telegramReport(facts, null, T0 + 10 ** 9, 0).problems, [], "0 disables");
    const state = telegramReport(facts, null, T0 + 5000, 0).state;
    assert.deepEqual(state, {
      enabled: true,
      connected: true,
      authorized: true,
      last_update_at: "2025-01-01T00:00:00.000Z",
      seconds_since_last_update: 5,
    });
  });

  it("outbox: stuck when a due post waits too long with nothing sent, not during FloodWait", () => {
    const o = {
      pending: 3,
      failed: 1,
      oldestPendingAt: T0,
      earliestDueAt: T0,
      lastSentAt: null,
      floodWaitUntil: 0,
    };
    const now = T0 + 901_000;
    assert.match(outboxReport(o, now, 900).problems[0]!, /stuck: a post has been due for 901 s/);
    assert.deepEqual(outboxReport({ ...o, floodWaitUntil: now + 1000 }, now, 900).problems, []);
    assert.deepEqual(outboxReport({ ...o, lastSentAt: now - 1000 }, now, 900).problems, [], "still moving");
    assert.deepEqual(outboxReport({ ...o, earliestDueAt: now + 5000 }, now, 900).problems, [], "backing off");
    assert.deepEqual(outboxReport(o, T0 + 900_000, 900).problems, []);
    const state = outboxReport({ ...o, floodWaitUntil: now + 1000 }, now, 900).state;
    assert.equal(state.pending, 3);
    assert.equal(state.failed, 1);
    assert.equal(state.oldest_pending_age_secs, 901);
    assert.equal(state.flood_wait_until, new Date(now + 1000).toISOString());
  });

  it("watchers: a failed root is a problem, an offline one is only reported", () => {
    const r = watchersReport([
      { root: "/srv/a", state: "ready" },
      { root: "/mnt/share", state: "offline", error: "ENOENT" },
      { root: "/srv/b", state: "failed", error: "EACCES" },
    ]);
    assert.deepEqual(r.problems, ["watch root /srv/b failed: EACCES"]);
    assert.deepEqual(watchersReport(null), { state: { enabled: false, roots: [] }, problems: [] });
  });

  it("database: a failed read is a problem", () => {
    assert.deepEqual(databaseReport({ ok: true, sizeBytes: 10, walBytes: 2 }).problems, []);
    assert.match(
      databaseReport({ ok: false, sizeBytes: 0, walBytes: 0, error: "SQLITE_BUSY" }).problems[0]!,
      /BUSY/,
    );
  });
});

describe("error messages in health output", () => {
  it("never show secrets or quoted content, and are short", () => {
    const secret = "0123456789abcdef0123456789abcdef";
    const text = `failed with hash ${secret} on "hello, private message" and 'another'`;
    assert.equal(sanitizeErrorText(text, [secret]), "failed with hash [redacted] on … and …");
    assert.ok(sanitizeErrorText("x".repeat(1000), []).length <= 200);
  });

  it("are recorded with the log message and the error's own text", () => {
    let now = T0;
    const log = new ErrorLog(
      () => now,
      () => ["s3cr3t-value"],
    );
    assert.equal(log.last, null);
    now = T0 + 5;
    log.record("send failed", new Error("RPC error with s3cr3t-value"));
    assert.deepEqual(log.last, { at: T0 + 5, message: "send failed — Error: RPC error with [redacted]" });
    assert.equal(log.count, 1);
  });
});
