/**
 * `telegram-logger export`, the real command on a real database: what each format writes, what
 * each filter selects, how `--out` behaves, and the refusals with their exit statuses.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { openStore } from "../../src/store/db.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { assertDataRootRefusals } from "../support/data-root-refusals.ts";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 8, 30); // 2026-11-01T08:30:00Z

const EVENTS: NewEvent[] = [
  {
    source: "fs",
    type: "file.created",
    status: "success",
    occurredAt: T0,
    path: "/w/a.txt",
    project: "crm",
    fileSize: 12,
    checksum: "ab12",
    correlationId: "c1",
  },
  {
    source: "telegram",
    type: "message.deleted",
    status: "success",
    occurredAt: T0 + DAY,
    chatId: -1001234567890,
    messageId: 7,
    details: { text: 'said "hi", then\nleft' },
  },
  {
    source: "fs",
    type: "file.modified",
    status: "error",
    occurredAt: T0 + 2 * DAY,
    path: "/w/b.txt",
    project: '=HYPERLINK("http://x")',
    error: "EACCES, permission denied",
  },
  { source: "system", type: "storage.failed", status: "warning", occurredAt: T0 + 3 * DAY, durationMs: 5 },
  {
    source: "telegram",
    type: "message.edited",
    status: "success",
    occurredAt: T0 + 4 * DAY,
    chatId: 42,
    messageId: 1,
    username: "+alice",
  },
];

/** A data folder whose database holds EVENTS (recorded in a shuffled order). */
function dataRoot(t: TestContext): { cwd: string; env: Record<string, string> } {
  const cwd = tempDir(t);
  const root = path.join(cwd, "data");
  const store = openStore(databaseFileOf(root));
  const events = new EventStore(store.db);
  for (const i of [3, 0, 4, 1, 2]) events.record(EVENTS[i]!, EVENTS[i]!.occurredAt + 1);
  store.close();
  return { cwd, env: { DATA_ROOT: root } };
}

function exportRun(cwd: string, env: Record<string, string>, args: string[]) {
  return runCommand(cwd, ["export", ...args], env);
}

const lines = (s: string) => s.split("\r\n").filter((l) => l !== "");

describe("telegram-logger export", () => {
  it("CSV: a header, rows oldest first, ISO times, quoted text and no formula", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = exportRun(cwd, env, []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^5 events exported\n$/);
    const out = lines(r.stdout);
    assert.equal(
      out[0],
      "id,occurred_at,recorded_at,source,type,status,chat_id,message_id,path,project,username,file_size,checksum,details,error,duration_ms,correlation_id",
    );
    assert.equal(
      out[1],
      "2,2026-11-01T08:30:00.000Z,2026-11-01T08:30:00.001Z,fs,file.created,success,,,/w/a.txt,crm,,12,ab12,,,,c1",
    );
    // The deleted message: a negative chat id stays a number; quotes doubled, the newline kept inside quotes.
    assert.ok(
      r.stdout.includes(
        '4,2026-11-02T08:30:00.000Z,2026-11-02T08:30:00.001Z,telegram,message.deleted,success,-1001234567890,7,,,,,,"{""text"":""said \\""hi\\"", then\\nleft""}",,,\r\n',
      ),
      r.stdout,
    );
    // Text a spreadsheet would run as a formula gets an apostrophe; commas and quotes are quoted.
    assert.ok(r.stdout.includes(',/w/b.txt,"\'=HYPERLINK(""http://x"")",'), r.stdout);
    assert.ok(r.stdout.includes(',"EACCES, permission denied",'));
    assert.ok(r.stdout.includes(",'+alice,"), "a username starting with + is not a formula");
    assert.equal(out.length, 6);
  });

  it("JSON lines: each row as the events archive stores it", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = exportRun(cwd, env, ["--format", "jsonl"]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, 5);
    assert.deepEqual(
      rows.map((x) => x.occurred_at),
      EVENTS.map((e) => e.occurredAt),
    );
    assert.deepEqual(rows[1], {
      id: 4,
      occurred_at: T0 + DAY,
      recorded_at: T0 + DAY + 1,
      source: "telegram",
      type: "message.deleted",
      status: "success",
      chat_id: -1001234567890,
      message_id: 7,
      path: null,
      project: null,
      username: null,
      file_size: null,
      checksum: null,
      details: JSON.stringify({ text: 'said "hi", then\nleft' }),
      error: null,
      duration_ms: null,
      correlation_id: null,
    });
  });

  it("filters narrow the selection: time, source, type (exact and prefix), status, chat", (t) => {
    const { cwd, env } = dataRoot(t);
    const typesOf = (args: string[]) => {
      const r = exportRun(cwd, env, ["--format", "jsonl", ...args]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { type: string }).type);
    };
    assert.deepEqual(typesOf(["--since", "2026-11-02", "--until", "2026-11-04T08:31Z"]), [
      "message.deleted",
      "file.modified",
      "storage.failed",
    ]);
    assert.deepEqual(typesOf(["--since", "2026-11-02T10:30+02:00"]), [
      "message.deleted",
      "file.modified",
      "storage.failed",
      "message.edited",
    ]);
    assert.deepEqual(typesOf(["--source", "fs"]), ["file.created", "file.modified"]);
    assert.deepEqual(typesOf(["--type", "file.*"]), ["file.created", "file.modified"]);
    assert.deepEqual(typesOf(["--type", "message.deleted,storage.failed"]), [
      "message.deleted",
      "storage.failed",
    ]);
    assert.deepEqual(typesOf(["--type", "message.deleted", "--type", "file.*"]), [
      "file.created",
      "message.deleted",
      "file.modified",
    ]);
    assert.deepEqual(typesOf(["--type", "file%"]), [], "LIKE wildcards match only themselves");
    assert.deepEqual(typesOf(["--status", "error,warning"]), ["file.modified", "storage.failed"]);
    assert.deepEqual(typesOf(["--chat", "-1001234567890"]), ["message.deleted"]);
    assert.deepEqual(typesOf(["--chat=42", "--source", "telegram"]), ["message.edited"]);
    assert.deepEqual(typesOf(["--since", "1d"]), [], "nothing in the last day");
    const csv = exportRun(cwd, env, ["--source", "system"]);
    assert.equal(lines(csv.stdout).length, 2, "the header and one row");
    const none = exportRun(cwd, env, ["--status", "pending"]);
    assert.equal(lines(none.stdout).length, 1, "an empty selection still has its header");
    assert.match(none.stderr, /^0 events exported/);
  });

  it("--out: the same bytes in a 0600 file; an existing file is kept unless --force", (t) => {
    const { cwd, env } = dataRoot(t);
    const stdout = exportRun(cwd, env, []).stdout;
    const r = exportRun(cwd, env, ["--out", "audit.csv"]);
    assert.equal(r.status, 0, r.stderr);
    const file = path.join(cwd, "audit.csv");
    assert.equal(readFileSync(file, "utf8"), stdout);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(r.stderr, /5 events exported to .*audit\.csv/);

    writeFileSync(file, "mine");
    const refused = exportRun(cwd, env, ["--out", "audit.csv", "--format", "jsonl"]);
    assert.equal(refused.status, 73);
    assert.match(refused.stderr, /audit\.csv exists \(pass --force/);
    assert.equal(readFileSync(file, "utf8"), "mine");

    const forced = exportRun(cwd, env, ["--out", "audit.csv", "--force", "--status", "error"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(lines(readFileSync(file, "utf8")).length, 2);

    const missing = exportRun(cwd, env, ["--out", "no/such/dir/a.csv"]);
    assert.equal(missing.status, 73);
    assert.match(missing.stderr, /cannot write/);
    assert.deepEqual(
      readdirSync(cwd).filter((n) => n.includes("partial")),
      [],
      "no temporary file left",
    );
  });

  it("a reader that stops early ends the export quietly", async (t) => {
    const { cwd, env } = dataRoot(t);
    const store = openStore(databaseFileOf(env.DATA_ROOT!));
    const events = new EventStore(store.db);
    store.transaction(() => {
      for (let i = 0; i < 20_000; i++) events.record({ ...EVENTS[0]!, path: `/w/${i}.txt` }, T0);
    });
    store.close();
    const child = spawn(process.execPath, [MAIN, "export"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  it("--bom starts a CSV with a UTF-8 byte-order mark", (t) => {
    const { cwd, env } = dataRoot(t);
    const r = exportRun(cwd, env, ["--bom", "--out", "excel.csv"]);
    assert.equal(r.status, 0, r.stderr);
    const bytes = readFileSync(path.join(cwd, "excel.csv"));
    assert.deepEqual([...bytes.subarray(0, 5)], [0xef, 0xbb, 0xbf, 0x69, 0x64], "BOM, then id,");
    assert.equal(exportRun(cwd, env, ["--bom", "--format", "jsonl"]).status, 64);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} during an export to a file leaves neither it nor its temporary file`, async (t) => {
      const { cwd, env } = dataRoot(t);
      const store = openStore(databaseFileOf(env.DATA_ROOT!));
      const events = new EventStore(store.db);
      store.transaction(() => {
        for (let i = 0; i < 300_000; i++) events.record({ ...EVENTS[1]!, messageId: i }, T0);
      });
      store.close();
      const out = path.join(cwd, "out");
      mkdirSync(out);
      const child = spawn(process.execPath, [MAIN, "export", "--out", "out/audit.csv"], {
        cwd,
        env: { PATH: process.env.PATH ?? "", ...env },
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // Waits for the temporary file to appear (the export is under way), then interrupts it.
      for (let i = 0; i < 600 && readdirSync(out).length === 0; i++) await sleep(10);
      assert.equal(readdirSync(out).length, 1, "the export started writing");
      child.kill(signal);
      assert.equal(await exited, signal === "SIGINT" ? 130 : 143);
      assert.deepEqual(readdirSync(out), [], "nothing left behind");
    });
  }

  it("a database another process holds locked is exit 75, try again", (t) => {
    const { cwd, env } = dataRoot(t);
    const lock = new Database(databaseFileOf(env.DATA_ROOT!));
    t.after(() => lock.close());
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE");
    const r = exportRun(cwd, env, []);
    lock.exec("ROLLBACK");
    assert.equal(r.status, 75, r.stderr);
    assert.match(r.stderr, /is locked by another process; try again/);
    assert.equal(r.stdout, "");
  });

  it("refusals name their cause: usage 64, not a database 65, no database 66", (t) => {
    const { cwd, env } = dataRoot(t);
    const cases: [string[], RegExp][] = [
      [["--since", "yesterday"], /--since: "yesterday" is not a date/],
      [["--since", "2026-02-31"], /--since: "2026-02-31" is not a date/],
      [["--since", "2026-11-03", "--until", "2026-11-02"], /--since must be before --until/],
      [["--source", "email"], /--source: unknown value "email"/],
      [["--status", "ok"], /--status: unknown value "ok"/],
      [["--format", "xml"], /--format: "xml" is not csv or jsonl/],
      [["--chat", "alice"], /--chat: "alice" is not a chat id/],
      [["--force"], /--force needs --out FILE/],
      [["--chat", ""], /--chat needs a value/],
      [["--type", " "], /--type needs a value/],
      [["--status", ","], /--status needs a value/],
      [["--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = exportRun(cwd, env, args);
      assert.equal(r.status, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: telegram-logger export/);
      assert.equal(r.stdout, "");
    }
    assertDataRootRefusals(cwd, (env) => exportRun(cwd, env, []));

    const help = runCommand(cwd, ["help", "export"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: telegram-logger export/);
    const misplaced = runCommand(cwd, ["run", "export"]);
    assert.equal(misplaced.status, 64);
  });
});
