/**
 * Another process holds the database's write lock while the service has something to record (a
 * finished download, a saved link, a deleted message's file moved to the vault). The service waits
 * only briefly inside SQLite, so it stays responsive; the record is retried and nothing is lost
 * once the lock goes.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { RUNNING_BUSY_TIMEOUT_MS } from "../../src/store/db.ts";
import { EventStore } from "../../src/store/events.ts";
import { lockAfterCommit, lockableFixture, publicNews, storedFile } from "../support/locked-database.ts";
import { deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";
import { tempDir } from "../support/tmp.ts";
import { TEST_KEY, TEST_KEY_B64 } from "../support/vault.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const digest = (b: Buffer | undefined) =>
  b ? `${b.length}:${createHash("sha256").update(b).digest("hex")}` : "none";

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
    while (!storedFile(f, 42, 5)) await delay(10);
    other.exec("BEGIN IMMEDIATE");
    release();
    await until(/recording a downloaded file: storage failed/);
    assert.equal(storedFile(f, 42, 5)?.status, "pending");
    other.exec("COMMIT");
    await f.app.idle();
    assert.equal(storedFile(f, 42, 5)?.status, "stored");
    assert.equal(new EventStore(f.app.store.db).ofType("media.download_failed").length, 0);
    await f.telegram.push(deleteMessagesUpdate([5]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });

  it("a link fetched while the database is locked is saved after the lock, once", async (t) => {
    const { f, other, until } = await lockableFixture(t);
    const news = publicNews(f);
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

  it("a deleted message's file sealed into the vault while the database is locked is recorded after the lock; the post has the bytes, the buffer copy goes", async (t) => {
    const { f, other, until } = await lockableFixture(t, {
      ENCRYPT_DELETED_MEDIA: "true",
      DELETED_MEDIA_KEY_B64: TEST_KEY_B64,
    });
    const marker = Buffer.from("PLAINTEXT-MARKER");
    const bytes = Buffer.concat([marker, randomBytes(200_000)]);
    const media = f.telegram.documentMedia({ bytes, mimeType: "application/pdf", fileName: "contract.pdf" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 6, peer: alice, from: alice, text: "the contract", media }), {
        users: [alice],
      }),
    );
    await f.app.idle();
    const buffered = storedFile(f, 42, 6);
    assert.equal(buffered?.status, "stored");
    const mediaDir = path.join(f.dataRoot, "media");
    const vaultDir = path.join(f.dataRoot, "media_deleted");
    assert.deepEqual(readdirSync(mediaDir), [buffered.blob]);

    // The deletion is recorded; the lock is taken before its file's move can be.
    const locked = lockAfterCommit(f, other, "INSERT ON events WHEN NEW.type = 'message.deleted'");
    await f.telegram.push(deleteMessagesUpdate([6]));
    await locked;
    await until(/recording a deleted message's kept file: storage failed/);
    assert.equal(readdirSync(vaultDir).length, 1, "the file is sealed into media_deleted/");
    assert.equal(storedFile(f, 42, 6)?.status, "stored", "its row cannot say so yet");
    other.exec("COMMIT");
    await f.app.idle();

    const row = storedFile(f, 42, 6);
    assert.equal(row?.status, "vaulted");
    const kept = readdirSync(vaultDir);
    assert.deepEqual(kept, [row.vaultFile], "one file in media_deleted/: the one the row names");
    assert.match(kept[0]!, /^[0-9a-f]{32}\.tlv$/);
    assert.ok(
      !readFileSync(path.join(vaultDir, kept[0]!)).includes(marker),
      "no plaintext in media_deleted/",
    );
    const restored = path.join(tempDir(t), "restored");
    await decryptVaultToPath(path.join(vaultDir, kept[0]!), TEST_KEY, restored);
    assert.equal(digest(readFileSync(restored)), digest(bytes));
    assert.deepEqual(readdirSync(mediaDir), [], "the buffer copy and the decrypted copy posted are gone");
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /the contract$/);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });
});
