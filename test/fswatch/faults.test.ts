import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { tempDir } from "../support/tmp.ts";
import { startAudit, waitFor, writeWatchConfig } from "./support.ts";

const TIMING = { settle_ms: 100, rename_window_ms: 300 };

describe("file audit: bad input, live reconfiguration, digests, bursts", () => {
  it("skips special files and non-UTF-8 names with a reason, records links without following loops", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    execFileSync("mkfifo", [path.join(docs, "pipe")]);
    const sock = net.createServer().listen(path.join(docs, "sock"));
    t.after(() => sock.close());
    await new Promise((r) => sock.once("listening", r));
    writeFileSync(Buffer.from(`${docs}/bad-\xff-name.txt`, "latin1"), "x");
    symlinkSync("loop-b", path.join(docs, "loop-a"));
    symlinkSync("loop-a", path.join(docs, "loop-b"));
    symlinkSync(".", path.join(docs, "self"));
    writeFileSync(path.join(docs, `${"n".repeat(250)}.txt`), "long name");
    const f = await startAudit(
      t,
      { ...TIMING, directories: [{ path: docs, emit_on_start: true, compute_checksum: true }] },
      base,
    );
    await f.app.idle();
    const skipped = f
      .events("file.skipped")
      .map((e) => [path.basename(e.path!).slice(0, 6), String(e.details.reason).slice(0, 20)]);
    assert.deepEqual(skipped.sort(), [
      ["bad-\uFFFD-", "name is not valid UT"],
      ["pipe", "special file (a FIFO"],
      ["sock", "special file (a sock"],
    ]);
    const created = f.events("file.created").map((e) => [path.basename(e.path!).slice(0, 6), e.details.kind]);
    assert.deepEqual(created.sort(), [
      ["loop-a", "symlink"],
      ["loop-b", "symlink"],
      ["nnnnnn", "file"],
      ["self", "symlink"],
    ]);
    // The rest keeps working.
    writeFileSync(path.join(docs, "after.txt"), "ok");
    await waitFor(() => f.events("file.created").some((e) => e.path === path.join(docs, "after.txt")));
    assert.equal(f.events("file.error").length, 0);
  });

  it("a change that could not be written (database locked) is recorded by the pass that follows", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const root = path.join(base, "docs");
    mkdirSync(root);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: root }] }, base);
    await waitFor(() => f.app.fileAudit?.status()[0]?.lastScanAt, { what: "the first pass done" });
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    f.app.store.sqlite.pragma("busy_timeout = 20");
    other.exec("BEGIN IMMEDIATE");
    writeFileSync(path.join(root, "while-locked.txt"), "written while the database was locked");
    await waitFor(() => f.app.fileAudit?.status()[0]?.lastError?.includes("locked"), {
      what: "the write failed",
    });
    await waitFor(() => f.app.fileAudit?.settled, { what: "nothing left but the pass that follows" });
    other.exec("COMMIT");
    const created = await waitFor(
      () => f.events("file.created").find((e) => e.path?.endsWith("while-locked.txt")),
      {
        what: "the file recorded after the lock is gone",
      },
    );
    assert.equal(created?.status, "success");
  });

  it("a config change that failed on storage does not block the next one, nor the stop", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const root = path.join(base, "docs");
    mkdirSync(root);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: root }] }, base);
    await waitFor(() => f.app.fileAudit?.status()[0]?.lastScanAt, { what: "the first pass done" });
    const audit = f.app.fileAudit!;
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    f.app.store.sqlite.pragma("busy_timeout = 20");
    other.exec("BEGIN IMMEDIATE");
    // A folder that is missing goes offline at once, which is written down: that write fails.
    const missing = path.join(base, "missing");
    await assert.rejects(
      audit.apply({ ...audit.config!, directories: [{ ...audit.config!.directories[0]!, path: missing }] }),
      /locked|busy/i,
    );
    other.exec("COMMIT");
    const second = path.join(base, "second");
    mkdirSync(second);
    await audit.apply({
      ...audit.config!,
      directories: [{ ...audit.config!.directories[0]!, path: second }],
    });
    assert.deepEqual(
      audit.status().map((r) => r.root),
      [second],
    );
    await f.stop();
  });

  it("applies edits of the watch config live; an invalid edit is reported and the old config stays", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const a = path.join(base, "a");
    const b = path.join(base, "b");
    mkdirSync(a);
    mkdirSync(b);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: a }] }, base);
    await f.app.idle();
    writeWatchConfig(f.configFile, { ...TIMING, directories: [{ path: a }, { path: b, project: "bee" }] });
    await waitFor(() => f.app.fileAudit!.status().length === 2, { what: "root b added" });
    await f.app.idle();
    writeFileSync(path.join(b, "1.txt"), "1");
    await waitFor(() => f.events("file.created").length === 1, { what: "created in b" });

    writeWatchConfig(f.configFile, { ...TIMING, directories: [{ path: a, include: [42] }] });
    await waitFor(() => f.events("watch.config_rejected").length === 1, { what: "rejected edit" });
    assert.match(f.events("watch.config_rejected")[0]!.error!, /directories\[0\]\.include\[0\]/);
    assert.equal(f.app.fileAudit!.status().length, 2, "previous config stays");

    writeWatchConfig(f.configFile, { ...TIMING, directories: [{ path: b, project: "bee" }] });
    await waitFor(() => f.app.fileAudit!.status().length === 1, { what: "root a removed" });
    await f.app.idle();
    writeFileSync(path.join(a, "ignored.txt"), "not watched any more");
    writeFileSync(path.join(b, "2.txt"), "2");
    await waitFor(() => f.events("file.created").length === 2, { what: "created in b" });
    await f.app.idle();
    assert.deepEqual(
      f.events("file.created").map((e) => e.path),
      [path.join(b, "1.txt"), path.join(b, "2.txt")],
    );
  });

  it("folds changes into one digest post per window, per the root's notify", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    const quiet = path.join(base, "quiet");
    mkdirSync(docs);
    mkdirSync(quiet);
    const f = await startAudit(
      t,
      {
        ...TIMING,
        directories: [
          { path: docs, project: "docs", notify: "all", digest_window: 0.5 },
          { path: quiet, notify: "deletions", digest_window: 0.5 },
        ],
      },
      base,
    );
    await f.app.idle();
    for (let i = 0; i < 25; i++) writeFileSync(path.join(docs, `${i}.txt`), String(i));
    writeFileSync(path.join(quiet, "q.txt"), "created, not posted");
    const outbox = () =>
      f.app.store.sqlite
        .prepare("SELECT kind, text, topic, attachment FROM outbox ORDER BY id")
        .all() as Array<{
        kind: string;
        text: string;
        topic: string;
        attachment: string | null;
      }>;
    await waitFor(() => outbox().length === 1, { what: "digest" });
    await f.app.idle();
    const [post] = outbox();
    assert.equal(post!.kind, "files.digest");
    assert.equal(post!.topic, "docs");
    assert.match(post!.text, /^docs: 25 created/);
    const attachment = JSON.parse(post!.attachment!) as { type: string; text: string };
    assert.equal(attachment.text.split("\n").filter((l) => l.startsWith("created")).length, 25);
  });

  it("a digest whose window ends while the database is locked is posted once it is free", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    const f = await startAudit(
      t,
      { ...TIMING, directories: [{ path: docs, project: "docs", notify: "all", digest_window: 1 }] },
      base,
    );
    await f.app.idle();
    writeFileSync(path.join(docs, "a.txt"), "a");
    await waitFor(() => f.events("file.created").length === 1, { what: "the created row" });
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    f.app.store.sqlite.pragma("busy_timeout = 20");
    other.exec("BEGIN IMMEDIATE");
    await new Promise((r) => setTimeout(r, 1500)); // the window ends while the lock is held
    const digests = () =>
      f.app.store.sqlite.prepare("SELECT text FROM outbox WHERE kind = 'files.digest'").pluck().all();
    assert.deepEqual(digests(), []);
    other.exec("COMMIT");
    await waitFor(() => digests().length === 1, { what: "the digest, once the lock is gone" });
    assert.match(String(digests()[0]), /^docs: 1 created/);
  });

  it("records every file of a 20,000-file burst exactly once", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: docs }] }, base);
    await f.app.idle();
    for (let d = 0; d < 20; d++) {
      mkdirSync(path.join(docs, `d${d}`));
      for (let i = 0; i < 1000; i++) writeFileSync(path.join(docs, `d${d}`, `${i}.txt`), "x");
    }
    const count = () =>
      f.app.store.sqlite
        .prepare("SELECT count(*) AS n, count(DISTINCT path) AS p FROM events WHERE type = 'file.created'")
        .get() as {
        n: number;
        p: number;
      };
    await waitFor(() => count().n >= 20_000, { what: "20,000 created rows", timeoutMs: 60_000 });
    await f.app.idle();
    assert.deepEqual(count(), { n: 20_000, p: 20_000 });
    assert.equal(f.events().filter((e) => e.type !== "file.created").length, 0);
  });
});
