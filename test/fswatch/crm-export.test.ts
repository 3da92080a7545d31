import assert from "node:assert/strict";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { systemClock } from "../../src/clock.ts";
import { WatchConfigError } from "../../src/fswatch/config/watch-config.ts";
import { CrmExport } from "../../src/fswatch/crm/crm-export.ts";
import { CrmExportLoop } from "../../src/fswatch/crm/crm-export-loop.ts";
import { silentLogger } from "../../src/log.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { spawnFileAuditService, waitFor, writeWatchConfig } from "./support.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

function storeIn(t: TestContext, dir: string): Store {
  const store = openStore(path.join(dir, "db", "telegram-logger.sqlite"));
  t.after(() => store.close());
  return store;
}

const fileEvent = (type: string, p: string): NewEvent => ({
  source: "fs",
  type,
  status: "success",
  occurredAt: Date.parse("2026-01-02T03:04:05.678Z"),
  path: p,
  project: "CRM",
  username: "team-a",
  fileSize: 3,
  checksum: "abc",
  details: { root: "/docs" },
});

const messageEvent: NewEvent = {
  source: "telegram",
  type: "message.deleted",
  status: "success",
  occurredAt: 1,
};

function crmRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare("SELECT event_time, event_type, path, project, username FROM file_events ORDER BY id")
      .all();
  } finally {
    db.close();
  }
}

describe("CRM database (database.path)", () => {
  it("copies file changes only, once, in the CRM's columns", (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    events.record(fileEvent("file.created", "/docs/a.docx"), 1);
    events.record(messageEvent, 1);
    events.record({ ...fileEvent("file.error", "/docs/x"), status: "error" }, 1);
    events.record(fileEvent("file.renamed", "/docs/b.docx"), 1);
    const file = path.join(dir, "file_events.db");
    const crm = new CrmExport(store.sqlite, file, 100);
    t.after(() => crm.close());
    while (crm.copyBatch()) {}
    const first = [
      {
        event_time: "2026-01-02T03:04:05.678Z",
        event_type: "created",
        path: "/docs/a.docx",
        project: "CRM",
        username: "team-a",
      },
      {
        event_time: "2026-01-02T03:04:05.678Z",
        event_type: "renamed",
        path: "/docs/b.docx",
        project: "CRM",
        username: "team-a",
      },
    ];
    assert.deepEqual(crmRows(file), first);
    assert.equal(crm.copyBatch(), false);
    events.record(fileEvent("file.deleted", "/docs/a.docx"), 1);
    while (crm.copyBatch()) {}
    assert.deepEqual(crmRows(file), [...first, { ...first[0], event_type: "deleted" }]);
  });

  it("appends to the CRM service's own file, keeping its rows, across many batches", (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "file_events.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE file_events (id INTEGER PRIMARY KEY AUTOINCREMENT, event_time TEXT, event_type TEXT,
      path TEXT, project TEXT, username TEXT, file_size INTEGER, checksum TEXT, details TEXT)`);
    old
      .prepare("INSERT INTO file_events (event_time, event_type, path) VALUES ('2024', 'created', '/old')")
      .run();
    old.close();
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    store.transaction(() => {
      for (let i = 0; i < 2_500; i++) events.record(fileEvent("file.modified", `/docs/${i}`), 1);
    });
    const crm = new CrmExport(store.sqlite, file, 100);
    t.after(() => crm.close());
    let batches = 0;
    while (crm.copyBatch()) batches++;
    assert.ok(batches >= 2, "a long backlog goes in several transactions");
    const rows = crmRows(file) as Array<{ path: string }>;
    assert.equal(rows.length, 2_501);
    assert.equal(rows[0]!.path, "/old");
    assert.equal(rows[2_500]!.path, "/docs/2499");
  });

  it("waits out a lock held by the CRM and loses nothing", (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    const file = path.join(dir, "file_events.db");
    const crm = new CrmExport(store.sqlite, file, 20);
    t.after(() => crm.close());
    events.record(fileEvent("file.created", "/docs/a.docx"), 1);
    const reader = new Database(file);
    reader.exec("BEGIN EXCLUSIVE");
    assert.throws(() => crm.copyBatch(), /locked|busy/i);
    reader.exec("ROLLBACK");
    reader.close();
    while (crm.copyBatch()) {}
    assert.equal(crmRows(file).length, 1);
  });

  it("a file the CRM holds locked from the start is a wait, not a wrong setting; a new file is 0600", (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    const file = path.join(dir, "file_events.db");
    const crmSide = new Database(file);
    crmSide.exec("CREATE TABLE note (x); BEGIN EXCLUSIVE");
    const crm = new CrmExport(store.sqlite, file, 20);
    t.after(() => crm.close());
    events.record(fileEvent("file.created", "/docs/a.docx"), 1);
    assert.throws(() => crm.copyBatch(), /locked|busy/i);
    crmSide.exec("ROLLBACK");
    crmSide.close();
    while (crm.copyBatch()) {}
    assert.equal(crmRows(file).length, 1);
    const fresh = path.join(dir, "fresh.db");
    new CrmExport(store.sqlite, fresh, 20).close();
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
  });

  it("opens a replaced file anew and gives it every change still kept", (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    const file = path.join(dir, "file_events.db");
    const crm = new CrmExport(store.sqlite, file, 100);
    t.after(() => crm.close());
    events.record(fileEvent("file.created", "/docs/a.docx"), 1);
    while (crm.copyBatch()) {}
    rmSync(file);
    events.record(fileEvent("file.created", "/docs/b.docx"), 1);
    while (crm.copyBatch()) {}
    assert.deepEqual(
      (crmRows(file) as Array<{ path: string }>).map((r) => r.path),
      ["/docs/a.docx", "/docs/b.docx"],
    );
  });

  it("refuses a file that is not a CRM database, naming database.path", (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const garbage = path.join(dir, "garbage.db");
    writeFileSync(garbage, "this is not SQLite at all, just some words to fill a page".repeat(100));
    assert.throws(
      () => new CrmExport(store.sqlite, garbage, 100),
      (err) =>
        err instanceof WatchConfigError && /database\.path: .*garbage\.db cannot be used/.test(err.message),
    );
    const wrong = path.join(dir, "wrong.db");
    const db = new Database(wrong);
    db.exec("CREATE TABLE file_events (id INTEGER PRIMARY KEY, path TEXT)");
    db.close();
    assert.throws(
      () => new CrmExport(store.sqlite, wrong, 100),
      (err) =>
        err instanceof WatchConfigError && /without the column\(s\) event_time, event_type/.test(err.message),
    );
  });

  it("scan fills the CRM database; a bad database.path exits 78 naming it", (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(docs);
    writeWatchConfig(path.join(dir, "watch.json"), {
      database: { path: "./file_events.db" },
      directories: [{ path: "docs", project: "CRM" }],
    });
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: path.join(dir, "watch.json") };
    const scan = () => runCommand(dir, ["scan"], env);
    assert.equal(scan().status, 0);
    writeFileSync(path.join(docs, "a.docx"), "a");
    const second = scan();
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(
      (crmRows(path.join(dir, "file_events.db")) as Array<{ event_type: string; path: string }>).map((r) => [
        r.event_type,
        r.path,
      ]),
      [["created", path.join(docs, "a.docx")]],
    );
    writeWatchConfig(path.join(dir, "watch.json"), {
      database: { path: "./data/db/telegram-logger.sqlite" },
      directories: [{ path: "docs", project: "CRM" }],
    });
    const own = scan();
    assert.equal(own.status, 78);
    assert.match(own.stderr, /WATCH_CONFIG: database\.path: is the service's own database/);
  });

  it("the running service copies changes shortly after it records them", async (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(docs);
    const crmFile = path.join(dir, "crm", "file_events.db");
    mkdirSync(path.dirname(crmFile));
    writeWatchConfig(path.join(dir, "watch.json"), {
      database: { path: "crm/file_events.db" },
      directories: [{ path: "docs", project: "CRM" }],
    });
    const svc = spawnFileAuditService(t, dir, process.execPath, [MAIN, "run"]);
    await waitFor(() => svc.output().includes('"msg":"reconciled"'), {
      timeoutMs: 20_000,
      what: "the baseline",
    });
    writeFileSync(path.join(docs, "live.docx"), "x");
    const rows = await waitFor(
      () => {
        try {
          const r = crmRows(crmFile) as Array<{ event_type: string; path: string }>;
          return r.length > 0 ? r : null;
        } catch {
          return null; // not created yet
        }
      },
      { timeoutMs: 20_000, what: "the CRM row" },
    );
    assert.deepEqual(
      rows?.map((r) => [r.event_type, r.path]),
      [["created", path.join(docs, "live.docx")]],
    );
    // An edit naming an unusable file is rejected; the previous CRM database keeps getting rows.
    writeFileSync(path.join(dir, "garbage.db"), "not SQLite ".repeat(500));
    writeWatchConfig(path.join(dir, "watch.json"), {
      database: { path: "garbage.db" },
      directories: [{ path: "docs", project: "CRM" }],
    });
    const main = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => main.close());
    const rejected = await waitFor(
      () =>
        main.prepare("SELECT error FROM events WHERE type = 'watch.config_rejected'").get() as
          | { error: string }
          | undefined,
      { timeoutMs: 20_000, what: "the rejected edit" },
    );
    assert.match(rejected?.error ?? "", /database\.path: .*garbage\.db cannot be used/);
    writeFileSync(path.join(docs, "after.docx"), "y");
    await waitFor(() => crmRows(crmFile).length === 2, { timeoutMs: 20_000, what: "the second CRM row" });
    // Moved to another file: it gets every change kept so far, then the new ones; the old one stops.
    writeWatchConfig(path.join(dir, "watch.json"), {
      database: { path: "moved.db" },
      directories: [{ path: "docs", project: "CRM" }],
    });
    const moved = path.join(dir, "moved.db");
    await waitFor(
      () => {
        try {
          return crmRows(moved).length === 2;
        } catch {
          return false; // not created yet
        }
      },
      { timeoutMs: 20_000, what: "the history in the new file" },
    );
    writeFileSync(path.join(docs, "third.docx"), "z");
    await waitFor(() => crmRows(moved).length === 3, {
      timeoutMs: 20_000,
      what: "a new change in the new file",
    });
    assert.equal(crmRows(crmFile).length, 2, "the old file gets no more rows");
  });
});

describe("CRM database in the running service", () => {
  it("is brought up to date once the CRM's lock goes, and at stop", async (t) => {
    const dir = tempDir(t);
    const store = storeIn(t, dir);
    const events = new EventStore(store.db);
    const file = path.join(dir, "file_events.db");
    const loop = new CrmExportLoop(new CrmExport(store.sqlite, file, 20), systemClock, silentLogger());
    const reader = new Database(file);
    reader.exec("BEGIN EXCLUSIVE");
    events.record(fileEvent("file.created", "/docs/a.docx"), 1);
    loop.start();
    reader.exec("ROLLBACK");
    reader.close();
    await waitFor(() => crmRows(file).length === 1, { what: "the row after the lock" });
    events.record(fileEvent("file.created", "/docs/b.docx"), 1);
    await loop.stop();
    assert.deepEqual(
      (crmRows(file) as Array<{ path: string }>).map((r) => r.path),
      ["/docs/a.docx", "/docs/b.docx"],
    );
  });
});
