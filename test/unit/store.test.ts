import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { openStore } from "../../src/store/db.ts";
import { type FileStateRow, FileStateStore } from "../../src/store/file-state.ts";
import { MessageStore, type NewMessageRow } from "../../src/store/messages.ts";
import { OutboxStore } from "../../src/store/outbox.ts";
import { PeerStore } from "../../src/store/peers.ts";
import { tempDir } from "../support/tmp.ts";

function msg(over: Partial<NewMessageRow>): NewMessageRow {
  return {
    chatId: 777,
    messageId: 1,
    chatType: "user",
    date: 1000,
    text: "hi",
    outgoing: false,
    noforwards: false,
    selfDestructing: false,
    ...over,
  };
}

describe("store", () => {
  it("creates a private 0700 directory and a 0600 database with WAL and foreign keys", (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "db", "x.sqlite");
    const store = openStore(file);
    t.after(() => store.close());
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600);
    assert.equal(store.sqlite.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(store.sqlite.pragma("foreign_keys", { simple: true }), 1);
    assert.ok(Number(store.sqlite.pragma("busy_timeout", { simple: true })) >= 1000);
  });

  it("re-opens an existing database without re-applying migrations", (t) => {
    const file = path.join(tempDir(t), "db.sqlite");
    const a = openStore(file);
    new MessageStore(a.db).insert(msg({}), 1);
    a.close();
    const b = openStore(file);
    t.after(() => b.close());
    assert.equal(new MessageStore(b.db).find(777, 1)?.text, "hi");
  });

  it("stores a message once, finds non-channel ids without a chat id, keeps every revision", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const m = new MessageStore(store.db);
    assert.equal(typeof m.insert(msg({}), 5), "number");
    assert.equal(m.insert(msg({ text: "again" }), 6), null);
    m.insert(msg({ chatId: -1001234567890, chatType: "channel", messageId: 1 }), 7);
    m.insert(msg({ chatId: -55, chatType: "group", messageId: 2 }), 7);
    assert.deepEqual(
      m.findOutsideChannels(1).map((r) => r.chatId),
      [777],
    );
    assert.deepEqual(
      m.findOutsideChannels(2).map((r) => r.chatId),
      [-55],
    );

    const row = m.find(777, 1)!;
    assert.equal(m.applyEdit(row, { text: "v1", entities: null, media: null, editDate: 10 }, 11), 1);
    assert.equal(
      m.applyEdit(m.find(777, 1)!, { text: "v2", entities: null, media: null, editDate: 12 }, 13),
      2,
    );
    assert.deepEqual(
      m.revisions(row.id).map((r) => [r.version, r.text]),
      [
        [0, "hi"],
        [1, "v1"],
        [2, "v2"],
      ],
    );
    assert.equal(m.find(777, 1)?.text, "v2");
    m.markDeleted(row.id, 20, "deleted");
    m.markDeleted(row.id, 30, "own");
    assert.equal(m.find(777, 1)?.deletedAt, 20, "the first deletion wins");
  });

  it("keeps a peer's access hash when a min entity arrives without one", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const peers = new PeerStore(store.db);
    const base = {
      peerId: 777,
      type: "user",
      username: "alice",
      name: "Alice",
      isSelf: false,
      noforwards: false,
    };
    peers.remember({ ...base, accessHash: "123" }, 1);
    peers.remember({ ...base, accessHash: null, name: "Alice B" }, 2);
    assert.equal(peers.get(777)?.accessHash, "123");
    assert.equal(new PeerStore(store.db).get(777)?.name, "Alice B");
  });

  it("folds pending posts into one and lists them in order", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const o = new OutboxStore(store.db);
    const ids = [1, 2, 3].map((i) =>
      o.add({ kind: "message.deleted", randomId: String(i), text: `t${i}`, entities: null, notBefore: 0 }, 0),
    );
    const folded = store.transaction(() =>
      o.fold(ids, { kind: "deletions.folded", randomId: "9", text: "sum", entities: null, notBefore: 0 }, 1),
    );
    assert.deepEqual(
      o.foldedInto(folded).map((r) => r.text),
      ["t1", "t2", "t3"],
    );
    assert.equal(o.nextDue(5)?.id, folded);
    assert.deepEqual(o.summary(), { pending: 1, failed: 0, oldestPendingAt: 1 });
  });
});

describe("outbox retention", () => {
  it("removes posts delivered before the cutoff, with the posts folded into them, and nothing else", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const o = new OutboxStore(store.db);
    const add = (text: string) =>
      o.add({ kind: "message.deleted", randomId: "1", text, entities: null, notBefore: 0 }, 0);
    const oldSent = add("old sent");
    o.markSent(oldSent, 1_000);
    const children = [add("c1"), add("c2")];
    const folded = store.transaction(() =>
      o.fold(
        children,
        { kind: "deletions.folded", randomId: "2", text: "sum", entities: null, notBefore: 0 },
        0,
      ),
    );
    o.markSent(folded, 2_000);
    const recent = add("recent sent");
    o.markSent(recent, 9_000);
    const pending = add("pending");
    const failed = add("failed");
    o.markFailed(failed, 8, "x");
    assert.equal(o.purgeDelivered(5_000, 500, store.transaction), 4);
    const left = store.sqlite.prepare("SELECT id FROM outbox ORDER BY id").pluck().all();
    assert.deepEqual(left, [recent, pending, failed]);
    assert.equal(o.purgeDelivered(5_000, 500, store.transaction), 0);
  });
});

describe("file state", () => {
  const row = (over: Partial<FileStateRow>): FileStateRow => ({
    root: "/srv/a",
    rel: "notes.txt",
    kind: "file",
    size: 10,
    mtimeMs: 1_700_000_000_123.456,
    ino: 11,
    uid: 1000,
    checksum: "c1",
    content: "v1",
    updatedAt: 1,
    ...over,
  });

  it("an update replaces every column of one file's row; lookups address one root and one path", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const fs = new FileStateStore(store.db);
    fs.put(row({}));
    fs.put(row({ root: "/srv/b" }));
    fs.put(row({ rel: "other.txt", ino: 12, content: null }));
    fs.put(
      row({
        kind: "symlink",
        size: 20,
        mtimeMs: 5.5,
        ino: 13,
        uid: null,
        checksum: null,
        content: "v2",
        updatedAt: 2,
      }),
    );
    const { content: _, ...meta } = row({
      kind: "symlink",
      size: 20,
      mtimeMs: 5.5,
      ino: 13,
      uid: null,
      checksum: null,
      updatedAt: 2,
    });
    assert.deepEqual(fs.get("/srv/a", "notes.txt"), meta);
    assert.equal(fs.content("/srv/a", "notes.txt"), "v2");
    assert.equal(fs.content("/srv/b", "notes.txt"), "v1");
    assert.equal(fs.content("/srv/a", "other.txt"), null);
    assert.equal(fs.content("/srv/a", "missing.txt"), null);
    assert.deepEqual(
      fs.byInode("/srv/a", 12).map((r) => r.rel),
      ["other.txt"],
    );
    assert.deepEqual(fs.byInode("/srv/a", 11), [], "the old inode went with the update");
    assert.deepEqual(
      fs.byInode("/srv/b", 11).map((r) => r.rel),
      ["notes.txt"],
    );
    fs.remove("/srv/a", "notes.txt", 99);
    assert.equal(fs.get("/srv/a", "notes.txt")?.ino, 13, "another file's inode: the row stays");
    fs.remove("/srv/a", "notes.txt", 13);
    assert.equal(fs.get("/srv/a", "notes.txt"), undefined);
    fs.put(row({}));
    fs.remove("/srv/a", "notes.txt");
    assert.equal(fs.get("/srv/a", "notes.txt"), undefined);
    assert.deepEqual([...fs.load("/srv/a").keys()], ["other.txt"]);
    assert.deepEqual([...fs.load("/srv/b").keys()], ["notes.txt"]);
  });
});
