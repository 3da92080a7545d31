/**
 * Another process holds the database's write lock while the service has something to record (a
 * finished download, a saved link). The service waits only briefly inside SQLite, so it stays
 * responsive; the record is retried and nothing is lost once the lock goes.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { RUNNING_BUSY_TIMEOUT_MS } from "../../src/store/db.ts";
import { EventStore } from "../../src/store/events.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { recordingLogger } from "../support/log-lines.ts";
import { channel, deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const digest = (b: Buffer | undefined) =>
  b ? `${b.length}:${createHash("sha256").update(b).digest("hex")}` : "none";

/** A fixture whose warnings are kept, and a second connection that can take the write lock. */
async function lockableFixture(t: TestContext) {
  const log = recordingLogger();
  const f = await startFixture(t, {}, undefined, { logger: log.logger });
  const other = new Database(f.app.store.file);
  t.after(() => other.close());
  return { f, other, until: log.until };
}

function storedFile(f: AppFixture, messageId: number) {
  const row = new MessageStore(f.app.store.db).find(42, messageId);
  return row && new MediaFileStore(f.app.store.db).byMessage(row.id);
}

describe("locked storage", () => {
  it("the running service waits on another process's lock only briefly", async (t) => {
    const { f } = await lockableFixture(t);
    assert.equal(f.app.store.sqlite.pragma("busy_timeout", { simple: true }), RUNNING_BUSY_TIMEOUT_MS);
  });

  it("a download that ends while the database is locked is recorded after the lock; its deletion posts the bytes", async (t) => {
    const { f, other, until } = await lockableFixture(t);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    f.telegram.handle("upload.GetFile", async (_req, ctx) => {
      await gate;
      return ctx.builtin();
    });
    const bytes = randomBytes(60_000);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 5, peer: alice, from: alice, text: "kept", media: f.telegram.photoMedia({ bytes }) }),
        { users: [alice] },
      ),
    );
    // The message row is written; the download waits at the gate.
    while (!storedFile(f, 5)) await delay(10);
    other.exec("BEGIN IMMEDIATE");
    release();
    await until(/recording a downloaded file: storage failed/);
    assert.equal(storedFile(f, 5)?.status, "pending");
    other.exec("COMMIT");
    await f.app.idle();
    assert.equal(storedFile(f, 5)?.status, "stored");
    assert.equal(new EventStore(f.app.store.db).ofType("media.download_failed").length, 0);
    await f.telegram.push(deleteMessagesUpdate([5]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });

  it("a link fetched while the database is locked is saved after the lock, once", async (t) => {
    const { f, other, until } = await lockableFixture(t);
    const news = channel({
      id: 7002,
      title: "Public",
      megagroup: false,
      username: "publicnews",
      accessHash: 72,
    });
    f.telegram.addEntities(news);
    f.telegram.addMessages(message({ id: 20, peer: news, post: true, text: "public text" }));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let fetching!: () => void;
    const fetched = new Promise<void>((r) => {
      fetching = r;
    });
    f.telegram.handle("channels.GetMessages", async (_req, ctx) => {
      fetching();
      await gate;
      return ctx.builtin();
    });
    const request = message({
      id: 900,
      peer: f.logChannel,
      out: true,
      post: true,
      text: "t.me/publicnews/20",
    });
    await f.telegram.push(newMessageUpdate(request, { chats: [f.logChannel] }));
    await fetched;
    other.exec("BEGIN IMMEDIATE");
    release();
    await until(/recording a saved message: storage failed/);
    other.exec("COMMIT");
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /public text$/);
    const saved = new EventStore(f.app.store.db).ofType("message.saved");
    assert.deepEqual(
      saved.map((e) => e.status),
      ["success"],
    );
  });
});
