/**
 * The pure parts of `telegram-logger report`: periods cut in a time zone (days of 23 and 25 hours,
 * a zone that skips midnight), the days accepted on the command line, the grouping of error
 * messages, and the text helpers. The command itself: test/process/report.test.ts.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { change } from "../../src/posts/format.ts";
import {
  addMonths,
  defaultFirstDay,
  firstDayOf,
  parseDay,
  previousPeriod,
  reportPeriod,
  startOfDay,
} from "../../src/report/period.ts";
import { ProblemGroups, problemKey } from "../../src/report/problems.ts";
import { table } from "../../src/report/render.ts";

const H = 3_600_000;
const ORIGINAL_TZ = process.env.TZ;

/** Node reads TZ again whenever it is assigned, so each test can pick its zone. */
function inZone(zone: string): void {
  process.env.TZ = zone;
}

afterEach(() => {
  if (ORIGINAL_TZ === undefined) delete process.env.TZ;
  else process.env.TZ = ORIGINAL_TZ;
});

describe("report periods", () => {
  it("a day in a zone with daylight saving lasts 23 or 25 hours, cut at local midnight", () => {
    inZone("Europe/Berlin");
    const spring = reportPeriod("daily", { year: 2026, month: 3, day: 29 }, false);
    assert.equal(new Date(spring.start).toISOString(), "2026-03-28T23:00:00.000Z");
    assert.equal(spring.end - spring.start, 23 * H);
    const autumn = reportPeriod("daily", { year: 2026, month: 10, day: 25 }, false);
    assert.equal(autumn.end - autumn.start, 25 * H);
    assert.equal(autumn.timeZone, "Europe/Berlin");
    const utc = reportPeriod("daily", { year: 2026, month: 10, day: 25 }, true);
    assert.equal(utc.end - utc.start, 24 * H);
    assert.equal(utc.timeZone, "UTC");
  });

  it("where a zone skips midnight, the day starts at its first instant", () => {
    inZone("America/Santiago");
    // Chile moves its clocks from 00:00 to 01:00 on 2026-09-06.
    const day = reportPeriod("daily", { year: 2026, month: 9, day: 6 }, false);
    assert.equal(new Date(day.start).toISOString(), "2026-09-06T04:00:00.000Z");
    assert.equal(day.end - day.start, 23 * H);
    const before = previousPeriod(day, false);
    assert.equal(before.end, day.start, "periods follow each other without a gap");
  });

  it("a week is seven consecutive days across a month and a year; the one before ends where it starts", () => {
    inZone("UTC");
    const week = reportPeriod("weekly", { year: 2026, month: 12, day: 28 }, true);
    assert.deepEqual(
      week.days.map((d) => d.date),
      ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"],
    );
    for (let i = 1; i < 7; i++) assert.equal(week.days[i]!.start, week.days[i - 1]!.end);
    assert.equal(week.end, Date.UTC(2027, 0, 4));
    const before = previousPeriod(week, true);
    assert.equal(before.days[0]!.date, "2026-12-21");
    assert.equal(before.end, week.start);
  });

  it("a month runs from its first day to the next month's, whatever day names it; 28 to 31 days", () => {
    inZone("UTC");
    const leap = reportPeriod("monthly", { year: 2024, month: 2, day: 17 }, true);
    assert.equal(leap.days.length, 29);
    assert.equal(leap.start, Date.UTC(2024, 1, 1));
    assert.equal(leap.end, Date.UTC(2024, 2, 1));
    assert.equal(reportPeriod("monthly", { year: 2023, month: 2, day: 1 }, true).days.length, 28);
    const january = reportPeriod("monthly", { year: 2026, month: 1, day: 31 }, true);
    const december = previousPeriod(january, true);
    assert.equal(december.days[0]!.date, "2025-12-01");
    assert.equal(december.days.length, 31);
    assert.equal(december.end, january.start);
    assert.deepEqual(firstDayOf("monthly", { year: 2026, month: 3, day: 9 }), {
      year: 2026,
      month: 3,
      day: 1,
    });
    assert.deepEqual(firstDayOf("weekly", { year: 2026, month: 3, day: 9 }), {
      year: 2026,
      month: 3,
      day: 9,
    });
    assert.deepEqual(addMonths({ year: 2026, month: 1, day: 31 }, 1), { year: 2026, month: 2, day: 1 });
    // By default, the month just ended: on 1 January, December of the year before.
    assert.deepEqual(defaultFirstDay("monthly", Date.UTC(2026, 0, 1, 8), true), {
      year: 2025,
      month: 12,
      day: 1,
    });
    inZone("Europe/Berlin");
    const march = reportPeriod("monthly", { year: 2026, month: 3, day: 1 }, false);
    assert.equal((march.end - march.start) / H, 31 * 24 - 1, "clocks go forward in March");
  });

  it("days on the command line: today, yesterday, real dates only", () => {
    inZone("Asia/Tokyo");
    const now = Date.UTC(2026, 10, 22, 20, 0); // 05:00 on the 23rd in Tokyo
    assert.deepEqual(parseDay("today", now, false), { year: 2026, month: 11, day: 23 });
    assert.deepEqual(parseDay("today", now, true), { year: 2026, month: 11, day: 22 });
    assert.deepEqual(parseDay("yesterday", Date.UTC(2026, 0, 1, 12), true), {
      year: 2025,
      month: 12,
      day: 31,
    });
    assert.deepEqual(parseDay("2024-02-29", now, false), { year: 2024, month: 2, day: 29 });
    for (const bad of [
      "2026-02-29",
      "2026-13-01",
      "2026-11-1",
      "1969-12-31",
      "tomorrow",
      "",
      "2026-11-22T00:00",
    ])
      assert.equal(parseDay(bad, now, false), null, bad);
    assert.deepEqual(defaultFirstDay("daily", now, false), { year: 2026, month: 11, day: 23 });
    assert.deepEqual(defaultFirstDay("weekly", now, false), { year: 2026, month: 11, day: 16 });
    assert.equal(startOfDay({ year: 2026, month: 11, day: 23 }, false), Date.UTC(2026, 10, 22, 15));
  });
});

describe("grouping errors", () => {
  it("masks what varies between occurrences of one failure, keeps what names it", () => {
    const cases: [string, string][] = [
      ["EACCES: permission denied, open '/home/a/b.txt'", "EACCES: permission denied, open '…'"],
      ['cannot read "x.pdf"', "cannot read '…'"],
      [
        "A wait of 35 seconds is required (caused by FLOOD_WAIT_35)",
        "A wait of N seconds is required (caused by FLOOD_WAIT_N)",
      ],
      ["message 123456 in chat -1001234567890", "message N in chat -N"],
      ["checksum 9f86d081884c7d659a2feaa0c55ad015 differs", "checksum … differs"],
      ["RPCError 400: MESSAGE_ID_INVALID", "RPCError 400: MESSAGE_ID_INVALID"],
      ["line one\n   line two", "line one line two"],
      ["it's broken: can't open", "it's broken: can't open"],
      ["retry 3 of 5 after 1.5 s", "retry N of N after N.N s"],
    ];
    for (const [message, key] of cases) assert.equal(problemKey(message), key, message);
    assert.equal(problemKey("x".repeat(500)).length, 200);
  });

  it("merges rows into groups, most frequent then most recent first, the latest message as example", () => {
    const groups = new ProblemGroups(100);
    groups.add({ status: "error", type: "a", error: "failed 12345", n: 2, last_at: 10 });
    groups.add({ status: "error", type: "a", error: "failed 67890", n: 1, last_at: 30 });
    groups.add({ status: "error", type: "b", error: "failed 12345", n: 3, last_at: 5 });
    groups.add({ status: "warning", type: "b", error: null, n: 3, last_at: 20 });
    groups.add({ status: "warning", type: "b", error: "  ", n: 1, last_at: 1 });
    assert.equal(groups.distinct, 3);
    assert.deepEqual(
      groups.top(10).map((g) => [g.status, g.type, g.message, g.count, g.lastAt, g.example]),
      [
        ["warning", "b", "(no message)", 4, 20, ""],
        ["error", "a", "failed N", 3, 30, "failed 67890"],
        ["error", "b", "failed N", 3, 5, "failed 12345"],
      ],
    );
    assert.equal(groups.top(1).length, 1);
  });

  it("holds at most its limit of groups; the rest is counted, not kept", () => {
    const groups = new ProblemGroups(2);
    for (const error of ["one", "two", "three", "four", "two"])
      groups.add({ status: "error", type: "t", error, n: 5, last_at: 1 });
    assert.equal(groups.distinct, 2);
    assert.equal(groups.overflow, 10);
    assert.deepEqual(
      groups.top(5).map((g) => [g.message, g.count]),
      [
        ["two", 10],
        ["one", 5],
      ],
    );
  });
});

describe("report text", () => {
  it("tables pad text left and numbers right, with thousands separators", () => {
    assert.deepEqual(
      table(
        ["name", "n"],
        [
          ["alpha", 1234567],
          ["b", 2],
        ],
      ),
      ["  name           n", "  alpha  1,234,567", "  b              2"],
    );
  });

  it("changes against the period before", () => {
    assert.equal(change(110, 100), "+10%");
    assert.equal(change(50, 100), "-50%");
    assert.equal(change(100, 100), "no change");
    assert.equal(change(0, 0), "no change");
    assert.equal(change(3, 0), "none before");
  });
});
