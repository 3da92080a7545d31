import assert from "node:assert/strict";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { spawnFileAuditService, waitFor, writeWatchConfig } from "./support.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

describe("telegram-logger scan and file audit without Telegram", () => {
  it("scan records a baseline, then what changed, into file_events", (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(docs);
    writeFileSync(path.join(docs, "a.docx"), "a");
    writeWatchConfig(path.join(dir, "watch.json"), {
      directories: [{ path: "docs", project: "CRM", include: ["*.docx"] }],
    });
    const env = {
      DATA_ROOT: path.join(dir, "data"),
      WATCH_CONFIG: path.join(dir, "watch.json"),
      LOG_LEVEL: "warn",
    };
    const first = runCommand(dir, ["scan"], env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /CRM \(.*docs\): 1 files, baseline recorded/);
    writeFileSync(path.join(docs, "b.docx"), "b");
    writeFileSync(path.join(docs, "a.docx"), "a changed");
    writeFileSync(path.join(docs, "c.txt"), "not included");
    const second = runCommand(dir, ["scan"], env);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /2 files, 1 created, 1 modified, 0 deleted, 0 renamed/);
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const rows = db.prepare("SELECT event_type, path, project FROM file_events ORDER BY path").all();
    assert.deepEqual(rows, [
      { event_type: "modified", path: path.join(docs, "a.docx"), project: "CRM" },
      { event_type: "created", path: path.join(docs, "b.docx"), project: "CRM" },
    ]);
  });

  it("the rows of one pass share a correlation id; another pass has its own", (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(docs);
    writeWatchConfig(path.join(dir, "watch.json"), { directories: [{ path: "docs" }] });
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: path.join(dir, "watch.json") };
    assert.equal(runCommand(dir, ["scan"], env).status, 0);
    writeFileSync(path.join(docs, "a.txt"), "a");
    writeFileSync(path.join(docs, "b.txt"), "b");
    assert.equal(runCommand(dir, ["scan"], env).status, 0);
    writeFileSync(path.join(docs, "c.txt"), "c");
    assert.equal(runCommand(dir, ["scan"], env).status, 0);
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const rows = db
      .prepare("SELECT path, correlation_id AS id FROM events WHERE type = 'file.created' ORDER BY path")
      .all() as Array<{ path: string; id: string | null }>;
    assert.equal(rows.length, 3);
    assert.match(rows[0]!.id ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(rows[1]!.id, rows[0]!.id, "a.txt and b.txt were found by one pass");
    assert.notEqual(rows[2]!.id, rows[0]!.id, "c.txt by another");
    const indexed = db
      .prepare("SELECT name FROM pragma_index_list('events') WHERE name IN (SELECT name FROM sqlite_master)")
      .pluck()
      .all()
      .filter(
        (name) =>
          db.prepare("SELECT name FROM pragma_index_info(?)").pluck().all(name).join() === "correlation_id",
      );
    assert.equal(indexed.length, 1, "an index on correlation_id alone");
  });

  it("scan records a folder renamed between two scans as one renamed row", (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(path.join(docs, "2023", "q1"), { recursive: true });
    for (const n of ["a.docx", "b.docx", "q1/c.docx"]) writeFileSync(path.join(docs, "2023", n), n);
    writeWatchConfig(path.join(dir, "watch.json"), { directories: [{ path: "docs", project: "CRM" }] });
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: path.join(dir, "watch.json") };
    assert.equal(runCommand(dir, ["scan"], env).status, 0);
    renameSync(path.join(docs, "2023"), path.join(docs, "archive-2023"));
    const second = runCommand(dir, ["scan"], env);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /3 files, 0 created, 0 modified, 0 deleted, 1 renamed/);
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const rows = db.prepare("SELECT event_type, path, details FROM file_events").all() as Array<{
      event_type: string;
      path: string;
      details: string;
    }>;
    assert.deepEqual(
      rows.map((r) => ({ ...r, details: JSON.parse(r.details) })),
      [
        {
          event_type: "renamed",
          path: path.join(docs, "archive-2023"),
          details: { root: docs, oldPath: path.join(docs, "2023"), kind: "directory", files: 3 },
        },
      ],
    );
    const snapshot = db.prepare("SELECT rel FROM file_state ORDER BY rel").all();
    assert.deepEqual(snapshot, [
      { rel: "archive-2023/a.docx" },
      { rel: "archive-2023/b.docx" },
      { rel: "archive-2023/q1/c.docx" },
    ]);
  });

  it("exits 78 naming the field of a bad watch config", (t) => {
    const dir = tempDir(t);
    writeWatchConfig(path.join(dir, "watch.json"), {
      directories: [{ path: "/x" }, { path: "/y", include: ["*.docx", 7] }],
    });
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: path.join(dir, "watch.json") };
    for (const command of ["scan", "run"]) {
      const r = runCommand(dir, [command], env);
      assert.equal(r.status, 78, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /WATCH_CONFIG: directories\[1\]\.include\[1\]: /);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });

  it("scan reports an unreachable folder as offline with status 1", (t) => {
    const dir = tempDir(t);
    writeWatchConfig(path.join(dir, "watch.json"), { directories: [{ path: "missing" }] });
    const r = runCommand(dir, ["scan"], {
      DATA_ROOT: path.join(dir, "data"),
      WATCH_CONFIG: path.join(dir, "watch.json"),
    });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /offline: folder not found/);
  });

  it("run with a watch config and no Telegram credentials audits files alone and says so", async (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(docs);
    writeWatchConfig(path.join(dir, "watch.json"), { settle_ms: 100, directories: [{ path: "docs" }] });
    const svc = spawnFileAuditService(t, dir, process.execPath, [MAIN, "run"]);
    // The first scan of a new folder is a silent baseline: write only once it is recorded.
    await waitFor(() => svc.output().includes('"msg":"reconciled"'), {
      what: "the baseline scan",
      timeoutMs: 20_000,
    });
    assert.match(svc.output(), /no Telegram credentials configured: running the file audit alone/);
    writeFileSync(path.join(docs, "x.txt"), "x");
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const created = () => db.prepare("SELECT path FROM file_events WHERE event_type = 'created'").all();
    await waitFor(() => created().length === 1, { what: "the created row", timeoutMs: 60_000 }).catch(
      (err) => {
        throw new Error(`${err.message}; the service said:\n${svc.output()}`);
      },
    );
    assert.deepEqual(created(), [{ path: path.join(docs, "x.txt") }]);
    const { id } = db
      .prepare("SELECT correlation_id AS id FROM events WHERE type = 'file.created'")
      .get() as {
      id: string | null;
    };
    assert.match(id ?? "", /^[0-9a-f-]{36}$/, "a change seen live carries its batch's id");
    const baseline = JSON.parse(
      svc
        .output()
        .split("\n")
        .find((l) => l.includes('"msg":"reconciled"'))!,
    );
    assert.match(baseline.correlationId, /^[0-9a-f-]{36}$/, "the pass's log line names its id");
    const exited = new Promise<number | null>((r) => svc.child.once("exit", (code) => r(code)));
    svc.child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
