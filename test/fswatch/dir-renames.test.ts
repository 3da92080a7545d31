/**
 * Folder renames on real folders with real chokidar: one `file.renamed` per renamed folder (live
 * and found by the reconcile scan), the snapshot rows of its files moved with it, changes made to
 * its files still recorded, nested renames, renames into and out of excluded folders and across
 * roots, the digest line and the `file_events` row.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/tmp.ts";
import { type AuditFixture, type FsEvent, startAudit, waitFor } from "./support.ts";

const TIMING = { settle_ms: 100, rename_window_ms: 300 };

/** Makes `files` (relative paths → content) below `dir`. */
function makeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

/** The snapshot's paths of `root`, sorted. */
function snapshotPaths(f: AuditFixture, root: string): string[] {
  return (
    f.app.store.sqlite.prepare("SELECT rel FROM file_state WHERE root = ? ORDER BY rel").all(root) as Array<{
      rel: string;
    }>
  ).map((r) => r.rel);
}

/** File-change events as `type path` (paths relative to `root`), in order. */
function changes(f: AuditFixture, root: string): string[] {
  return f
    .events()
    .filter((e) => e.type.startsWith("file."))
    .map((e) => `${e.type} ${path.relative(root, e.path!)}`);
}

function folderRenames(f: AuditFixture): FsEvent[] {
  return f.events("file.renamed").filter((e) => e.details.kind === "directory");
}

const TREE = { "old/1.md": "one\n", "old/2.txt": "two", "old/sub/3.txt": "three" };

describe("folder renames", () => {
  it("records a live folder rename as one file.renamed, moves every snapshot row, and digests it as one line", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, TREE);
    const f = await startAudit(
      t,
      { ...TIMING, directories: [{ path: docs, project: "docs", notify: "all", digest_window: 0.5 }] },
      base,
    );
    await f.app.idle();
    renameSync(path.join(docs, "old"), path.join(docs, "new"));
    await waitFor(() => f.events("file.renamed").length >= 1, { what: "the folder rename" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs), ["file.renamed new"]);
    const [e] = f.events("file.renamed");
    assert.equal(e!.path, path.join(docs, "new"));
    assert.deepEqual(e!.details, {
      root: docs,
      oldPath: path.join(docs, "old"),
      kind: "directory",
      files: 3,
    });
    assert.deepEqual(snapshotPaths(f, docs), ["new/1.md", "new/2.txt", "new/sub/3.txt"]);

    const view = f.app.store.sqlite
      .prepare("SELECT event_type, path, file_size, details FROM file_events")
      .all() as Array<{ event_type: string; path: string; file_size: number | null; details: string }>;
    assert.deepEqual(
      view.map((r) => [r.event_type, r.path, r.file_size, JSON.parse(r.details).oldPath]),
      [["renamed", path.join(docs, "new"), null, path.join(docs, "old")]],
    );

    const outbox = () =>
      f.app.store.sqlite.prepare("SELECT text FROM outbox WHERE kind = 'files.digest'").all() as Array<{
        text: string;
      }>;
    await waitFor(() => outbox().length === 1, { what: "the digest" });
    assert.equal(outbox()[0]!.text, "docs: 1 renamed\n\nrenamed  old/ → new/ (folder, 3 files)");

    // The moved rows are the snapshot: a later edit is a modification of the new path.
    appendFileSync(path.join(docs, "new/sub/3.txt"), " more");
    await waitFor(() => f.events("file.modified").length === 1, { what: "modified" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs), ["file.renamed new", "file.modified new/sub/3.txt"]);
  });

  it("records the changes made to a folder renamed live: modified (with its diff), deleted and created files", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, TREE);
    const f = await startAudit(
      t,
      { ...TIMING, directories: [{ path: docs, important: ["*.md"], compute_checksum: true }] },
      base,
    );
    await f.app.idle();
    renameSync(path.join(docs, "old"), path.join(docs, "new"));
    appendFileSync(path.join(docs, "new/1.md"), "two\n");
    unlinkSync(path.join(docs, "new/2.txt"));
    writeFileSync(path.join(docs, "new/4.txt"), "four");
    await waitFor(() => f.events("file.deleted").length === 1, { what: "the deletion" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), [
      "file.created new/4.txt",
      "file.deleted old/2.txt",
      "file.modified new/1.md",
      "file.renamed new",
    ]);
    assert.equal(folderRenames(f)[0]!.details.files, 2);
    const modified = f.events("file.modified")[0]!;
    assert.match(
      String(modified.details.diff),
      /^ one\n\+two/m,
      "diffed against the text kept before the rename",
    );
    assert.deepEqual(snapshotPaths(f, docs), ["new/1.md", "new/4.txt", "new/sub/3.txt"]);
  });

  it("records a nested folder renamed live under its new path only", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, { "a/b/c/1.txt": "1", "a/b/c/2.txt": "2", "a/b/x.txt": "x" });
    const f = await startAudit(t, { ...TIMING, directories: [{ path: docs }] }, base);
    await f.app.idle();
    renameSync(path.join(docs, "a/b/c"), path.join(docs, "a/b/d"));
    await waitFor(() => f.events("file.renamed").length >= 1, { what: "the folder rename" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs), ["file.renamed a/b/d"]);
    assert.equal(f.events("file.renamed")[0]!.details.oldPath, path.join(docs, "a/b/c"));
    assert.equal(f.events("file.renamed")[0]!.details.files, 2);
    assert.deepEqual(snapshotPaths(f, docs), ["a/b/d/1.txt", "a/b/d/2.txt", "a/b/x.txt"]);
  });

  it("turns a rename into an excluded folder into deletions, and out of one into creations", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, { ...TREE, "archive/keep.txt": "not audited" });
    const f = await startAudit(t, { ...TIMING, directories: [{ path: docs, exclude: ["archive"] }] }, base);
    await f.app.idle();
    renameSync(path.join(docs, "old"), path.join(docs, "archive/old"));
    await waitFor(() => f.events("file.deleted").length === 3, { what: "3 deletions" });
    await f.app.idle();
    renameSync(path.join(docs, "archive/old"), path.join(docs, "back"));
    await waitFor(() => f.events("file.created").length === 3, { what: "3 creations" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), [
      "file.created back/1.md",
      "file.created back/2.txt",
      "file.created back/sub/3.txt",
      "file.deleted old/1.md",
      "file.deleted old/2.txt",
      "file.deleted old/sub/3.txt",
    ]);
    assert.deepEqual(snapshotPaths(f, docs), ["back/1.md", "back/2.txt", "back/sub/3.txt"]);
  });

  it("turns a folder moved to another watched root into deletions there and creations here", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const a = path.join(base, "a");
    const b = path.join(base, "b");
    makeTree(a, TREE);
    mkdirSync(b);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: a }, { path: b }] }, base);
    await f.app.idle();
    renameSync(path.join(a, "old"), path.join(b, "old"));
    await waitFor(() => f.events("file.deleted").length === 3 && f.events("file.created").length === 3, {
      what: "3 deletions and 3 creations",
    });
    await f.app.idle();
    assert.deepEqual(
      changes(f, a)
        .filter((c) => !c.includes(".."))
        .sort(),
      ["file.deleted old/1.md", "file.deleted old/2.txt", "file.deleted old/sub/3.txt"],
    );
    assert.deepEqual(
      changes(f, b)
        .filter((c) => !c.includes(".."))
        .sort(),
      ["file.created old/1.md", "file.created old/2.txt", "file.created old/sub/3.txt"],
    );
    assert.equal(f.events("file.renamed").length, 0);
    assert.deepEqual(snapshotPaths(f, a), []);
    assert.deepEqual(snapshotPaths(f, b), ["old/1.md", "old/2.txt", "old/sub/3.txt"]);
  });

  it("records two folders that swap names live as two renames (one reconcile pass pairs them)", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, {
      "a/f.txt": "from a",
      "a/only-a.txt": "1",
      "b/f.txt": "from b, longer",
      "b/only-b.txt": "2",
    });
    const f = await startAudit(t, { ...TIMING, directories: [{ path: docs }] }, base);
    await f.app.idle();
    renameSync(path.join(docs, "a"), path.join(docs, "tmp"));
    renameSync(path.join(docs, "b"), path.join(docs, "a"));
    renameSync(path.join(docs, "tmp"), path.join(docs, "b"));
    await waitFor(() => f.events("file.renamed").length >= 2, { what: "two folder renames" });
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), ["file.renamed a", "file.renamed b"]);
    assert.deepEqual(
      f.app.store.sqlite.prepare("SELECT rel, size FROM file_state WHERE root = ? ORDER BY rel").all(docs),
      [
        { rel: "a/f.txt", size: "from b, longer".length },
        { rel: "a/only-b.txt", size: 1 },
        { rel: "b/f.txt", size: "from a".length },
        { rel: "b/only-a.txt", size: 1 },
      ],
    );
  });

  it("records a folder of 2,500 files renamed live (more hints than a burst allows) as one rename", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    const tree: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) tree[`big/d${i % 5}/${i}.txt`] = String(i);
    makeTree(docs, tree);
    const f = await startAudit(t, { ...TIMING, directories: [{ path: docs }] }, base);
    await f.app.idle();
    renameSync(path.join(docs, "big"), path.join(docs, "bigger"));
    await waitFor(() => f.events("file.renamed").length >= 1, {
      what: "the folder rename",
      timeoutMs: 60_000,
    });
    await f.app.idle();
    assert.deepEqual(changes(f, docs), ["file.renamed bigger"]);
    assert.equal(f.events("file.renamed")[0]!.details.files, 2500);
    const paths = snapshotPaths(f, docs);
    assert.equal(paths.length, 2500);
    assert.ok(paths.every((p) => p.startsWith("bigger/")));
  });

  it("records two folders that swapped names while the service was down as two renames, rows swapped too", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, {
      "a/f.txt": "from a",
      "a/only-a.txt": "1",
      "b/f.txt": "from b, longer",
      "b/only-b.txt": "2",
    });
    let f = await startAudit(t, { ...TIMING, directories: [{ path: docs }] }, base);
    await f.app.idle();
    await f.stop();
    renameSync(path.join(docs, "a"), path.join(docs, "tmp"));
    renameSync(path.join(docs, "b"), path.join(docs, "a"));
    renameSync(path.join(docs, "tmp"), path.join(docs, "b"));
    f = await f.restart();
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), ["file.renamed a", "file.renamed b"]);
    const sizes = f.app.store.sqlite
      .prepare("SELECT rel, size FROM file_state WHERE root = ? ORDER BY rel")
      .all(docs) as Array<{ rel: string; size: number }>;
    assert.deepEqual(sizes, [
      { rel: "a/f.txt", size: "from b, longer".length },
      { rel: "a/only-b.txt", size: 1 },
      { rel: "b/f.txt", size: "from a".length },
      { rel: "b/only-a.txt", size: 1 },
    ]);
    // The snapshot is right: nothing more to find.
    f.app.fileAudit!.auditor(docs)!.rescan("test");
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), ["file.renamed a", "file.renamed b"]);
  });

  it("finds at start a folder renamed while the service was down, a subfolder renamed in it, and their changes", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    makeTree(docs, { ...TREE, "old/sub/4.txt": "four", "other/5.txt": "five" });
    let f = await startAudit(t, { ...TIMING, directories: [{ path: docs, compute_checksum: true }] }, base);
    await f.app.idle();
    await f.stop();
    renameSync(path.join(docs, "old"), path.join(docs, "new"));
    renameSync(path.join(docs, "new/sub"), path.join(docs, "new/sub2"));
    writeFileSync(path.join(docs, "new/sub2/3.txt"), "three, changed");
    unlinkSync(path.join(docs, "new/2.txt"));
    renameSync(path.join(docs, "other"), path.join(docs, "new/other"));
    f = await f.restart();
    await f.app.idle();
    assert.deepEqual(changes(f, docs).sort(), [
      "file.deleted old/2.txt",
      "file.modified new/sub2/3.txt",
      "file.renamed new",
      "file.renamed new/other",
      "file.renamed new/sub2",
    ]);
    const renames = Object.fromEntries(
      folderRenames(f).map((e) => [
        path.relative(docs, e.path!),
        [path.relative(docs, String(e.details.oldPath)), e.details.files],
      ]),
    );
    assert.deepEqual(renames, {
      new: ["old", 3],
      "new/sub2": ["old/sub", 2],
      "new/other": ["other", 1],
    });
    assert.deepEqual(snapshotPaths(f, docs), [
      "new/1.md",
      "new/other/5.txt",
      "new/sub2/3.txt",
      "new/sub2/4.txt",
    ]);
  });
});
