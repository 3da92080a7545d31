/**
 * When reports are posted to the log chat (src/report/schedule.ts), in UTC: which period is due,
 * the grace time after it ends, once per period, only the latest after downtime; and the setting.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseReportKinds } from "../../src/config/values.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { dueReport, lastCompletedPeriod, REPORT_GRACE_MS } from "../../src/report/schedule.ts";

const H = 3_600_000;
const D = 24 * H;
/** Wednesday 2025-03-12, 10:00 UTC. */
const WEDNESDAY = Date.UTC(2025, 2, 12, 10);
const iso = (ms: number) => new Date(ms).toISOString();

describe("report schedule", () => {
  it("the last whole period: yesterday, last Monday-to-Sunday week, last month", () => {
    const daily = lastCompletedPeriod("daily", WEDNESDAY, true);
    assert.deepEqual(
      [iso(daily.start), iso(daily.end)],
      ["2025-03-11T00:00:00.000Z", "2025-03-12T00:00:00.000Z"],
    );
    const weekly = lastCompletedPeriod("weekly", WEDNESDAY, true);
    assert.deepEqual(
      [iso(weekly.start), iso(weekly.end)],
      ["2025-03-03T00:00:00.000Z", "2025-03-10T00:00:00.000Z"],
    );
    const monday = lastCompletedPeriod("weekly", Date.UTC(2025, 2, 10, 0, 30), true);
    assert.equal(iso(monday.start), "2025-03-03T00:00:00.000Z", "on a Monday, the week just ended");
    const sunday = lastCompletedPeriod("weekly", Date.UTC(2025, 2, 16, 23), true);
    assert.equal(iso(sunday.start), "2025-03-03T00:00:00.000Z", "on Sunday the week runs on");
    const monthly = lastCompletedPeriod("monthly", WEDNESDAY, true);
    assert.deepEqual(
      [iso(monthly.start), iso(monthly.end)],
      ["2025-02-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"],
    );
    const january = lastCompletedPeriod("monthly", Date.UTC(2025, 0, 1, 8), true);
    assert.equal(iso(january.start), "2024-12-01T00:00:00.000Z");
  });

  it("due once the grace time has passed, once per period", () => {
    const midnight = Date.UTC(2025, 2, 12);
    assert.equal(
      dueReport("daily", midnight + REPORT_GRACE_MS - 1, null, true),
      null,
      "within the grace time",
    );
    const due = dueReport("daily", midnight + REPORT_GRACE_MS, null, true);
    assert.equal(iso(due!.start), "2025-03-11T00:00:00.000Z");
    assert.equal(dueReport("daily", midnight + 12 * H, due!.start, true), null, "posted already");
    const next = dueReport("daily", midnight + D + REPORT_GRACE_MS, due!.start, true);
    assert.equal(iso(next!.start), "2025-03-12T00:00:00.000Z", "the next day");
  });

  it("after days down only the latest period is due; a record from a clock that was ahead is ignored", () => {
    const posted = Date.UTC(2025, 2, 1);
    const due = dueReport("daily", WEDNESDAY, posted, true);
    assert.equal(iso(due!.start), "2025-03-11T00:00:00.000Z");
    const ahead = dueReport("daily", WEDNESDAY, Date.UTC(2025, 2, 20), true);
    assert.equal(iso(ahead!.start), "2025-03-11T00:00:00.000Z");
  });

  it("in a zone with daylight saving: the 23-hour day is due at 00:05 local time after it", () => {
    const saved = process.env.TZ;
    process.env.TZ = "Europe/Berlin";
    try {
      // Berlin moved to summer time on Sunday 2025-03-30; 00:05 on the 31st is 22:05 UTC on the 30th.
      const after = Date.UTC(2025, 2, 30, 22, 5);
      const due = dueReport("daily", after, null, false);
      assert.deepEqual(
        [iso(due!.start), iso(due!.end)],
        ["2025-03-29T23:00:00.000Z", "2025-03-30T22:00:00.000Z"],
      );
      assert.equal(dueReport("daily", after - 60_000, null, false), null, "00:04 is within the grace time");
      const week = dueReport("weekly", after, null, false);
      assert.deepEqual([iso(week!.start), week!.days.length], ["2025-03-23T23:00:00.000Z", 7]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("REPORT_TO_LOG_CHAT: a list of kinds, refused with the variable named", () => {
    assert.deepEqual(parseReportKinds(""), []);
    assert.deepEqual(parseReportKinds("daily, Monthly  weekly,daily"), ["daily", "monthly", "weekly"]);
    assert.throws(() => parseReportKinds("daily,hourly"), /got "hourly"/);
    const env = { DATA_ROOT: "/tmp/tl-config-test", WATCH_CONFIG: "/tmp/w.yml" };
    assert.deepEqual(loadConfig({ ...env }).housekeeping.reportsToLogChat, []);
    assert.deepEqual(loadConfig({ ...env, REPORT_TO_LOG_CHAT: "weekly" }).housekeeping.reportsToLogChat, [
      "weekly",
    ]);
    assert.throws(
      () => loadConfig({ ...env, REPORT_TO_LOG_CHAT: "yearly" }),
      (e: unknown) =>
        e instanceof ConfigError && e.variable === "REPORT_TO_LOG_CHAT" && /yearly/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ...env, REPORT_TO_LOG_CHAT: "daily", TZ: "Mars/Olympus" }),
      (e: unknown) => e instanceof ConfigError && e.variable === "TZ" && /Mars\/Olympus/.test(e.message),
    );
    assert.doesNotThrow(
      () => loadConfig({ ...env, TZ: "Mars/Olympus" }),
      "TZ only matters for posted reports",
    );
  });
});
