/**
 * The root watcher on real folders: which paths it names when files and folders come, change and
 * go, that it names editor temp files like any other, never enters an excluded folder, re-enters a
 * folder (or root) that was replaced, and reports ENOSPC and EACCES while the rest keeps working
 * (those two in a process of its own: under a lowered watch limit, and as an unprivileged user).
 * Hints are awaited with `waitFor`; "never named" is checked against a later sentinel file, whose
 * hint comes after every earlier event's (the watcher looks at events in arrival order).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { watchFolders } from "../../src/fswatch/watch/folder-watcher.ts";
import { WatchTree } from "../../src/fswatch/watch/watch-tree.ts";
import { tempDir } from "../support/tmp.ts";
import { canDropPrivileges, unprivilegedRunner } from "../support/unprivileged.ts";
import { waitFor } from "./support.ts";

const CHILD = fileURLToPath(new URL("./watch-root-child.ts", import.meta.url));

interface Watched {
  root: string;
  /** Every hint so far, as "kind rel" (rel relative to the root, "" for the root itself). */
  hints: string[];
  errors: NodeJS.ErrnoException[];
  named(rel: string, kind?: "file" | "dir"): boolean;
  /** Writes a fresh file at the root and waits until it is named: every earlier event was looked at. */
  sentinel(): Promise<void>;
}

async function watched(t: TestContext, setup: (root: string) => void, excluded: string[] = []) {
  const root = path.join(tempDir(t, "tl-rw-"), "root");
  mkdirSync(root);
  setup(root);
  const hints: string[] = [];
  const errors: NodeJS.ErrnoException[] = [];
  const w = watchFolders(root, (abs) => excluded.includes(path.basename(abs)), {
    hint: (p, kind) => hints.push(`${kind} ${path.relative(root, p)}`),
    error: (e) => errors.push(e),
  });
  t.after(() => w.close());
  await w.ready;
  let n = 0;
  const named = (rel: string, kind?: "file" | "dir") =>
    hints.some((h) => (kind ? h === `${kind} ${rel}` : h.endsWith(` ${rel}`)));
  const r: Watched = {
    root,
    hints,
    errors,
    named,
    sentinel: async () => {
      const name = `sentinel-${n++}`;
      writeFileSync(path.join(root, name), "s");
      await waitFor(() => named(name, "file"), { what: `the hint of ${name}` });
    },
  };
  return r;
}

describe("root watcher", () => {
  it("names nothing at start, then each file added, changed, renamed and removed", async (t) => {
    const w = await watched(t, (root) => {
      mkdirSync(path.join(root, "a"));
      writeFileSync(path.join(root, "a", "old.txt"), "1");
      writeFileSync(path.join(root, "keep.txt"), "1");
    });
    assert.deepEqual(w.hints, []);
    writeFileSync(path.join(w.root, "a", "new.txt"), "1");
    await waitFor(() => w.named("a/new.txt", "file"), { what: "the added file" });
    writeFileSync(path.join(w.root, "keep.txt"), "2");
    await waitFor(() => w.named("keep.txt", "file"), { what: "the changed file" });
    renameSync(path.join(w.root, "a", "old.txt"), path.join(w.root, "a", "moved.txt"));
    await waitFor(() => w.named("a/old.txt", "file") && w.named("a/moved.txt", "file"), {
      what: "both names of the renamed file",
    });
    unlinkSync(path.join(w.root, "a", "new.txt"));
    const before = w.hints.filter((h) => h === "file a/new.txt").length;
    await waitFor(() => w.hints.filter((h) => h === "file a/new.txt").length > before, {
      what: "the removed file",
    });
    assert.deepEqual(w.errors, []);
  });

  it("names editor temp files and backups (`*~`, `.*.swp`) like any other file", async (t) => {
    const w = await watched(t, () => {});
    writeFileSync(path.join(w.root, "notes.txt~"), "backup");
    writeFileSync(path.join(w.root, ".notes.txt.swp"), "swap");
    writeFileSync(path.join(w.root, ".subl123.tmp"), "sublime");
    await waitFor(
      () => w.named("notes.txt~", "file") && w.named(".notes.txt.swp", "file") && w.named(".subl123.tmp"),
      { what: "the editor files" },
    );
  });

  it("enters a folder that appears and names everything in it; names everything below a folder that goes", async (t) => {
    const w = await watched(t, () => {});
    const deep = path.join(w.root, "new", "sub", "deeper");
    mkdirSync(deep, { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(path.join(deep, `f${i}.txt`), "x");
    writeFileSync(path.join(w.root, "new", "top.txt"), "x");
    const all = [
      "dir new",
      "dir new/sub",
      "dir new/sub/deeper",
      "file new/top.txt",
      ...Array.from({ length: 50 }, (_, i) => `file new/sub/deeper/f${i}.txt`),
    ];
    await waitFor(() => all.every((h) => w.hints.includes(h)), { what: "every path of the new folder" });
    // Files written later into the new folders are seen too: the folders are watched.
    writeFileSync(path.join(deep, "later.txt"), "x");
    await waitFor(() => w.named("new/sub/deeper/later.txt", "file"), { what: "a later file" });

    w.hints.length = 0;
    rmSync(path.join(w.root, "new"), { recursive: true });
    const gone = [...all, "file new/sub/deeper/later.txt"];
    await waitFor(() => gone.every((h) => w.hints.includes(h)), { what: "every path of the removed folder" });
    assert.deepEqual(w.errors, []);
  });

  it("enters a large folder moved in a slice at a time, naming every file while the event loop turns", async (t) => {
    const outside = tempDir(t, "tl-rw-out-");
    const big = path.join(outside, "big");
    for (let d = 0; d < 6; d++) {
      mkdirSync(path.join(big, `d${d}`), { recursive: true });
      for (let i = 0; i < 1000; i++) writeFileSync(path.join(big, `d${d}`, `f${i}`), "");
    }
    const w = await watched(t, () => {});
    let turn = 0;
    let turning = true;
    const tick = () => {
      turn++;
      if (turning) setImmediate(tick);
    };
    setImmediate(tick);
    t.after(() => {
      turning = false;
    });
    // Which turn of the event loop each hint came in.
    const turnOf = new Map<string, number>();
    const push = w.hints.push.bind(w.hints);
    w.hints.push = (...items: string[]) => {
      for (const h of items) turnOf.set(h, turn);
      return push(...items);
    };
    renameSync(big, path.join(w.root, "big"));
    const files = Array.from({ length: 6000 }, (_, k) => `file big/d${Math.floor(k / 1000)}/f${k % 1000}`);
    await waitFor(() => files.every((h) => turnOf.has(h)), {
      what: "every file of the moved folder",
    });
    turning = false;
    const turns = new Set(files.map((h) => turnOf.get(h)));
    assert.ok(turns.size > 1, `6,000 files named within ${turns.size} turn(s) of the event loop`);
    assert.deepEqual(w.errors, []);
  });

  it("names the old and new path of every file of a folder renamed within the root", async (t) => {
    const w = await watched(t, (root) => {
      mkdirSync(path.join(root, "before", "inner"), { recursive: true });
      writeFileSync(path.join(root, "before", "a.txt"), "a");
      writeFileSync(path.join(root, "before", "inner", "b.txt"), "b");
    });
    renameSync(path.join(w.root, "before"), path.join(w.root, "after"));
    const expected = [
      "file before/a.txt",
      "file before/inner/b.txt",
      "dir before",
      "file after/a.txt",
      "file after/inner/b.txt",
      "dir after",
    ];
    await waitFor(() => expected.every((h) => w.hints.includes(h)), { what: "both sides of the rename" });
    // The renamed folder is watched under its new name.
    writeFileSync(path.join(w.root, "after", "inner", "c.txt"), "c");
    await waitFor(() => w.named("after/inner/c.txt", "file"), { what: "a file in the renamed folder" });
  });

  it("never enters an excluded folder, at start or when one appears", async (t) => {
    const w = await watched(
      t,
      (root) => {
        mkdirSync(path.join(root, "node_modules"));
        writeFileSync(path.join(root, "node_modules", "old.js"), "x");
      },
      ["node_modules", "cache"],
    );
    writeFileSync(path.join(w.root, "node_modules", "new.js"), "x");
    mkdirSync(path.join(w.root, "sub", "cache"), { recursive: true });
    writeFileSync(path.join(w.root, "sub", "cache", "blob"), "x");
    await w.sentinel();
    writeFileSync(path.join(w.root, "sub", "cache", "blob2"), "x");
    await w.sentinel();
    assert.equal(w.hints.filter((h) => h.includes("node_modules/") || h.includes("cache/")).length, 0);
    assert.ok(w.named("sub", "dir"));
  });

  it("enters again a folder removed and made anew (its old watch followed the old folder)", async (t) => {
    const w = await watched(t, (root) => {
      mkdirSync(path.join(root, "d"));
      writeFileSync(path.join(root, "d", "old.txt"), "x");
    });
    rmSync(path.join(w.root, "d"), { recursive: true });
    mkdirSync(path.join(w.root, "d"));
    await w.sentinel();
    writeFileSync(path.join(w.root, "d", "new.txt"), "x");
    await waitFor(() => w.named("d/new.txt", "file"), { what: "a file in the folder made anew" });
  });

  it("names the root when it goes, and enters it again when it is made anew", async (t) => {
    const w = await watched(t, (root) => writeFileSync(path.join(root, "x.txt"), "x"));
    rmSync(w.root, { recursive: true });
    await waitFor(() => w.named("", "dir"), { what: "the root's hint" });
    mkdirSync(w.root);
    writeFileSync(path.join(w.root, "y.txt"), "y");
    // Either the root entered again lists it or the root's new watch sees it.
    await waitFor(() => w.named("y.txt", "file"), { what: "a file in the root made anew" });
    writeFileSync(path.join(w.root, "z.txt"), "z");
    await waitFor(() => w.named("z.txt", "file"), { what: "a later file in the root made anew" });
  });

  it("reports ENOSPC for the folders beyond the system's watch limit and watches the others", (t) => {
    const limit = 8;
    const probe = spawnSync("unshare", [
      "-Ur",
      "sh",
      "-c",
      `echo ${limit} > /proc/sys/user/max_inotify_watches`,
    ]);
    if (probe.status !== 0) {
      t.skip("cannot create a user namespace with its own inotify limit here (unshare -Ur)");
      return;
    }
    return (async () => {
      const root = path.join(tempDir(t, "tl-rw-"), "root");
      for (let i = 0; i < 20; i++) mkdirSync(path.join(root, `d${i}`), { recursive: true });
      const c = child(t, "unshare", [
        "-Ur",
        "sh",
        "-c",
        `echo ${limit} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`,
        process.execPath,
        CHILD,
        root,
      ]);
      await waitFor(() => c.lines().some((l) => l.ready), { what: "ready", timeoutMs: 30_000 });
      const enospc = c.lines().filter((l) => l.error === "ENOSPC");
      assert.ok(enospc.length > 0, JSON.stringify(c.lines()));
      assert.ok(enospc.every((l) => typeof l.path === "string" && String(l.path).startsWith(root)));
      writeFileSync(path.join(root, "at-root.txt"), "x");
      await waitFor(() => c.lines().some((l) => l.hint === path.join(root, "at-root.txt")), {
        what: "a hint from a watched folder",
      });
    })();
  });

  it("reports EACCES for a folder it may not read and watches the others (as an unprivileged user)", (t) => {
    if (!canDropPrivileges()) {
      t.skip("running as root without a working setpriv: cannot watch as an unprivileged user");
      return;
    }
    return (async () => {
      const dir = tempDir(t, "tl-rw-");
      chmodSync(dir, 0o755);
      const root = path.join(dir, "root");
      mkdirSync(path.join(root, "open"), { recursive: true });
      mkdirSync(path.join(root, "locked"), { mode: 0o755 });
      chmodSync(path.join(root, "locked"), 0);
      const [command, args] = unprivilegedRunner().command("test/fswatch/watch-root-child.ts", [root]);
      const c = child(t, command, args);
      try {
        await waitFor(() => c.lines().some((l) => l.ready), { what: "ready", timeoutMs: 30_000 });
        const denied = c.lines().filter((l) => l.error === "EACCES");
        assert.deepEqual(denied, [{ error: "EACCES", path: path.join(root, "locked") }]);
        writeFileSync(path.join(root, "open", "f.txt"), "x");
        await waitFor(() => c.lines().some((l) => l.hint === path.join(root, "open", "f.txt")), {
          what: "a hint from a readable folder",
        });
      } finally {
        chmodSync(path.join(root, "locked"), 0o755); // so that a non-root user can remove it
      }
    })();
  });
});

/** A watcher process whose JSON lines are collected; stopped when the test ends. */
function child(t: TestContext, cmd: string, args: string[]) {
  const proc: ChildProcess = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => {
    out += b.toString("utf8");
  });
  t.after(() => {
    proc.stdin!.end();
    proc.kill();
  });
  return {
    lines: () =>
      out
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("watch tree", () => {
  it("forgets a folder with everything below it, and its name in its parent", () => {
    const tree = new WatchTree();
    tree.enter("/r", ["top.txt"], ["a"]);
    tree.enter("/r/a", ["1.txt", "2.txt"], ["b", "never-entered"]);
    tree.enter("/r/a/b", ["3.txt"], []);
    assert.equal(tree.size, 3);
    const gone = tree.forget("/r/a");
    assert.deepEqual(gone.files.sort(), ["/r/a/1.txt", "/r/a/2.txt", "/r/a/b/3.txt"]);
    assert.deepEqual(gone.dirs, ["/r/a", "/r/a/never-entered", "/r/a/b"]);
    assert.deepEqual([...tree.folders()], ["/r"]);
    assert.deepEqual([...tree.folder("/r")!.dirs], []);
    assert.deepEqual([...tree.folder("/r")!.files], ["top.txt"]);
  });

  it("records an entered folder's name in its parent, as a folder and no longer a file", () => {
    const tree = new WatchTree();
    tree.enter("/r", ["x"], []);
    tree.enter("/r/x", [], []);
    assert.deepEqual([...tree.folder("/r")!.files], []);
    assert.deepEqual([...tree.folder("/r")!.dirs], ["x"]);
    assert.deepEqual(tree.forget("/nowhere"), { files: [], dirs: ["/nowhere"] });
  });
});
