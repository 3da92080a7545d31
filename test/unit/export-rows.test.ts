/** The pure half of `export`: dates on the command line, CSV cells, the filter's SQL. */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import {
  chatIdOf,
  csvLine,
  EVENT_COLUMNS,
  type EventRecord,
  listItems,
  parseWhen,
  unknownValueProblem,
  whereClause,
} from "../../src/export/event-rows.ts";
import { openStore } from "../../src/store/db.ts";
import { tempDir } from "../support/tmp.ts";

const NOW = Date.UTC(2026, 10, 22, 12, 0);

describe("parseWhen", () => {
  it("reads dates, times with and without offsets, and times ago", () => {
    const cases: [string, number][] = [
      ["2026-11-01", Date.UTC(2026, 10, 1)],
      ["2026-11-01T08:30", Date.UTC(2026, 10, 1, 8, 30)],
      ["2026-11-01 08:30:15", Date.UTC(2026, 10, 1, 8, 30, 15)],
      ["2026-11-01T08:30:15.250Z", Date.UTC(2026, 10, 1, 8, 30, 15, 250)],
      ["2026-11-01T10:30+02:00", Date.UTC(2026, 10, 1, 8, 30)],
      ["2026-11-01T03:30-0500", Date.UTC(2026, 10, 1, 8, 30)],
      ["30m", NOW - 30 * 60_000],
      ["12h", NOW - 12 * 3_600_000],
      ["7d", NOW - 7 * 86_400_000],
      ["2w", NOW - 14 * 86_400_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseWhen(text, NOW), ms, text);
  });

  it("refuses what is not a date", () => {
    for (const text of [
      "",
      "yesterday",
      "2026-13-01",
      "2026-02-29",
      "2026-11-01T25:00",
      "7y",
      "-7d",
      "2026/11/01",
      "1700000000",
    ])
      assert.equal(parseWhen(text, NOW), null, text);
    assert.equal(parseWhen("2028-02-29", NOW), Date.UTC(2028, 1, 29), "a leap day is a date");
  });
});

describe("csvLine", () => {
  const row = (over: Partial<EventRecord>): EventRecord =>
    ({ ...Object.fromEntries(EVENT_COLUMNS.map((c) => [c, null])), id: 1, ...over }) as EventRecord;

  it("quotes what needs it and defuses formulas only in text", () => {
    const line = csvLine(
      row({
        occurred_at: 0,
        chat_id: -100,
        path: "a,b",
        project: "-x",
        username: "@u",
        details: 'q"\r\n',
        error: "\tE",
      }),
    );
    assert.equal(line, `1,1970-01-01T00:00:00.000Z,,,,,-100,,"a,b",'-x,'@u,,,"q""\r\n",'\tE,,\r\n`);
  });
});

describe("whereClause", () => {
  it("is empty without filters and binds every value", () => {
    const none = { since: null, until: null, sources: [], types: [], statuses: [], chatIds: [] };
    assert.deepEqual(whereClause(none), { sql: "", params: [] });
    const all = whereClause({
      since: 1,
      until: 2,
      sources: ["fs"],
      types: ["a", "b.*"],
      statuses: ["error"],
      chatIds: [-5],
    });
    assert.equal(
      all.sql,
      "WHERE occurred_at >= ? AND occurred_at < ? AND source IN (?) AND status IN (?) AND chat_id IN (?) AND (type = ? OR substr(type, 1, ?) = ?)",
    );
    assert.deepEqual(all.params, [1, 2, "fs", "error", -5, "a", 2, "b."]);
  });
});

describe("EVENT_COLUMNS", () => {
  it("are the events table's columns, in its order (a new column must reach the CSV too)", (t) => {
    const store = openStore(path.join(tempDir(t), "db", "t.sqlite"));
    try {
      const columns = store.sqlite.prepare("SELECT name FROM pragma_table_info('events')").pluck().all();
      assert.deepEqual(columns, [...EVENT_COLUMNS]);
    } finally {
      store.close();
    }
  });
});

describe("the filter's values, shared by export and the web UI", () => {
  it("chat ids: marked ids as numbers; text, or a number too large to be exact, is none", () => {
    assert.equal(chatIdOf("-1001234567890"), -1001234567890);
    assert.equal(chatIdOf("42"), 42);
    assert.equal(chatIdOf("12a"), null);
    assert.equal(chatIdOf("9999999999999999999"), null);
  });

  it("lists: comma-separated or repeated, blanks dropped; an unknown value is named", () => {
    assert.deepEqual(listItems(["a, b", "", " c ,"]), ["a", "b", "c"]);
    assert.equal(
      unknownValueProblem(["fs", "tg"], ["fs", "telegram"]),
      'unknown value "tg" (one of fs, telegram)',
    );
    assert.equal(unknownValueProblem(["fs"], ["fs", "telegram"]), null);
  });
});
