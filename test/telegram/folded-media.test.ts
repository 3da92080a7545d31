/**
 * Media of messages deleted in a folded burst: the burst becomes one post with a listing, and every
 * kept file still comes back after it, in its own kind (albums as albums), each with a caption
 * naming its message; the listing says per message whether its file follows or why not. Exactly
 * once across restarts; never folded again.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { OutboxStore } from "../../src/store/outbox.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { FakeRpcError } from "../support/fake-telegram.ts";
import { deleteMessagesUpdate, message, updates, user } from "../support/tl-factory.ts";
import { TEST_KEY_B64 } from "../support/vault.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
/** 2026-05-28 20:26:40 UTC, the date every test message was sent. */
const SENT = 1_780_000_000;
const SENT_UTC = "2026-05-28 20:26:40 UTC";

const digest = (b: Buffer | undefined) =>
  b ? `${b.length}:${createHash("sha256").update(b).digest("hex")}` : "none";

/** Pushes messages of Alice's private chat (media is kept there by default) and waits for downloads. */
async function receive(f: AppFixture, msgs: Api.Message[]): Promise<void> {
  await f.telegram.push(
    updates(
      msgs.map((m) => new Api.UpdateNewMessage({ message: m, pts: 1, ptsCount: 1 })),
      { users: [alice] },
    ),
  );
  await f.app.idle();
}

/** The folded posts that reached the log chat: a text file led by the burst's caption. */
function foldedPosts(f: AppFixture) {
  return f.telegram.sent.filter(
    (s) =>
      s.media instanceof Api.MessageMediaDocument &&
      s.media.document instanceof Api.Document &&
      s.media.document.mimeType === "text/plain",
  );
}

/** Photos that reached the log chat as single posts. */
function photoPosts(f: AppFixture) {
  return f.telegram.sent.filter(
    (s) => s.via === "messages.SendMedia" && s.media instanceof Api.MessageMediaPhoto,
  );
}

/** One entry of a folded listing: the one that contains `marker`. */
function listingEntry(listing: string, marker: string): string {
  const entries = listing.split("\n\n────────────────────────\n\n").filter((e) => e.includes(marker));
  assert.equal(entries.length, 1, `one listing entry for ${marker}`);
  return entries[0]!;
}

describe("media of a folded burst", () => {
  it("every kept file follows the folded post in its own kind, from the encrypted and the plain vault alike; the listing says why one is missing", async (t) => {
    const env = {
      ENCRYPT_DELETED_MEDIA: "true",
      DELETED_MEDIA_KEY_B64: TEST_KEY_B64,
      MAX_BUFFER_FILE_SIZE: "100000",
    };
    let f = await startFixture(t, env);
    const photos = [randomBytes(40_000), randomBytes(50_000), randomBytes(60_000)];
    const album = [randomBytes(20_000), randomBytes(30_000)];
    const big = randomBytes(200_000);
    const longText = `${"a long story ".repeat(100)}THE END`;
    const bigMedia = f.telegram.documentMedia({ bytes: big, mimeType: "video/mp4", fileName: "big.mp4" });
    const at = { peer: alice, from: alice, date: SENT };
    const msgs = [
      message({ id: 1, ...at, text: "first photo", media: f.telegram.photoMedia({ bytes: photos[0]! }) }),
      message({ id: 2, ...at, text: "second photo", media: f.telegram.photoMedia({ bytes: photos[1]! }) }),
      message({ id: 3, ...at, text: longText, media: f.telegram.photoMedia({ bytes: photos[2]! }) }),
      message({
        id: 4,
        ...at,
        text: "album caption",
        groupedId: 900,
        media: f.telegram.photoMedia({ bytes: album[0]! }),
      }),
      message({ id: 5, ...at, groupedId: 900, media: f.telegram.photoMedia({ bytes: album[1]! }) }),
      message({ id: 6, ...at, text: "too big", media: bigMedia }),
      ...Array.from({ length: 54 }, (_, i) => message({ id: 7 + i, ...at, text: `text message ${7 + i}` })),
    ];
    await receive(f, msgs);
    const downloads = f.telegram.requestsOf("upload.GetFile").length;
    assert.ok(downloads >= 5, "the five photos are downloaded");

    // Run 1 (vault encrypted): the log chat asks to wait, and meanwhile message 1 is deleted; its
    // photo goes to the vault encrypted, its post waits.
    f.telegram.failNext("messages.SendMessage", "FLOOD_WAIT_30", { code: 420 });
    await f.telegram.push(deleteMessagesUpdate([7]));
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([1]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0, "nothing posted during the FloodWait");
    const vault = path.join(f.dataRoot, "media_deleted");
    const vaulted = () => readdirSync(vault).filter((n) => !n.startsWith("."));
    assert.deepEqual(
      vaulted().map((n) => path.extname(n)),
      [".tlv"],
    );

    // Run 2 (vault plaintext, key still configured): the rest of the chat is cleared in one burst.
    f = await f.restart({ ENCRYPT_DELETED_MEDIA: "false", FEED_FOLD_WINDOW_MS: "60000" });
    await f.telegram.push(deleteMessagesUpdate(msgs.map((m) => m.id).filter((id) => id !== 1 && id !== 7)));
    assert.equal(new OutboxStore(f.app.store.db).summary().pending, 60, "every deletion is queued");
    f.clock.advance(60_001);
    await f.app.idle();

    // The folded post comes first, with every message in its listing.
    const folded = foldedPosts(f);
    assert.equal(folded.length, 1);
    assert.equal(f.telegram.sent[0], folded[0], "the folded post leads");
    assert.match(folded[0]!.message, /60 messages deleted/);
    assert.match(folded[0]!.message, /5 recovered files follow/);
    const listing = folded[0]!.uploadedBytes!.toString("utf8");
    for (const m of msgs) assert.ok(listing.includes(m.message), `message ${m.id} is listed`);
    for (const marker of ["first photo", "second photo", "THE END", "album caption"])
      assert.match(
        listingEntry(listing, marker),
        /📎 The file follows the folded post as its own message\.$/,
      );
    assert.match(
      listingEntry(listing, "too big"),
      /big\.mp4[\s\S]*📎 The file was not kept: 0\.2 MiB is over MAX_BUFFER_FILE_SIZE \(0\.1 MiB\)\.$/,
    );
    assert.doesNotMatch(listingEntry(listing, "text message 30"), /📎/);

    // One SendMedia per kept photo, in its own kind, with the original bytes, after the folded post.
    const sentPhotos = photoPosts(f);
    assert.deepEqual(
      sentPhotos.map((s) => digest(s.uploadedBytes)),
      photos.map(digest),
    );
    assert.ok(sentPhotos.every((s) => f.telegram.sent.indexOf(s) > 0));
    assert.equal(
      f.telegram.requestsOf("messages.SendMedia").filter((r) => !r.error).length,
      4,
      "the listing and the three photos",
    );
    const first = sentPhotos[0]!;
    assert.match(first.message, /^🗑 Media of a deleted message\nprivate chat with Alice · message 1 · sent /);
    assert.ok(first.message.includes(SENT_UTC));
    assert.ok(first.message.endsWith("\n\nfirst photo"));
    const link = first.entities.find(
      (e) => e instanceof Api.MessageEntityTextUrl && e.url.includes("message_id"),
    );
    assert.equal((link as Api.MessageEntityTextUrl).url, "tg://openmessage?user_id=42&message_id=1");
    assert.equal(first.message.slice(link!.offset, link!.offset + link!.length), "message 1");

    // A caption over 1024 units: the file with what fits, the rest in a follow-up message.
    const third = sentPhotos[2]!;
    assert.ok(third.message.length <= 1024);
    const next = f.telegram.sent[f.telegram.sent.indexOf(third) + 1]!;
    assert.equal(next.via, "messages.SendMessage");
    assert.ok(`${third.message}${next.message}`.endsWith(longText));

    // The album as one album, with both files.
    const albums = f.telegram.requestsOf("messages.SendMultiMedia").filter((r) => !r.error);
    assert.equal(albums.length, 1);
    assert.equal(albums[0]!.request.multiMedia.length, 2);
    assert.match(albums[0]!.request.multiMedia[0]!.message, /message 4 · sent [\s\S]*\n\nalbum caption$/);
    const albumSent = f.telegram.sent.filter((s) => s.via === "messages.SendMultiMedia");
    assert.deepEqual(
      albumSent.map((s) => digest(s.uploadedBytes)),
      album.map(digest),
    );

    // The file over the cap was never downloaded nor posted.
    const bigId = (bigMedia.document as Api.Document).id.toString();
    assert.equal(
      f.telegram
        .requestsOf("upload.GetFile")
        .filter((r) => "id" in r.request.location && r.request.location.id.toString() === bigId).length,
      0,
    );
    assert.ok(!f.telegram.sent.some((s) => s.uploadedBytes?.equals(big)));
    assert.equal(
      f.telegram.sent.filter((s) => s.message.includes("too big")).length,
      0,
      "only in the listing",
    );

    // The decrypted copy of the encrypted file is gone; the vault holds both formats.
    assert.deepEqual(
      readdirSync(path.join(f.dataRoot, "media")).filter((n) => n.endsWith(".plain")),
      [],
    );
    assert.deepEqual(
      vaulted()
        .map((n) => path.extname(n))
        .sort(),
      [".bin", ".bin", ".bin", ".bin", ".tlv"],
    );
    assert.deepEqual(new OutboxStore(f.app.store.db).summary(), {
      pending: 0,
      failed: 0,
      oldestPendingAt: null,
    });
  });

  it("a restart while the files are being posted posts none twice, and the files are never folded again", async (t) => {
    let f = await startFixture(t);
    const photos = Array.from({ length: 7 }, (_, i) => randomBytes(10_000 + i * 1000));
    const at = { peer: alice, from: alice, date: SENT };
    const msgs = [
      ...photos.map((bytes, i) =>
        message({ id: 100 + i, ...at, text: `photo ${i}`, media: f.telegram.photoMedia({ bytes }) }),
      ),
      ...Array.from({ length: 33 }, (_, i) => message({ id: 200 + i, ...at, text: `text ${i}` })),
    ];
    await receive(f, msgs);
    // The third photo reaches Telegram, but the app is told to wait and never learns it was sent.
    let photoSends = 0;
    f.telegram.handle("messages.SendMedia", (req, ctx) => {
      const isPhoto = (req as Api.messages.SendMedia).media instanceof Api.InputMediaUploadedPhoto;
      const answer = ctx.builtin();
      if (isPhoto && ++photoSends === 3) throw new FakeRpcError(420, "FLOOD_WAIT_300");
      return answer;
    });
    await f.telegram.push(deleteMessagesUpdate(msgs.map((m) => m.id)));
    await f.app.idle();
    assert.equal(foldedPosts(f).length, 1);
    assert.equal(photoPosts(f).length, 3, "three photos out when the app stops");

    f = await f.restart();
    await f.app.idle();
    f.clock.advance(301_000);
    await f.app.idle();

    assert.equal(foldedPosts(f).length, 1, "the burst is folded once; its seven files are not folded again");
    assert.deepEqual(
      photoPosts(f)
        .map((s) => digest(s.uploadedBytes))
        .sort(),
      photos.map(digest).sort(),
      "every photo exactly once",
    );
    const retried = f.telegram
      .requestsOf("messages.SendMedia")
      .filter((r) => r.error === "RANDOM_ID_DUPLICATE");
    assert.equal(retried.length, 1, "the unacknowledged photo was retried with its stored random id");
    const firstTry = f.telegram.requestsOf("messages.SendMedia").filter((r) => r.error === "FLOOD_WAIT_300");
    assert.equal(retried[0]!.request.randomId!.toString(), firstTry[0]!.request.randomId!.toString());
    assert.deepEqual(new OutboxStore(f.app.store.db).summary(), {
      pending: 0,
      failed: 0,
      oldestPendingAt: null,
    });
  });

  it("a folded post that must be tried again still leads its files", async (t) => {
    const f = await startFixture(t);
    const photos = [randomBytes(8000), randomBytes(9000)];
    const at = { peer: alice, from: alice, date: SENT };
    const msgs = [
      ...photos.map((bytes, i) =>
        message({ id: 300 + i, ...at, text: `photo ${i}`, media: f.telegram.photoMedia({ bytes }) }),
      ),
      ...Array.from({ length: 10 }, (_, i) => message({ id: 400 + i, ...at, text: `text ${i}` })),
    ];
    await receive(f, msgs);
    f.telegram.failNext("messages.SendMedia", "CHAT_ADMIN_REQUIRED", { code: 400 });
    await f.telegram.push(deleteMessagesUpdate(msgs.map((m) => m.id)));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0, "the files wait while the folded post waits for its retry");
    f.clock.advance(10_000);
    await f.app.idle();
    assert.equal(f.telegram.sent[0], foldedPosts(f)[0], "the folded post first");
    assert.deepEqual(
      f.telegram.sent.slice(1).map((s) => digest(s.uploadedBytes)),
      photos.map(digest),
    );
  });
});
