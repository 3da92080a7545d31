/**
 * Media of deleted messages: downloaded in the background, kept in media_deleted/, and posted in
 * its own kind with the exact bytes; when it is missing the post says why.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { EventStore } from "../../src/store/events.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { FakeRpcError } from "../support/fake-telegram.ts";
import {
  channel,
  deleteChannelMessagesUpdate,
  deleteMessagesUpdate,
  editMessageUpdate,
  message,
  newMessageUpdate,
  updates,
  user,
} from "../support/tl-factory.ts";
import { tempDir } from "../support/tmp.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const group = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });

const digest = (b: Buffer | undefined) =>
  b ? `${b.length}:${createHash("sha256").update(b).digest("hex")}` : "none";

function mediaSends(f: AppFixture) {
  return f.telegram.requestsOf("messages.SendMedia").filter((r) => !r.error);
}

describe("deleted media", () => {
  it("a photo deleted in a private chat is re-posted as a photo with the original bytes and the text as caption", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(300_000);
    const media = f.telegram.photoMedia({ bytes });
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, from: alice, text: "holiday **pic**", media }), {
        users: [alice],
      }),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([1]));
    await f.app.idle();
    const sends = mediaSends(f);
    assert.equal(sends.length, 1);
    assert.ok(sends[0]!.request.media instanceof Api.InputMediaUploadedPhoto);
    assert.match(sends[0]!.request.message, /holiday \*\*pic\*\*$/);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
    assert.equal(f.telegram.requestsOf("messages.ForwardMessages").length, 0);
    const files = readdirSync(path.join(f.dataRoot, "media_deleted")).filter((n) => !n.startsWith("."));
    assert.equal(files.length, 1, "the file is kept in media_deleted/");
    assert.match(files[0]!, /^[0-9a-f]{32}\.bin$/, "under a name that reveals nothing");
  });

  it("a voice note is re-posted as a voice note; a protected channel's document is re-uploaded, not forwarded", async (t) => {
    const f = await startFixture(t);
    const voice = randomBytes(20_000);
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 2,
          peer: alice,
          from: alice,
          media: f.telegram.documentMedia({
            bytes: voice,
            mimeType: "audio/ogg",
            attributes: [new Api.DocumentAttributeAudio({ duration: 4, voice: true })],
          }),
        }),
        { users: [alice] },
      ),
    );
    const secret = channel({
      id: 5009,
      title: "Protected",
      megagroup: false,
      noforwards: true,
      accessHash: 9,
    });
    const pdf = randomBytes(150_000);
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 3,
          peer: secret,
          post: true,
          text: "report",
          media: f.telegram.documentMedia({
            bytes: pdf,
            mimeType: "application/pdf",
            fileName: "report.pdf",
          }),
        }),
        { chats: [secret] },
      ),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([2]));
    await f.telegram.push(deleteChannelMessagesUpdate(5009, [3]));
    await f.app.idle();
    const sends = mediaSends(f).map((r) => r.request.media as Api.InputMediaUploadedDocument);
    assert.equal(sends.length, 2);
    assert.ok(sends[0]!.attributes.some((a) => a instanceof Api.DocumentAttributeAudio && a.voice));
    assert.ok(
      sends[1]!.attributes.some(
        (a) => a instanceof Api.DocumentAttributeFilename && a.fileName === "report.pdf",
      ),
    );
    assert.deepEqual(
      f.telegram.sent.map((s) => digest(s.uploadedBytes)),
      [digest(voice), digest(pdf)],
    );
    assert.equal(f.telegram.requestsOf("messages.ForwardMessages").length, 0);
  });

  it("media over MAX_BUFFER_FILE_SIZE is not downloaded; the post says so with the sizes", async (t) => {
    const f = await startFixture(t, { MAX_BUFFER_FILE_SIZE: "100000" });
    const media = f.telegram.documentMedia({
      bytes: randomBytes(200_000),
      mimeType: "video/mp4",
      fileName: "big.mp4",
    });
    await f.telegram.push(
      newMessageUpdate(message({ id: 4, peer: alice, from: alice, text: "big one", media }), {
        users: [alice],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([4]));
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("upload.GetFile").length, 0);
    assert.equal(mediaSends(f).length, 0);
    const post = f.telegram.sent[0]!.message;
    assert.match(post, /big\.mp4/);
    assert.match(post, /0\.2 MiB is over MAX_BUFFER_FILE_SIZE \(0\.1 MiB\)/);
  });

  it("group media is not kept by default policy, and the post says why", async (t) => {
    const f = await startFixture(t);
    const media = f.telegram.photoMedia({ bytes: randomBytes(1000) });
    await f.telegram.push(
      newMessageUpdate(message({ id: 5, peer: group, from: alice, media }), {
        users: [alice],
        chats: [group],
      }),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [5]));
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("upload.GetFile").length, 0);
    assert.match(f.telegram.sent[0]!.message, /not buffered by policy/);
  });

  it("BUFFER_ALL_MEDIA keeps group media too", async (t) => {
    const f = await startFixture(t, { BUFFER_ALL_MEDIA: "true" });
    const bytes = randomBytes(5000);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 6, peer: group, from: alice, media: f.telegram.photoMedia({ bytes }) }),
        { users: [alice], chats: [group] },
      ),
    );
    await f.app.idle();
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [6]));
    await f.app.idle();
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });

  it("a deletion that arrives while the download runs waits for it", async (t) => {
    const f = await startFixture(t);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const downloading = new Promise<void>((r) => {
      started = r;
    });
    f.telegram.handle("upload.GetFile", async (_req, ctx) => {
      started();
      await gate;
      return ctx.builtin();
    });
    const bytes = randomBytes(50_000);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 7, peer: alice, from: alice, media: f.telegram.photoMedia({ bytes }) }),
        { users: [alice] },
      ),
    );
    await downloading;
    await f.telegram.push(deleteMessagesUpdate([7]));
    const idle = f.app.idle();
    await new Promise((r) => setImmediate(r));
    assert.equal(f.telegram.sent.length, 0, "nothing posted while the file is still downloading");
    release();
    await idle;
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });

  it("FILE_REFERENCE_EXPIRED: the message is fetched again and the download retried", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(10_000);
    const msg = message({ id: 8, peer: alice, from: alice, media: f.telegram.photoMedia({ bytes }) });
    f.telegram.addMessages(msg);
    f.telegram.failNext("upload.GetFile", "FILE_REFERENCE_EXPIRED", { code: 400 });
    await f.telegram.push(newMessageUpdate(msg, { users: [alice] }));
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("messages.GetMessages").length, 1);
    await f.telegram.push(deleteMessagesUpdate([8]));
    await f.app.idle();
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });

  it("a failed download is an error event; the message stays and its deletion is still posted with the reason", async (t) => {
    const f = await startFixture(t);
    f.telegram.handle("upload.GetFile", () => {
      throw new FakeRpcError(400, "FILE_ID_INVALID");
    });
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 9,
          peer: alice,
          from: alice,
          text: "lost file",
          media: f.telegram.photoMedia({ bytes: randomBytes(100) }),
        }),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    const failed = new EventStore(f.app.store.db).ofType("media.download_failed", "error");
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.error ?? "", /FILE_ID_INVALID/);
    await f.telegram.push(deleteMessagesUpdate([9]));
    await f.app.idle();
    assert.equal(mediaSends(f).length, 0);
    assert.match(f.telegram.sent[0]!.message, /lost file\n.*could not be downloaded: .*FILE_ID_INVALID/s);
    assert.ok(new MessageStore(f.app.store.db).find(42, 9));
  });

  it("the same bytes in two messages are stored once", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(4096);
    for (const id of [10, 11]) {
      await f.telegram.push(
        newMessageUpdate(message({ id, peer: alice, from: alice, media: f.telegram.photoMedia({ bytes }) }), {
          users: [alice],
        }),
      );
      await f.app.idle();
    }
    const blobs = readdirSync(path.join(f.dataRoot, "media")).filter((n) => !n.startsWith("."));
    assert.equal(blobs.length, 1);
    const files = new MediaFileStore(f.app.store.db);
    const m = new MessageStore(f.app.store.db);
    assert.equal(files.byMessage(m.find(42, 10)!.id)?.blob, files.byMessage(m.find(42, 11)!.id)?.blob);
  });

  it("a caption over 1024 characters moves to a follow-up message", async (t) => {
    const f = await startFixture(t);
    const text = `${"long caption ".repeat(100)}END`;
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 12,
          peer: alice,
          from: alice,
          text,
          media: f.telegram.photoMedia({ bytes: randomBytes(100) }),
        }),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([12]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 2);
    assert.equal(f.telegram.sent[0]!.via, "messages.SendMedia");
    assert.ok(f.telegram.sent[0]!.message.length <= 1024);
    assert.equal(f.telegram.sent[1]!.via, "messages.SendMessage");
    assert.ok(`${f.telegram.sent[0]!.message}${f.telegram.sent[1]!.message}`.endsWith(text));
  });
});

describe("self-destructing media", () => {
  it("view-once media is downloaded at arrival and posted once, when opened", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(30_000);
    const media = f.telegram.photoMedia({ bytes, ttlSeconds: 2147483647 });
    await f.telegram.push(
      newMessageUpdate(message({ id: 20, peer: alice, from: alice, media }), { users: [alice] }),
    );
    await f.app.idle();
    assert.ok(f.telegram.requestsOf("upload.GetFile").length > 0, "downloaded at arrival");
    assert.equal(f.telegram.sent.length, 0);
    const opened = () =>
      new Api.UpdateShort({
        update: new Api.UpdateReadMessagesContents({ messages: [20], pts: 1, ptsCount: 1 }),
        date: 1,
      });
    await f.telegram.push(opened());
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /Self-destructing media was opened/);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
    await f.telegram.push(opened());
    await f.telegram.push(deleteMessagesUpdate([20]));
    await f.app.idle();
    assert.equal(mediaSends(f).length, 1, "the media is posted once");
    assert.equal(f.telegram.sent.length, 2, "the deletion is still reported");
    assert.match(f.telegram.sent[1]!.message, /Posted when it was opened or expired/);
  });

  it("timed media that expires (edited away) is posted once, and is not an edit", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(10_000);
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 21,
          peer: alice,
          from: alice,
          media: f.telegram.photoMedia({ bytes, ttlSeconds: 10 }),
        }),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    const expired = message({
      id: 21,
      peer: alice,
      from: alice,
      media: new Api.MessageMediaPhoto({ ttlSeconds: 10 }),
    });
    await f.telegram.push(editMessageUpdate(expired, { users: [alice] }));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /expired/);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
    assert.equal(new EventStore(f.app.store.db).ofType("message.edited").length, 0);
  });

  it("view-once media deleted before it was opened is posted with the deletion", async (t) => {
    const f = await startFixture(t);
    const bytes = randomBytes(10_000);
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 22,
          peer: alice,
          from: alice,
          media: f.telegram.photoMedia({ bytes, ttlSeconds: 2147483647 }),
        }),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([22]));
    await f.telegram.push(
      new Api.UpdateShort({
        update: new Api.UpdateReadMessagesContents({ messages: [22], pts: 1, ptsCount: 1 }),
        date: 1,
      }),
    );
    await f.app.idle();
    assert.equal(mediaSends(f).length, 1);
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
  });
});

describe("albums", () => {
  it("a deleted album is re-posted as one album with every file's bytes and captions", async (t) => {
    const f = await startFixture(t);
    const files = [randomBytes(20_000), randomBytes(30_000), randomBytes(40_000)];
    const msgs = files.map((bytes, i) =>
      message({
        id: 30 + i,
        peer: alice,
        from: alice,
        text: i === 0 ? "album caption" : "",
        groupedId: 777,
        media: f.telegram.photoMedia({ bytes }),
      }),
    );
    await f.telegram.push(
      updates(
        msgs.map((m) => new Api.UpdateNewMessage({ message: m, pts: 1, ptsCount: 1 })),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([30, 31, 32]));
    await f.app.idle();
    const albums = f.telegram.requestsOf("messages.SendMultiMedia").filter((r) => !r.error);
    assert.equal(albums.length, 1);
    assert.equal(albums[0]!.request.multiMedia.length, 3);
    assert.match(albums[0]!.request.multiMedia[0]!.message, /album caption$/);
    assert.deepEqual(
      f.telegram.sent.map((s) => digest(s.uploadedBytes)),
      files.map(digest),
    );
    assert.equal(mediaSends(f).length, 0, "no single-file posts");
  });

  it("FLOOD_WAIT_30 while uploading an album's second file: nothing goes to Telegram for 30 s, no attempt is counted, then the album is sent once", async (t) => {
    // One attempt only: a FloodWait counted as a failed attempt would fail the posts for good.
    const f = await startFixture(t, { FEED_MAX_ATTEMPTS: "1" });
    const files = [randomBytes(20_000), randomBytes(30_000), randomBytes(40_000)];
    const msgs = files.map((bytes, i) =>
      message({
        id: 40 + i,
        peer: alice,
        from: alice,
        groupedId: 778,
        media: f.telegram.photoMedia({ bytes }),
      }),
    );
    await f.telegram.push(
      updates(
        msgs.map((m) => new Api.UpdateNewMessage({ message: m, pts: 1, ptsCount: 1 })),
        { users: [alice] },
      ),
    );
    await f.app.idle();
    let parts = 0;
    f.telegram.handle("upload.SaveFilePart", (_request, { builtin }) => {
      if (++parts === 2) throw new FakeRpcError(420, "FLOOD_WAIT_30");
      return builtin();
    });
    await f.telegram.push(deleteMessagesUpdate([40, 41, 42]));
    await f.app.idle();
    const flooded = f.telegram.requestsOf("upload.SaveFilePart").filter((r) => r.error === "FLOOD_WAIT_30");
    assert.equal(flooded.length, 1, "the second file's upload was answered FLOOD_WAIT_30");
    assert.equal(f.telegram.requestsOf("messages.SendMultiMedia").length, 0);
    const rows = () => f.app.store.sqlite.prepare("SELECT status, attempts FROM outbox ORDER BY id").all();
    const waiting = { status: "pending", attempts: 0 };
    assert.deepEqual(rows(), [waiting, waiting, waiting], "waiting, not a failed attempt");

    const asked = f.telegram.requests.length;
    f.clock.advance(29_000);
    await f.app.idle();
    assert.equal(f.telegram.requests.length, asked, "no request to Telegram at 29 s");
    f.clock.advance(1_500);
    await f.app.idle();
    const albums = f.telegram.requestsOf("messages.SendMultiMedia");
    assert.equal(albums.length, 1, "the album is sent once");
    assert.equal(albums[0]!.error, undefined);
    assert.deepEqual(
      f.telegram.sent.map((s) => digest(s.uploadedBytes)),
      files.map(digest),
    );
    const sent = { status: "sent", attempts: 0 };
    assert.deepEqual(rows(), [sent, sent, sent]);
  });
});

describe("encrypted vault", () => {
  it("with ENCRYPT_DELETED_MEDIA the kept file is encrypted on disk, decrypts to the original, and is posted intact", async (t) => {
    const key = randomBytes(32);
    const f = await startFixture(t, {
      ENCRYPT_DELETED_MEDIA: "true",
      DELETED_MEDIA_KEY_B64: key.toString("base64"),
    });
    const bytes = Buffer.concat([Buffer.from("PLAINTEXT-MARKER"), randomBytes(700_000)]);
    const media = f.telegram.documentMedia({ bytes, mimeType: "application/pdf", fileName: "contract.pdf" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 40, peer: alice, from: alice, text: "the contract", media }), {
        users: [alice],
      }),
    );
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([40]));
    await f.app.idle();
    assert.equal(digest(f.telegram.sent[0]!.uploadedBytes), digest(bytes));
    const vaultDir = path.join(f.dataRoot, "media_deleted");
    const files = readdirSync(vaultDir).filter((n) => !n.startsWith("."));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^[0-9a-f]{32}\.tlv$/);
    const onDisk = readFileSync(path.join(vaultDir, files[0]!));
    assert.ok(
      !onDisk.includes(Buffer.from("PLAINTEXT-MARKER")) && !onDisk.includes(Buffer.from("contract.pdf")),
    );
    const restored = path.join(tempDir(t), "restored");
    const meta = await decryptVaultToPath(path.join(vaultDir, files[0]!), key, restored);
    assert.equal(meta.fileName, "contract.pdf");
    assert.equal(meta.messageId, 40);
    assert.equal(digest(readFileSync(restored)), digest(bytes));
    const leftovers = readdirSync(path.join(f.dataRoot, "media")).filter((n) => n.endsWith(".plain"));
    assert.deepEqual(leftovers, [], "the temporary plaintext is removed after posting");
  });
});

describe("leftovers", () => {
  it("temporary plaintext and partial downloads left by a crash are removed at start", async (t) => {
    let f = await startFixture(t);
    const media = path.join(f.dataRoot, "media");
    writeFileSync(path.join(media, ".0123abcd.plain"), "decrypted deleted media");
    writeFileSync(path.join(media, ".4567efgh.part"), "half a download");
    writeFileSync(path.join(media, "keepme"), "a buffered file");
    f = await f.restart();
    assert.deepEqual(readdirSync(media).sort(), ["keepme"]);
  });
});
