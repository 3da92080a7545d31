import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { pathFilter } from "../../src/fswatch/config/filters.ts";
import { fnmatch } from "../../src/fswatch/config/fnmatch.ts";
import { parseWatchConfig, WatchConfigError } from "../../src/fswatch/config/watch-config.ts";
import { pairDirRenames } from "../../src/fswatch/reconcile/dir-renames.ts";
import { diffSnapshot } from "../../src/fswatch/reconcile/snapshot-diff.ts";
import { decodeText } from "../../src/fswatch/reconcile/text-diff.ts";
import { digestPost, digestSummary } from "../../src/posts/file-digest.ts";

// Generated once with CPython 3.11's fnmatch.fnmatchcase (see test/fswatch/fnmatch-cases.json).
const CASES = JSON.parse(readFileSync(new URL("./fnmatch-cases.json", import.meta.url), "utf8")) as Array<
  [string, string, boolean]
>;

describe("fnmatch", () => {
  it(`agrees with Python's fnmatch on all ${CASES.length} recorded cases`, () => {
    const wrong = CASES.filter(([p, n, want]) => fnmatch(n, p) !== want);
    assert.deepEqual(wrong, []);
    assert.ok(CASES.filter((c) => c[2]).length > 300, "the table has real matches, not only misses");
  });

  it("keeps fnmatch's traps: * crosses /, dotfiles match, [!x] negates, [^x], braces, ! and ** are literal", () => {
    assert.equal(fnmatch("a/b/c.md", "*.md"), true);
    assert.equal(fnmatch(".hidden", "*"), true);
    assert.equal(fnmatch("b", "[!a]"), true);
    assert.equal(fnmatch("a", "[!a]"), false);
    assert.equal(fnmatch("^", "[^a]"), true);
    assert.equal(fnmatch("b", "[^a]"), false);
    assert.equal(fnmatch("a.js", "*.{js,ts}"), false);
    assert.equal(fnmatch("!a.tmp", "!*.tmp"), true);
    assert.equal(fnmatch("a.tmp", "!*.tmp"), false);
    assert.equal(fnmatch("x/y.md", "**/*.md"), true);
    assert.equal(fnmatch("A.DOCX", "*.docx"), false, "case-sensitive as on POSIX");
    assert.equal(fnmatch("[", "["), true, "an unclosed [ is literal");
    assert.equal(fnmatch("~$report.docx", "~$*"), true);
  });
});

describe("path filter", () => {
  it("matches names without /, relative paths with /, and excludes whole folders", () => {
    const f = pathFilter(["*.docx", "reports/*.pdf"], ["~$*", ".git"], ["*.md"]);
    assert.equal(f.includesFile("a.docx"), true);
    assert.equal(f.includesFile("deep/dir/a.docx"), true);
    assert.equal(f.includesFile("~$a.docx"), false);
    assert.equal(f.includesFile("reports/x/y.pdf"), true);
    assert.equal(f.includesFile("other/y.pdf"), false);
    assert.equal(f.includesFile(".git/x.docx"), false);
    assert.equal(f.excludesDir(".git"), true);
    assert.equal(f.excludesDir("src/.git"), true);
    assert.equal(f.isImportant("notes/a.md"), true);
  });
});

describe("watch config", () => {
  const parse = (obj: unknown) => parseWatchConfig(JSON.stringify(obj), "/base");
  const fieldOf = (obj: unknown) => {
    try {
      parse(obj);
    } catch (err) {
      assert.ok(err instanceof WatchConfigError, String(err));
      assert.equal(err.variable, "WATCH_CONFIG");
      assert.ok(err.message.startsWith(err.field ? `WATCH_CONFIG: ${err.field}: ` : "WATCH_CONFIG: "));
      return err.field;
    }
    assert.fail("expected an error");
  };

  it("accepts the CRM service's example and fills defaults", () => {
    const c = parse({
      database: { path: "./file_events.db" },
      poll_interval: 5,
      directories: [
        {
          path: "//server/share/documents",
          project: "CRM",
          username: "team-a",
          include: ["*.docx", "*.xlsx"],
          exclude: ["~$*"],
          compute_checksum: true,
          emit_on_start: false,
        },
        { path: "rel/docs" },
      ],
    });
    assert.equal(c.crmDatabase, "/base/file_events.db");
    assert.equal(c.directories[0]!.pollIntervalMs, 5000);
    assert.equal(c.directories[0]!.project, "CRM");
    assert.equal(c.directories[1]!.path, "/base/rel/docs");
    assert.equal(c.directories[1]!.project, "docs");
    assert.deepEqual(c.directories[1]!.include, ["*"]);
    assert.equal(c.directories[1]!.notify, "none");
    assert.equal(c.directories[1]!.network, false);
    assert.equal(c.directories[1]!.watcher, "chokidar");
    assert.deepEqual(c.directories[1]!.events, ["created", "modified", "deleted", "renamed"]);
  });

  it("takes the watcher from the top level, or per folder", () => {
    const c = parse({
      watcher: "fs-watch",
      directories: [{ path: "/a" }, { path: "/b", watcher: "chokidar" }],
    });
    assert.deepEqual(
      c.directories.map((d) => d.watcher),
      ["fs-watch", "chokidar"],
    );
  });

  it("names the bad field", () => {
    const ok = { path: "/a" };
    assert.equal(
      fieldOf({ directories: [ok, { path: "/b" }, { path: "/c", include: [3] }] }),
      "directories[2].include[0]",
    );
    assert.equal(fieldOf({ directories: [{ path: "/c", include: "*.docx" }] }), "directories[0].include");
    assert.equal(fieldOf({ directories: [{ path: "" }] }), "directories[0].path");
    assert.equal(fieldOf({ directories: [{ path: "/a", notify: "some" }] }), "directories[0].notify");
    assert.equal(
      fieldOf({ directories: [{ path: "/a", compute_chksum: true }] }),
      "directories[0].compute_chksum",
    );
    assert.equal(
      fieldOf({ directories: [{ path: "/a", poll_interval: 0 }] }),
      "directories[0].poll_interval",
    );
    assert.equal(
      fieldOf({ directories: [{ path: "/a", max_diff_bytes: 1.5 }] }),
      "directories[0].max_diff_bytes",
    );
    assert.equal(
      fieldOf({ directories: [{ path: "/a", emit_on_start: "yes" }] }),
      "directories[0].emit_on_start",
    );
    assert.equal(fieldOf({ directories: [{ path: "/a" }, { path: "/a/b" }] }), "directories[1].path");
    assert.equal(fieldOf({ poll_interval: -1, directories: [] }), "poll_interval");
    assert.equal(fieldOf({ watcher: "inotify", directories: [] }), "watcher");
    assert.equal(fieldOf({ directories: [{ path: "/a", watcher: 1 }] }), "directories[0].watcher");
    assert.equal(fieldOf({ directories: {} }), "directories");
    assert.equal(fieldOf({ folders: [] }), "folders");
    assert.equal(fieldOf({ database: "./x.db", directories: [] }), "database");
    assert.equal(fieldOf({ events: [], directories: [] }), "events");
    assert.equal(
      fieldOf({ directories: [{ path: "/a", events: ["created", "moved"] }] }),
      "directories[0].events[1]",
    );
    assert.equal(fieldOf({ database: { path: 3 }, directories: [] }), "database.path");
    assert.equal(fieldOf({ database: { file: "x" }, directories: [] }), "database.file");
    assert.equal(fieldOf("[]"), "");
  });

  it("reports invalid JSON", () => {
    assert.throws(() => parseWatchConfig("{ nope", "/"), /WATCH_CONFIG: not valid JSON/);
  });
});

describe("snapshot diff", () => {
  const s = (ino: number, size: number, mtimeMs: number) => ({ ino, size, mtimeMs });

  it("finds created, deleted, changed and renamed (inode + size + mtime)", () => {
    const before = new Map([
      ["same", s(1, 10, 100)],
      ["edit", s(2, 10, 100)],
      ["gone", s(3, 10, 100)],
      ["old", s(4, 10, 100)],
      ["reused", s(5, 10, 100)],
    ]);
    const now = new Map([
      ["same", s(1, 10, 100)],
      ["edit", s(2, 11, 200)],
      ["new", s(6, 1, 300)],
      ["moved", s(4, 10, 100)],
      // Same inode as the deleted "reused", but a different mtime: a new file, not a rename.
      ["fresh", s(5, 10, 999)],
    ]);
    const d = diffSnapshot(before, now);
    assert.deepEqual(d.changed, ["edit"]);
    assert.deepEqual(d.renamed, [{ from: "old", to: "moved" }]);
    assert.deepEqual(d.created.sort(), ["fresh", "new"]);
    assert.deepEqual(d.deleted.sort(), ["gone", "reused"]);
  });
});

describe("folder renames", () => {
  const dirs = (o: Record<string, number>) => new Map(Object.entries(o));
  // Files as `path: inode`, size and mtime following from the inode (the same file keeps both).
  const files = (o: Record<string, number>) =>
    new Map(Object.entries(o).map(([k, ino]) => [k, { ino, size: ino * 10, mtimeMs: ino * 1000 }]));
  const summary = (p: ReturnType<typeof pairDirRenames>) =>
    p.renames.map(
      (r) =>
        `${r.from} → ${r.to} (${r.files}: ${r.moves
          .map((m) => m.to)
          .sort()
          .join(" ")})`,
    );

  it("pairs a folder by its inode and carries every file to the same place under the new name", () => {
    const p = pairDirRenames(
      dirs({ old: 10, "old/sub": 11, keep: 12 }),
      dirs({ new: 10, "new/sub": 11, keep: 12 }),
      files({ "old/a": 1, "old/b": 2, "old/sub/c": 3, "old/gone": 4, "keep/k": 5 }),
      // `b` was replaced (new inode): it still moved with its folder; the caller sees it modified.
      files({ "new/a": 1, "new/b": 22, "new/sub/c": 3, "new/fresh": 6, "keep/k": 5 }),
    );
    assert.deepEqual(summary(p), ["old → new (3: new/a new/b new/sub/c)"]);
    assert.deepEqual([...p.moved].sort(), [
      ["old/a", "new/a"],
      ["old/b", "new/b"],
      ["old/sub/c", "new/sub/c"],
    ]);
  });

  it("does not trust a reused folder inode alone: a file must have kept its inode at the same place", () => {
    const p = pairDirRenames(
      dirs({ old: 10 }),
      dirs({ new: 10 }),
      files({ "old/a": 1, "old/b": 2 }),
      files({ "new/a": 7, "new/other": 2 }),
    );
    assert.deepEqual(p.renames, []);
    assert.equal(p.moved.size, 0);
  });

  it("does not trust inodes alone: a folder and a file made anew on freed inodes are no rename", () => {
    // `rm -rf a; mkdir b; echo y > b/f`: ext4 often hands out the inodes `a` and `a/f` had.
    const p = pairDirRenames(
      dirs({ a: 10 }),
      dirs({ b: 10 }),
      files({ "a/f": 1 }),
      new Map([["b/f", { ino: 1, size: 2, mtimeMs: 99_000 }]]),
    );
    assert.deepEqual(p.renames, []);
    assert.equal(p.moved.size, 0);
  });

  it("gives a subfolder renamed too, or moved elsewhere, a rename of its own", () => {
    const p = pairDirRenames(
      dirs({ old: 10, "old/sub": 11, "old/deep": 12, "old/deep/er": 13 }),
      dirs({ new: 10, "new/sub2": 11, elsewhere: 14, "elsewhere/deep": 12, "elsewhere/deep/er": 13 }),
      files({ "old/a": 1, "old/sub/b": 2, "old/deep/er/c": 3 }),
      files({ "new/a": 1, "new/sub2/b": 2, "elsewhere/deep/er/c": 3 }),
    );
    assert.deepEqual(summary(p), [
      "old → new (2: new/a)",
      "old/deep → elsewhere/deep (1: elsewhere/deep/er/c)",
      "old/sub → new/sub2 (1: new/sub2/b)",
    ]);
  });

  it("finds nothing when no folder moved, and leaves folders that vanished to the file comparison", () => {
    const same = dirs({ a: 1, "a/b": 2 });
    assert.deepEqual(pairDirRenames(same, same, files({ "a/x": 5 }), files({ "a/x": 5 })).renames, []);
    const p = pairDirRenames(dirs({ a: 1 }), dirs({}), files({ "a/x": 5 }), files({ "b/x": 5 }));
    assert.deepEqual(p.renames, []);
  });
});

describe("digest and text", () => {
  it("summarises and inlines short lists, attaches long ones", () => {
    const items = [
      { type: "created" as const, rel: "a.txt" },
      { type: "deleted" as const, rel: "b.txt" },
      { type: "created" as const, rel: "c.txt" },
    ];
    assert.equal(digestSummary("docs", items), "docs: 2 created, 1 deleted");
    assert.equal(digestPost("docs", "/d", items, 0, 1).attachment, undefined);
    const many = Array.from({ length: 30 }, (_, i) => ({ type: "modified" as const, rel: `f${i}.txt` }));
    const post = digestPost("docs", "/d", many, 0, 1);
    assert.match(post.text, /^docs: 30 modified/);
    assert.ok(post.attachment);
    assert.equal(post.attachment.text.split("\n").filter((l) => l.startsWith("modified")).length, 30);
  });

  it("shows a renamed folder as one line with its file count", () => {
    const post = digestPost(
      "docs",
      "/d",
      [
        { type: "renamed", rel: "new", fromRel: "old", folderFiles: 120 },
        { type: "renamed", rel: "b.txt", fromRel: "a.txt" },
        { type: "renamed", rel: "x/one", fromRel: "x/1", folderFiles: 1 },
      ],
      0,
      1,
    );
    assert.equal(
      post.text,
      "docs: 3 renamed\n\nrenamed  old/ → new/ (folder, 120 files)\nrenamed  a.txt → b.txt\nrenamed  x/1/ → x/one/ (folder, 1 file)",
    );
  });

  it("detects binary content", () => {
    assert.equal(decodeText(Buffer.from("héllo\n")), "héllo\n");
    assert.equal(decodeText(Buffer.from([0x68, 0, 0x69])), null);
    assert.equal(decodeText(Buffer.from([0xff, 0xfe, 0x41])), null);
  });
});
