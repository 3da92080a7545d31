import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/tmp.ts";
import { startAudit, waitFor } from "./support.ts";

const TIMING = { settle_ms: 100, rename_window_ms: 300 };

function fileTypes(events: Array<{ type: string }>): string[] {
  return events.map((e) => e.type).filter((t) => t.startsWith("file."));
}

describe("file audit on real folders", () => {
  // The live behaviours, with each watcher: their events are hints, so the rows must be the same.
  for (const watcher of ["chokidar", "fs-watch"] as const) {
    it(`records created, modified, renamed and deleted, one event each (${watcher})`, async (t) => {
      const base = tempDir(t, "tl-fsw-");
      const docs = path.join(base, "docs");
      mkdirSync(docs);
      const f = await startAudit(
        t,
        { ...TIMING, watcher, directories: [{ path: docs, project: "docs", username: "team-a" }] },
        base,
      );
      await f.app.idle();
      const a = path.join(docs, "a.txt");
      writeFileSync(a, "one\n");
      await waitFor(() => f.events("file.created").length === 1, { what: "created" });
      appendFileSync(a, "two\n");
      await waitFor(() => f.events("file.modified").length === 1, { what: "modified" });
      const b = path.join(docs, "b.txt");
      renameSync(a, b);
      await waitFor(() => f.events("file.renamed").length === 1, { what: "renamed" });
      unlinkSync(b);
      await waitFor(() => f.events("file.deleted").length === 1, { what: "deleted" });
      await f.app.idle();
      const all = f.events();
      assert.deepEqual(fileTypes(all), ["file.created", "file.modified", "file.renamed", "file.deleted"]);
      const renamed = all.find((e) => e.type === "file.renamed")!;
      assert.equal(renamed.path, b);
      assert.equal(renamed.details.oldPath, a);
      assert.equal(renamed.details.root, docs);
      assert.equal(renamed.file_size, 8);
      assert.equal(typeof renamed.details.owner, "string");
      const row = f.app.store.sqlite
        .prepare("SELECT project, username, occurred_at, recorded_at FROM events WHERE type = 'file.created'")
        .get() as {
        project: string;
        username: string;
        occurred_at: number;
        recorded_at: number;
      };
      assert.equal(row.project, "docs");
      assert.equal(row.username, "team-a");
      assert.ok(row.occurred_at <= row.recorded_at, "seen before stored");
    });

    it(`gives one \`modified\` for editor-style saves: temp + rename, vim backup, Office lock files (${watcher})`, async (t) => {
      const base = tempDir(t, "tl-fsw-");
      const docs = path.join(base, "docs");
      mkdirSync(docs);
      writeFileSync(path.join(docs, "a.txt"), "v1\n");
      writeFileSync(path.join(docs, "report.docx"), "doc v1");
      const f = await startAudit(
        t,
        {
          ...TIMING,
          watcher,
          directories: [{ path: docs, exclude: ["~$*", "~*.tmp"], compute_checksum: true }],
        },
        base,
      );
      await f.app.idle();
      assert.deepEqual(fileTypes(f.events()), [], "silent baseline");

      // Atomic save: write a temp file, rename it over the target.
      writeFileSync(path.join(docs, ".a.txt.tmp-123"), "v2\n");
      renameSync(path.join(docs, ".a.txt.tmp-123"), path.join(docs, "a.txt"));
      await waitFor(() => f.events("file.modified").length === 1, { what: "atomic save" });
      await f.app.idle();

      // vim: move the original to a~ backup, write a new file, remove the backup.
      renameSync(path.join(docs, "a.txt"), path.join(docs, "a.txt~"));
      writeFileSync(path.join(docs, "a.txt"), "v3\n");
      unlinkSync(path.join(docs, "a.txt~"));
      await waitFor(() => f.events("file.modified").length === 2, { what: "vim save" });
      await f.app.idle();

      // Word: lock file, temp file, old version renamed away, temp renamed in, cleanup.
      writeFileSync(path.join(docs, "~$report.docx"), "lock");
      writeFileSync(path.join(docs, "~WRD0001.tmp"), "doc v2");
      renameSync(path.join(docs, "report.docx"), path.join(docs, "~WRL0001.tmp"));
      renameSync(path.join(docs, "~WRD0001.tmp"), path.join(docs, "report.docx"));
      unlinkSync(path.join(docs, "~WRL0001.tmp"));
      unlinkSync(path.join(docs, "~$report.docx"));
      await waitFor(() => f.events("file.modified").length === 3, { what: "Office save" });
      await f.app.idle();

      const all = f.events();
      assert.deepEqual(fileTypes(all), ["file.modified", "file.modified", "file.modified"]);
      const last = all.at(-1)!;
      assert.equal(last.path, path.join(docs, "report.docx"));
      assert.equal(last.checksum, createHash("sha256").update("doc v2").digest("hex"));
    });
  }

  it("finds what changed while the service was down", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    for (const n of ["keep", "edit", "gone", "move"]) writeFileSync(path.join(docs, `${n}.txt`), n);
    let f = await startAudit(t, { ...TIMING, directories: [{ path: docs, compute_checksum: true }] }, base);
    await f.app.idle();
    await f.stop();
    writeFileSync(path.join(docs, "edit.txt"), "edited while down");
    unlinkSync(path.join(docs, "gone.txt"));
    renameSync(path.join(docs, "move.txt"), path.join(docs, "moved.txt"));
    writeFileSync(path.join(docs, "new.txt"), "new");
    f = await f.restart();
    await f.app.idle();
    const got = f.events().map((e) => `${e.type} ${path.basename(e.path ?? "")}`);
    assert.deepEqual(got.sort(), [
      "file.created new.txt",
      "file.deleted gone.txt",
      "file.modified edit.txt",
      "file.renamed moved.txt",
    ]);
  });

  it("records existing files at the first scan with emit_on_start", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    writeFileSync(path.join(docs, "a.docx"), "a");
    writeFileSync(path.join(docs, "b.txt"), "b");
    const f = await startAudit(
      t,
      { ...TIMING, directories: [{ path: docs, include: ["*.docx"], emit_on_start: true }] },
      base,
    );
    await f.app.idle();
    assert.deepEqual(
      f.events().map((e) => [e.type, path.basename(e.path!)]),
      [["file.created", "a.docx"]],
    );
  });

  it("reports a vanished root as offline once (no deletions) and reconciles when it is back", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const share = path.join(base, "share");
    mkdirSync(share);
    for (let i = 0; i < 50; i++) writeFileSync(path.join(share, `${i}.txt`), String(i));
    const f = await startAudit(t, { ...TIMING, directories: [{ path: share, poll_interval: 0.5 }] }, base);
    await f.app.idle();
    renameSync(share, path.join(base, "share.unmounted"));
    await waitFor(() => f.events("root.offline").length === 1, { what: "root.offline" });
    assert.equal(f.app.fileAudit!.status()[0]!.state, "offline");
    writeFileSync(path.join(base, "share.unmounted", "while-away.txt"), "x");
    renameSync(path.join(base, "share.unmounted"), share);
    await waitFor(() => f.events("root.online").length === 1, { what: "root.online" });
    await waitFor(() => f.events("file.created").length === 1, { what: "file made while offline" });
    await f.app.idle();
    assert.equal(f.events("file.deleted").length, 0, "never a flood of deletions");
    assert.equal(f.events("root.offline").length, 1);
    writeFileSync(path.join(share, "after.txt"), "y");
    await waitFor(() => f.events("file.created").length === 2, { what: "watching again" });
  });

  it("keeps text diffs of important files, skips binary ones, and exposes the CRM's file_events view", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    const f = await startAudit(
      t,
      {
        ...TIMING,
        directories: [
          { path: docs, project: "CRM", username: "team-a", important: ["*.md"], compute_checksum: true },
        ],
      },
      base,
    );
    await f.app.idle();
    const md = path.join(docs, "notes.md");
    writeFileSync(md, "alpha\nbeta\n");
    await waitFor(() => f.events("file.created").length === 1);
    writeFileSync(md, "alpha\ngamma\n");
    await waitFor(() => f.events("file.modified").length === 1);
    const bin = path.join(docs, "blob.md");
    writeFileSync(bin, Buffer.from([1, 0, 2, 3]));
    await waitFor(() => f.events("file.created").length === 2);
    writeFileSync(bin, Buffer.from([1, 0, 2, 4]));
    await waitFor(() => f.events("file.modified").length === 2);
    await f.app.idle();
    const [textMod, binMod] = f.events("file.modified");
    assert.match(String(textMod!.details.diff), /-beta\n\+gamma/);
    assert.match(String(textMod!.details.diff), /--- a\/notes\.md/);
    assert.equal(binMod!.details.diff, undefined);
    assert.equal(binMod!.details.diffSkipped, "binary");

    const rows = f.app.store.sqlite
      .prepare("SELECT * FROM file_events ORDER BY event_time, id")
      .all() as Array<Record<string, unknown>>;
    assert.deepEqual(
      Object.keys(rows[0]!).filter((k) => k !== "id"),
      ["event_time", "event_type", "path", "project", "username", "file_size", "checksum", "details"],
    );
    assert.deepEqual(
      rows.map((r) => r.event_type),
      ["created", "modified", "created", "modified"],
    );
    assert.match(String(rows[0]!.event_time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(rows[1]!.checksum, createHash("sha256").update("alpha\ngamma\n").digest("hex"));
    assert.equal(rows[1]!.project, "CRM");
    assert.equal(JSON.parse(String(rows[1]!.details)).root, docs);
  });
});
