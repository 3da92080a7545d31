/**
 * The service stops while another process still holds the database's write lock and a step waits
 * to be recorded (a finished download, a saved link). The step gets one last try and gives up:
 * nothing is half-recorded, the log says what was not, and the next start picks up what it can.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { Api } from "telegram";
import { markChannel } from "../../src/model/peer-id.ts";
import { EventStore } from "../../src/store/events.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { OutboxStore } from "../../src/store/outbox.ts";
import { openReader } from "../../src/store/reader.ts";
import type { AppFixture } from "../support/app-fixture.ts";
import { lockableFixture, publicNews, storedFile } from "../support/locked-database.ts";
import type { LogLine } from "../support/log-lines.ts";
import { deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const digest = (b: Buffer | undefined) => (b ? `${b.length}:${sha256(b)}` : "none");

/** The database as the stopped service left it, read through a connection of its own. */
function storedState(t: TestContext, f: AppFixture) {
  const reader = openReader(f.app.store.file);
  t.after(() => reader.close());
  return {
    files: new MediaFileStore(reader.db),
    messages: new MessageStore(reader.db),
    events: new EventStore(reader.db),
    outbox: new OutboxStore(reader.db),
    fileRows: () => reader.sqlite.prepare("SELECT * FROM media_files").all(),
  };
}

/** Errors logged (level 50 and up): message and, for a link, which one. */
const errorsOf = (lines: readonly LogLine[]) =>
  lines.filter((l) => l.level >= 50).map((l) => ({ msg: l.msg, link: (l as { link?: string }).link }));

/** A gate a fake Telegram answer waits at; `reached` resolves when the first request gets there. */
function gate() {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const reached = new Promise<void>((r) => {
    arrived = r;
  });
  return {
    open,
    reached,
    pass: async () => {
      arrived();
      await opened;
    },
  };
}

describe("stopped while the database is locked", () => {
  it("a download that ends while the database is locked, then a stop: the row stays pending and no file is left; the next start downloads it again", async (t) => {
    const { f, other, log, until } = await lockableFixture(t);
    const download = gate();
    f.telegram.handle("upload.GetFile", async (_req, ctx) => {
      await download.pass();
      return ctx.builtin();
    });
    const bytes = randomBytes(60_000);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 5, peer: alice, from: alice, text: "kept", media: f.telegram.photoMedia({ bytes }) }),
        { users: [alice] },
      ),
    );
    await download.reached;
    other.exec("BEGIN IMMEDIATE");
    download.open();
    await until(/recording a downloaded file: storage failed/);
    const fetched = f.telegram.requestsOf("upload.GetFile").length;
    await f.stop();
    other.exec("COMMIT");

    assert.deepEqual(errorsOf(log.lines), [
      { msg: "a downloaded file could not be recorded; retried at the next start", link: undefined },
    ]);
    const mediaDir = path.join(f.dataRoot, "media");
    assert.deepEqual(readdirSync(mediaDir), [], "neither the downloaded file nor a partial one is left");
    const left = storedState(t, f);
    const row = left.files.byMessage(left.messages.find(42, 5)!.id);
    assert.deepEqual(
      { status: row?.status, blob: row?.blob, sha256: row?.sha256, reason: row?.reason },
      { status: "pending", blob: null, sha256: null, reason: null },
    );
    assert.deepEqual(left.events.ofType("media.download_failed"), []);

    const next = await f.restart();
    await next.app.idle();
    assert.ok(next.telegram.requestsOf("upload.GetFile").length > fetched, "the file is downloaded again");
    const stored = storedFile(next, 42, 5);
    assert.equal(stored?.status, "stored");
    assert.equal(stored.sha256, sha256(bytes));
    assert.equal(stored.size, bytes.length);
    assert.deepEqual(readdirSync(mediaDir), [stored.blob]);
    assert.equal(digest(readFileSync(path.join(mediaDir, stored.blob!))), digest(bytes));

    await next.telegram.push(deleteMessagesUpdate([5]));
    await next.app.idle();
    assert.equal(next.telegram.sent.length, 1);
    assert.equal(digest(next.telegram.sent[0]!.uploadedBytes), digest(bytes));
    assert.equal(errorsOf(log.lines).length, 1, "the second run logged no error");
  });

  it("a link fetched while the database is locked, then a stop: no reply, the log says the link was not recorded, nothing is half-stored; sent again, it is saved once", async (t) => {
    const { f, other, log, until } = await lockableFixture(t);
    const news = publicNews(f);
    const photo = randomBytes(40_000);
    const linked = message({
      id: 20,
      peer: news,
      post: true,
      text: "public text",
      media: f.telegram.photoMedia({ bytes: photo }),
    });
    f.telegram.addMessages(linked);
    const fetch = gate();
    f.telegram.handle("channels.GetMessages", async (_req, ctx) => {
      await fetch.pass();
      return ctx.builtin();
    });
    const link = "t.me/publicnews/20";
    await f.telegram.push(
      newMessageUpdate(message({ id: 900, peer: f.logChannel, out: true, post: true, text: link }), {
        chats: [f.logChannel],
      }),
    );
    await fetch.reached;
    other.exec("BEGIN IMMEDIATE");
    fetch.open();
    await until(/recording a saved message: storage failed/);
    await f.stop();
    other.exec("COMMIT");

    // What the owner sees: no reply in the log chat, and the log line naming the link.
    assert.equal(f.telegram.sent.length, 0);
    assert.deepEqual(errorsOf(log.lines), [
      {
        msg: "restricted-link saver: stopped before the link could be recorded; send the link again",
        link,
      },
    ]);
    // Nothing of the linked message was written, nor a reply queued, nor its file kept.
    const left = storedState(t, f);
    assert.equal(left.messages.find(markChannel(7002), 20), undefined);
    assert.deepEqual(left.events.ofType("message.saved"), []);
    assert.equal(left.outbox.summary().pending, 0);
    assert.deepEqual(left.fileRows(), []);
    const mediaDir = path.join(f.dataRoot, "media");
    assert.deepEqual(readdirSync(mediaDir), []);

    // The next start neither replays the link nor fails on it.
    const next = await f.restart();
    await next.app.idle();
    assert.equal(next.telegram.sent.length, 0);
    assert.deepEqual(new EventStore(next.app.store.db).ofType("message.saved"), []);

    // Sent again, the link is saved once, with its file.
    await next.telegram.push(
      newMessageUpdate(message({ id: 901, peer: f.logChannel, out: true, post: true, text: link }), {
        chats: [f.logChannel],
      }),
    );
    await next.app.idle();
    assert.equal(next.telegram.sent.length, 1);
    assert.match(next.telegram.sent[0]!.message, /public text$/);
    assert.equal(digest(next.telegram.sent[0]!.uploadedBytes), digest(photo));
    const [reply] = next.telegram.requestsOf("messages.SendMedia").filter((r) => !r.error);
    assert.ok(reply?.request.replyTo instanceof Api.InputReplyToMessage);
    assert.equal(reply.request.replyTo.replyToMsgId, 901);
    assert.deepEqual(
      new EventStore(next.app.store.db).ofType("message.saved").map((e) => e.status),
      ["success"],
    );
    const file = storedFile(next, markChannel(7002), 20);
    assert.equal(file?.sha256, sha256(photo));
    assert.deepEqual(readdirSync(mediaDir), [file.blob]);
    assert.equal(errorsOf(log.lines).length, 1, "the second run logged no error");
  });
});
