/**
 * `telegram-logger report`, the real command on a real database: the figures of a daily and a
 * weekly report (JSON, every figure; text, what a reader sees), days cut in the machine's time zone
 * or UTC, `--out`, and the refusals with their exit statuses.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { openStore } from "../../src/store/db.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { assertDataRootRefusals } from "../support/data-root-refusals.ts";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const H = 3_600_000;
/** Monday 2021-11-01, midnight UTC: the reported day (in the past wherever the tests run). */
const DAY = Date.UTC(2021, 10, 1);

function at(hours: number): number {
  return DAY + hours * H;
}

/** The reported day's events (UTC), and one at 23:30 that is already the 3rd in Berlin (UTC+1). */
function dayEvents(): NewEvent[] {
  const deleted = (chatId: number, hour: number): NewEvent => ({
    source: "telegram",
    type: "message.deleted",
    status: "success",
    occurredAt: at(hour),
    chatId,
    messageId: hour,
  });
  const file = (type: string, project: string | null, username: string, hour: number): NewEvent => ({
    source: "fs",
    type,
    status: "success",
    occurredAt: at(hour),
    path: `/srv/${project}/${hour}.txt`,
    project,
    username: "crm-watch",
    details: { owner: username },
  });
  return [
    deleted(42, 1),
    deleted(42, 2),
    { ...deleted(42, 3), details: { deletion: "own", chatType: "user" } },
    deleted(-1001234567890, 4),
    {
      source: "telegram",
      type: "message.deleted",
      status: "skipped",
      occurredAt: at(5),
      details: { reason: "message never seen" },
    },
    { source: "telegram", type: "message.edited", status: "success", occurredAt: at(6), chatId: 42 },
    { source: "telegram", type: "message.edited", status: "success", occurredAt: at(7), chatId: 42 },
    ...[12345, 67890].map(
      (n, i): NewEvent => ({
        source: "telegram",
        type: "media.download_failed",
        status: "error",
        occurredAt: at(8 + i),
        error: `FILE_REFERENCE_EXPIRED for document ${n}`,
      }),
    ),
    {
      source: "telegram",
      type: "media.download_failed",
      status: "error",
      occurredAt: at(10),
      error: "ENOSPC: no space left on device, write",
    },
    { source: "telegram", type: "updates.gap", status: "warning", occurredAt: at(11) },
    file("file.created", "crm", "alice", 12),
    file("file.created", "crm", "alice", 13),
    file("file.deleted", "crm", "bob", 14),
    file("file.modified", null, "alice", 15),
    {
      source: "fs",
      type: "file.error",
      status: "error",
      occurredAt: at(16),
      project: "crm",
      error: "EACCES: permission denied, open '/srv/crm/secret.txt'",
    },
    // Twenty housekeeping runs of 10, 20, … 200 ms: average 105, p95 190, maximum 200.
    ...Array.from(
      { length: 20 },
      (_, i): NewEvent => ({
        source: "system",
        type: "housekeeping.run",
        status: "success",
        occurredAt: at(17) + i * 60_000,
        durationMs: (i + 1) * 10,
      }),
    ),
    { ...deleted(42, 23.5), messageId: 99 },
  ];
}

/** A data folder: the reported day, the day before (4 events, 1 error), a week before, messages. */
function dataRoot(t: TestContext): { cwd: string; env: Record<string, string> } {
  const cwd = tempDir(t);
  const root = path.join(cwd, "data");
  const store = openStore(databaseFileOf(root));
  const events = new EventStore(store.db);
  const before: NewEvent[] = [0, 1, 2, 3].map((i) => ({
    source: "telegram",
    type: i === 0 ? "update.failed" : "message.deleted",
    status: i === 0 ? "error" : "success",
    occurredAt: DAY - (i + 1) * H,
    chatId: 7,
    error: i === 0 ? "boom" : null,
  }));
  const weekAgo: NewEvent = {
    source: "fs",
    type: "file.created",
    status: "success",
    occurredAt: DAY - 6 * 24 * H,
    project: "crm",
  };
  for (const e of [...dayEvents(), ...before, weekAgo]) events.record(e, e.occurredAt + 1);
  const message = store.sqlite.prepare(
    "INSERT INTO messages (chat_id, message_id, chat_type, date, recorded_at, outgoing) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const messages: [number, string, number][] = [
    [42, "user", at(1)],
    [43, "user", at(2)],
    [-1001234567890, "channel", at(3)],
    [42, "user", DAY - H],
  ];
  messages.forEach(([chat, type, date], i) => {
    message.run(chat, i + 1, type, date, date, i === 1 ? 1 : 0);
  });
  store.sqlite
    .prepare("INSERT INTO peers (peer_id, type, name, updated_at) VALUES (42, 'user', 'Alice', 0)")
    .run();
  store.close();
  return { cwd, env: { DATA_ROOT: root, TZ: "UTC" } };
}

function report(cwd: string, env: Record<string, string>, args: string[]) {
  return runCommand(cwd, ["report", ...args], env);
}

function jsonReport(cwd: string, env: Record<string, string>, args: string[]) {
  const r = report(cwd, env, [...args, "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe("telegram-logger report", () => {
  it("daily, JSON: every figure of the day, against the day before", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = jsonReport(cwd, env, ["daily", "--date", "2021-11-01", "--utc"]);
    assert.equal(r.kind, "daily");
    assert.equal(r.timeZone, "UTC");
    assert.equal(r.start, "2021-11-01T00:00:00.000Z");
    assert.equal(r.end, "2021-11-02T00:00:00.000Z");
    assert.equal(r.complete, true);
    assert.deepEqual(r.events, {
      total: 37,
      bySource: { telegram: 12, fs: 5, system: 20 },
      byStatus: { success: 31, error: 4, warning: 1, skipped: 1, pending: 0 },
    });
    assert.equal(r.previous.total, 4);
    assert.equal(r.previous.errors, 1);
    assert.equal(r.previous.start, "2021-10-31T00:00:00.000Z");
    assert.equal(
      r.previous.until,
      "2021-11-01T00:00:00.000Z",
      "a complete day is compared with the whole day before",
    );
    assert.deepEqual(r.affected, { chats: 2, files: 4 });
    assert.deepEqual(r.messages, {
      total: 3,
      received: 2,
      sent: 1,
      byChatType: { user: 2, bot: 0, self: 0, group: 0, supergroup: 0, channel: 1 },
    });
    // The owner's own deletion is counted apart and ranks no chat.
    assert.deepEqual(r.deletions, {
      total: 5,
      byKind: { deleted: 4, own: 1, auto_delete: 0 },
      topChats: [
        { chatId: 42, name: "Alice", count: 3 },
        { chatId: -1001234567890, name: null, count: 1 },
      ],
    });
    assert.equal(r.edits, 2);
    assert.deepEqual(r.files.byProject, [
      { project: "crm", created: 2, modified: 0, deleted: 1, renamed: 0, problems: 1 },
      { project: "", created: 0, modified: 1, deleted: 0, renamed: 0, problems: 0 },
    ]);
    assert.deepEqual(r.files.topOwners, [
      { owner: "alice", count: 3 },
      { owner: "bob", count: 1 },
    ]);
    // The two FILE_REFERENCE_EXPIRED failures differ only in a document id: one kind, counted twice.
    assert.equal(r.problems.distinct, 4);
    assert.deepEqual(
      r.problems.top.map((p: { count: number; type: string; message: string }) => [
        p.count,
        p.type,
        p.message,
      ]),
      [
        [2, "media.download_failed", "FILE_REFERENCE_EXPIRED for document N"],
        [1, "file.error", "EACCES: permission denied, open '…'"],
        [1, "updates.gap", "(no message)"],
        [1, "media.download_failed", "ENOSPC: no space left on device, write"],
      ],
    );
    assert.equal(r.problems.top[0].lastAt, "2021-11-01T09:00:00.000Z");
    assert.equal(r.problems.top[0].example, "FILE_REFERENCE_EXPIRED for document 67890");
    assert.deepEqual(r.durations, [
      { type: "housekeeping.run", count: 20, avgMs: 105, p95Ms: 190, p99Ms: 200, maxMs: 200 },
    ]);
    assert.deepEqual(r.days, [{ date: "2021-11-01", events: 37, errors: 4, warnings: 1 }]);
  });

  it("daily, text: the summary, the tables and the grouped errors a reader sees", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = report(cwd, env, ["daily", "--date", "2021-11-01"]);
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    assert.match(text, /^telegram-logger daily report: Monday 2021-11-01 \(UTC\)\n/);
    assert.match(text, /\n {2}events +37 {2}the day before: 4 \(\+825%\)\n/);
    assert.match(text, /\n {2}errors +4 {2}10\.8% of events; the day before: 1\n/);
    assert.match(
      text,
      /\n {2}messages stored +3 {2}user 2, channel 1\n {4}received +2\n {4}sent +1 {2}by you\n/,
    );
    assert.match(text, /\n {2}messages deleted +5 {2}recovered to the log chat: 4 by others, 1 by you\n/);
    assert.match(text, /\n {8}3 {2}Alice \(42\)\n {8}1 {2}-1001234567890\n/);
    assert.match(text, /\n {2}crm +2 +0 +1 +0 +1\n {2}\(none\) +0 +1 +0 +0 +0\n/);
    assert.match(
      text,
      /\n {6}2 {2}09:00 {2}error {4}media\.download_failed {2}FILE_REFERENCE_EXPIRED for document N\n/,
    );
    assert.match(text, /\n {2}housekeeping\.run +20 +105 +190 +200 +200\n/);
    assert.match(
      text,
      /\n {2}media\.download_failed +3 +0 +3 +0 +0 +0 +100\.0\n/,
      "the error rate of a type",
    );
    assert.doesNotMatch(text, /secret\.txt/, "quoted file names are masked in grouped messages");
    assert.doesNotMatch(text, /By day/, "a daily report has one day");
  });

  it("text: names and messages from others cannot break a line, rewrite the terminal or hide", (t) => {
    const { cwd, env } = dataRoot(t);
    const db = new Database(databaseFileOf(path.join(cwd, "data")));
    db.prepare("INSERT INTO peers (peer_id, type, name, updated_at) VALUES (43, 'user', ?, 0)").run(
      "\u001b[2J\u001b[31mMallory\r\nevents  999\u202Egnp.exe\u0007",
    );
    db.close();
    const r = report(cwd, env, ["daily", "--date", "2021-11-01"]);
    assert.equal(r.status, 0, r.stderr);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, "no control but line ends");
    assert.match(
      r.stdout,
      /\n +1 +0 +1 +0 +0 {2}\uFFFD\[2J\uFFFD\[31mMallory {2}events {2}999\uFFFDgnp\.exe\uFFFD \(43\)\n/,
    );
    const json = jsonReport(cwd, env, ["daily", "--date", "2021-11-01"]);
    assert.ok(
      json.affected !== undefined && JSON.stringify(json).includes("Mallory\\r\\nevents"),
      "JSON keeps the name as stored",
    );
  });

  it("days are cut at midnight in TZ unless --utc; --date yesterday; a running day says so", (t) => {
    const { cwd, env } = dataRoot(t);
    const berlin = { ...env, TZ: "Europe/Berlin" };
    const local = jsonReport(cwd, berlin, ["daily", "--date", "2021-11-02"]);
    assert.equal(local.timeZone, "Europe/Berlin");
    assert.equal(local.start, "2021-11-01T23:00:00.000Z");
    assert.equal(local.events.total, 1, "23:30 UTC is 00:30 on the 3rd in Berlin");
    const utc = jsonReport(cwd, berlin, ["daily", "--date", "2021-11-02", "--utc"]);
    assert.equal(utc.events.total, 0);
    // Today, so far: the period has not ended.
    const today = jsonReport(cwd, env, ["daily"]);
    assert.equal(today.complete, false);
    assert.equal(today.start, `${today.generatedAt.slice(0, 10)}T00:00:00.000Z`);
    assert.equal(
      Date.parse(today.previous.until) - Date.parse(today.previous.start),
      Date.parse(today.generatedAt) - Date.parse(today.start),
      "today so far is compared with the day before until the same time",
    );
    const text = report(cwd, env, ["daily", "--date", "today"]).stdout;
    assert.match(text, /, so far \(until \d\d:\d\d\)\n/);
    const yesterday = jsonReport(cwd, env, ["daily", "--date", "yesterday"]);
    assert.equal(Date.parse(today.start) - Date.parse(yesterday.start), 24 * H);
    const autumn = jsonReport(cwd, berlin, ["daily", "--date", "2021-10-31"]);
    assert.equal(Date.parse(autumn.end) - Date.parse(autumn.start), 25 * H, "clocks went back that night");
  });

  it("weekly: seven days from --date, a line per day, the week before to compare", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = jsonReport(cwd, env, ["weekly", "--date", "2021-10-26"]);
    assert.equal(r.start, "2021-10-26T00:00:00.000Z");
    assert.equal(r.end, "2021-11-02T00:00:00.000Z");
    assert.deepEqual(
      r.days.map((d: { date: string; events: number }) => [d.date, d.events]),
      [
        ["2021-10-26", 1],
        ["2021-10-27", 0],
        ["2021-10-28", 0],
        ["2021-10-29", 0],
        ["2021-10-30", 0],
        ["2021-10-31", 4],
        ["2021-11-01", 37],
      ],
    );
    assert.equal(r.events.total, 42);
    assert.equal(r.previous.total, 0);
    const next = jsonReport(cwd, env, ["weekly", "--date", "2021-11-01"]);
    assert.equal(next.previous.start, "2021-10-25T00:00:00.000Z");
    assert.deepEqual([next.previous.total, next.previous.errors], [5, 1], "the week before: 10-26 and 10-31");
    const text = report(cwd, env, ["weekly", "--date", "2021-10-26"]).stdout;
    assert.match(text, /^telegram-logger weekly report: 2021-10-26 to 2021-11-01 \(UTC\)\n/);
    assert.match(text, /\nBy day\n {2}date +events +errors +warnings\n {2}2021-10-26 +1 +0 +0\n/);
    assert.match(text, /\n {2}events +42 {2}the week before: 0 \(none before\)\n/);
    assert.match(text, /\n {6}2 {2}2021-11-01 09:00 {2}error/);
  });

  it("monthly: the calendar month of --date, a line per day, the month before, the most active chats", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = jsonReport(cwd, env, ["monthly", "--date", "2021-11-15"]);
    assert.equal(r.kind, "monthly");
    assert.equal(r.start, "2021-11-01T00:00:00.000Z");
    assert.equal(r.end, "2021-12-01T00:00:00.000Z");
    assert.equal(r.days.length, 30);
    assert.deepEqual(r.days[0], { date: "2021-11-01", events: 37, errors: 4, warnings: 1 });
    assert.equal(r.events.total, 37);
    assert.equal(r.previous.start, "2021-10-01T00:00:00.000Z");
    assert.equal(r.previous.end, "2021-11-01T00:00:00.000Z");
    assert.deepEqual([r.previous.total, r.previous.errors], [5, 1], "October: the 26th and the 31st");
    // Each chat has one message dated in November: ties go by chat id. Edits and deletions by
    // others are those recovered in the month; the owner's own deletion in chat 42 is not one.
    assert.deepEqual(r.activeChats, [
      { chatId: -1001234567890, name: null, messages: 1, received: 1, sent: 0, edits: 0, deletedByOthers: 1 },
      { chatId: 42, name: "Alice", messages: 1, received: 1, sent: 0, edits: 2, deletedByOthers: 3 },
      { chatId: 43, name: null, messages: 1, received: 0, sent: 1, edits: 0, deletedByOthers: 0 },
    ]);
    const october = jsonReport(cwd, { ...env, TZ: "Europe/Berlin" }, ["monthly", "--date", "2021-10-31"]);
    assert.equal(october.start, "2021-09-30T22:00:00.000Z");
    assert.equal(october.end, "2021-10-31T23:00:00.000Z", "clocks went back on the 31st");
    assert.equal(october.days.length, 31);
    assert.deepEqual(october.activeChats, [], "its message of 23:00 UTC on the 31st is November in Berlin");
    assert.equal(jsonReport(cwd, env, ["monthly", "--date", "2021-10-01"]).activeChats[0].chatId, 42);
    const lastMonth = jsonReport(cwd, env, ["monthly"]);
    assert.equal(lastMonth.complete, true, "by default the month just ended");
    assert.equal(lastMonth.start.slice(8), "01T00:00:00.000Z");
    assert.equal(
      lastMonth.end.slice(0, 7),
      lastMonth.generatedAt.slice(0, 7),
      "it ends where this month begins",
    );
    const thisMonth = jsonReport(cwd, env, ["monthly", "--date", "today"]);
    assert.equal(thisMonth.complete, false);
    const running = report(cwd, env, ["monthly", "--date", "today"]).stdout;
    assert.match(running, /, so far \(until \d\d:\d\d\)\n/);
    // Cut at the same elapsed time, named by date as well: unless last month was shorter than that.
    if (thisMonth.previous.until !== thisMonth.previous.end)
      assert.match(running, /\n {2}events +0 {2}the month before until \d{4}-\d\d-\d\d \d\d:\d\d: 0 /);
    const text = report(cwd, env, ["monthly", "--date", "2021-11-30"]).stdout;
    assert.match(text, /^telegram-logger monthly report: November 2021, 2021-11-01 to 2021-11-30 \(UTC\)\n/);
    assert.match(text, /\n {2}events +37 {2}the month before: 5 \(\+640%\)\n/);
    assert.match(
      text,
      /\nBy day\n {2}date +events +errors +warnings\n {2}2021-11-01 +37 +4 +1\n {2}2021-11-02 +0 +0 +0\n/,
    );
    assert.match(
      text,
      /\nMost active chats \(messages stored, most first\)\n {2}messages +received +sent +edited +deleted by others +chat\n(.*\n){1}.* +1 +1 +0 +2 +3 {2}Alice \(42\)\n/,
    );
  });

  it("a period before the oldest kept event says so; --top limits the lists", (t) => {
    const { cwd, env } = dataRoot(t);
    const old = report(cwd, env, ["daily", "--date", "2020-12-31"]);
    assert.equal(old.status, 0, old.stderr);
    assert.match(
      old.stdout,
      /The oldest event kept is from 2021-10-26 00:00, so this period may lack events:\nolder ones were archived/,
    );
    const top = jsonReport(cwd, env, ["daily", "--date", "2021-11-01", "--top", "1"]);
    assert.equal(top.deletions.topChats.length, 1);
    assert.equal(top.activeChats.length, 1);
    assert.equal(top.files.topOwners.length, 1);
    assert.equal(top.problems.top.length, 1);
    assert.equal(top.problems.distinct, 4);
  });

  it("--out: the report in a 0600 file, an existing one kept unless --force", (t) => {
    const { cwd, env } = dataRoot(t);
    const out = path.join(cwd, "daily.txt");
    const r = report(cwd, env, ["daily", "--date", "2021-11-01", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(statSync(out).mode & 0o777, 0o600);
    // The two runs may fall in different minutes: the "Generated" line is the one that may differ.
    const generated = (text: string) => text.replace(/^Generated .*$/m, "Generated …");
    assert.equal(
      generated(readFileSync(out, "utf8")),
      generated(report(cwd, env, ["daily", "--date", "2021-11-01"]).stdout),
    );
    writeFileSync(out, "keep me");
    const again = report(cwd, env, ["daily", "--date", "2021-11-01", "--out", out]);
    assert.equal(again.status, 73);
    assert.match(again.stderr, /exists \(pass --force to replace it\)/);
    assert.equal(readFileSync(out, "utf8"), "keep me");
    const forced = report(cwd, env, ["weekly", "--out", out, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(out, "utf8"), /^telegram-logger weekly report/);
  });

  it("refusals: usage 64 naming the flag (a stray word never echoed), 65, 66, locked 75", (t) => {
    const { cwd, env } = dataRoot(t);
    const cases: [string[], RegExp][] = [
      [[], /which report\? daily, weekly or monthly/],
      [["yearly"], /no such report \(the word given is not shown\): daily, weekly or monthly/],
      [["monthly", "--date", "2099-01-01"], /--date: 2099-01-01 has not begun yet/],
      [["daily", "--date", "2099-01-01"], /--date: 2099-01-01 has not begun yet/],
      [["daily", "--date", "2026-02-30"], /--date: "2026-02-30" is not a day/],
      [["daily", "--date", "last week"], /--date: "last week" is not a day/],
      [["daily", "--format", "xml"], /--format: "xml" is not text or json/],
      [["daily", "--top", "0"], /--top: "0" is not a number from 1 to 1000/],
      [["daily", "--top", "ten"], /--top: "ten" is not a number/],
      [["daily", "--force"], /--force needs --out FILE/],
      [["daily", "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = report(cwd, env, args);
      assert.equal(r.status, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: telegram-logger report daily\|weekly/);
      assert.equal(r.stdout, "");
    }
    const key = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkwYWI=";
    for (const args of [[key], ["daily", key]]) {
      const r = report(cwd, env, args);
      assert.equal(r.status, 64);
      assert.doesNotMatch(r.stderr, /c2VjcmV0/, "a stray argument may be a key: never echoed");
    }

    const badZone = report(cwd, { ...env, TZ: "Europe/Berln" }, ["daily"]);
    assert.equal(badZone.status, 78);
    assert.match(badZone.stderr, /configuration error: TZ: "Europe\/Berln" is not a time zone/);
    assert.equal(
      report(cwd, { ...env, TZ: "Europe/Berln" }, ["daily", "--utc"]).status,
      0,
      "--utc needs no zone",
    );

    assertDataRootRefusals(cwd, (env) => report(cwd, env, ["daily"]));

    const lock = new Database(databaseFileOf(env.DATA_ROOT!));
    t.after(() => lock.close());
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE");
    const locked = report(cwd, env, ["daily"]);
    lock.exec("ROLLBACK");
    assert.equal(locked.status, 75, locked.stderr);
    assert.match(locked.stderr, /is locked by another process; try again/);

    const help = runCommand(cwd, ["help", "report"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: telegram-logger report daily\|weekly/);
    assert.match(runCommand(cwd, ["--help"]).stdout, /\n {2}report {6}/);
  });
});
