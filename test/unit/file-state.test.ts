import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { openStore } from "../../src/store/db.ts";
import { type FileStateRow, FileStateStore } from "../../src/store/file-state.ts";
import { tempDir } from "../support/tmp.ts";

function row(over: Partial<FileStateRow>): FileStateRow {
  return {
    root: "/srv/a",
    rel: "x.txt",
    kind: "file",
    size: 3,
    mtimeMs: 1_700_000_000_123.456,
    ino: 42,
    uid: 1000,
    checksum: "ab".repeat(32),
    content: "kept text",
    updatedAt: 5,
    ...over,
  };
}

describe("file_state snapshot", () => {
  it("loads a root's rows (without the kept text) exactly as they are read one by one", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const fs = new FileStateStore(store.db);
    store.transaction(() => {
      fs.put(row({}));
      fs.put(row({ rel: "dir/link", kind: "symlink", uid: null, checksum: null, content: null, ino: 7 }));
      fs.put(row({ rel: "big.bin", size: 2 ** 40, mtimeMs: 1.5, updatedAt: 9 }));
      fs.put(row({ root: "/srv/b", rel: "other.txt" }));
    });
    const loaded = fs.load("/srv/a");
    assert.deepEqual([...loaded.keys()].sort(), ["big.bin", "dir/link", "x.txt"]);
    for (const [rel, meta] of loaded) assert.deepEqual(meta, fs.get("/srv/a", rel));
    assert.equal(loaded.get("x.txt")!.checksum, "ab".repeat(32));
    assert.equal(loaded.get("dir/link")!.uid, null);
    assert.equal(fs.load("/nowhere").size, 0);
  });

  it("replaces every column of a row put again; removes with an inode only while it still matches", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const fs = new FileStateStore(store.db);
    const second = row({
      kind: "symlink",
      size: 9,
      mtimeMs: 2.5,
      ino: 7,
      uid: null,
      checksum: null,
      content: null,
      updatedAt: 8,
    });
    store.transaction(() => {
      fs.put(row({ content: "old text" }));
      fs.put(second);
    });
    const { content, ...meta } = second;
    assert.deepEqual(fs.get("/srv/a", "x.txt"), meta);
    assert.equal(fs.content("/srv/a", "x.txt"), content);
    assert.deepEqual(fs.byInode("/srv/a", 7), [meta]);
    assert.deepEqual(fs.byInode("/srv/a", 42), []);
    store.transaction(() => fs.remove("/srv/a", "x.txt", 42));
    assert.ok(fs.get("/srv/a", "x.txt"), "a row describing another inode stays");
    store.transaction(() => fs.remove("/srv/a", "x.txt", 7));
    assert.equal(fs.get("/srv/a", "x.txt"), undefined);
    store.transaction(() => {
      fs.put(row({}));
      fs.remove("/srv/a", "x.txt");
    });
    assert.equal(fs.get("/srv/a", "x.txt"), undefined);
  });
});
