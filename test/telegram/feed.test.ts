/**
 * The log-chat feed: splitting, folding bursts, FloodWait, exactly-once across crashes and
 * restarts, failures after retries. Assertions are on what Telegram received.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { Api } from "telegram";
import { EventStore } from "../../src/store/events.ts";
import { OutboxStore } from "../../src/store/outbox.ts";
import { startFixture } from "../support/app-fixture.ts";
import {
  channel,
  deleteChannelMessagesUpdate,
  deleteMessagesUpdate,
  message,
  newMessageUpdate,
  updates,
  user,
} from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const group = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });

function sendMessages(f: {
  telegram: {
    requestsOf(c: "messages.SendMessage"): { request: Api.messages.SendMessage; error?: string }[];
  };
}) {
  return f.telegram.requestsOf("messages.SendMessage");
}

describe("log-chat feed", () => {
  it("splits a 5,000-character message over two posts with consecutive random ids and intact entities", async (t) => {
    const f = await startFixture(t);
    const text = `${"lorem ipsum ".repeat(400)}THE END`;
    const tail = text.length - 7;
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 1,
          peer: group,
          from: alice,
          text,
          entities: [new Api.MessageEntityBold({ offset: tail, length: 7 })],
        }),
        { users: [alice], chats: [group] },
      ),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [1]));
    await f.app.idle();
    const parts = f.telegram.sent;
    assert.equal(parts.length, 2);
    assert.ok(parts.every((p) => p.message.length <= 4096));
    const joined = parts.map((p) => p.message).join("");
    assert.ok(joined.endsWith(text), "the whole text arrives, in order");
    assert.equal(parts[1]!.randomId, parts[0]!.randomId + 1n);
    const last = parts[1]!;
    const bold = last.entities.find((e) => e instanceof Api.MessageEntityBold);
    assert.equal(last.message.slice(bold!.offset, bold!.offset + bold!.length), "THE END");
  });

  it("keeps entity offsets right around emoji and other surrogate pairs", async (t) => {
    const f = await startFixture(t);
    const text = "👍🏽 𝕏 café 😀😀 bold 🇺🇦 end";
    const at = text.indexOf("bold");
    const flag = text.indexOf("🇺🇦");
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 2,
          peer: group,
          from: alice,
          text,
          entities: [
            new Api.MessageEntityBold({ offset: at, length: 4 }),
            new Api.MessageEntityItalic({ offset: flag, length: 4 }),
          ],
        }),
        { users: [alice], chats: [group] },
      ),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [2]));
    await f.app.idle();
    const post = f.telegram.sent[0]!;
    const slice = (e: Api.TypeMessageEntity) => post.message.slice(e.offset, e.offset + e.length);
    assert.equal(
      slice(
        post.entities.find((e) => e instanceof Api.MessageEntityBold && slice(e) !== "🗑 Message deleted")!,
      ),
      "bold",
    );
    assert.equal(
      slice(post.entities.find((e) => e instanceof Api.MessageEntityItalic && slice(e) === "🇺🇦")!),
      "🇺🇦",
    );
  });

  it("folds 500 deletions at once into at most 3 posts with every message present", async (t) => {
    const f = await startFixture(t, { FEED_FOLD_WINDOW_MS: "400" });
    const msgs = Array.from({ length: 500 }, (_, i) =>
      i % 2 === 0
        ? message({ id: 1000 + i, peer: alice, from: alice, text: `private message number ${i} ✓` })
        : message({ id: 1000 + i, peer: group, from: alice, text: `group message number ${i} ✓` }),
    );
    for (let i = 0; i < msgs.length; i += 50) {
      const slice = msgs.slice(i, i + 50);
      await f.telegram.push(
        updates(
          slice.map((m) =>
            m.peerId instanceof Api.PeerChannel
              ? new Api.UpdateNewChannelMessage({ message: m, pts: 1, ptsCount: 1 })
              : new Api.UpdateNewMessage({ message: m, pts: 1, ptsCount: 1 }),
          ),
          { users: [alice], chats: [group] },
        ),
      );
    }
    await f.app.idle();
    const privateIds = msgs.filter((m) => m.peerId instanceof Api.PeerUser).map((m) => m.id);
    const groupIds = msgs.filter((m) => m.peerId instanceof Api.PeerChannel).map((m) => m.id);
    for (let i = 0; i < privateIds.length; i += 100)
      await f.telegram.push(deleteMessagesUpdate(privateIds.slice(i, i + 100)));
    for (let i = 0; i < groupIds.length; i += 100)
      await f.telegram.push(deleteChannelMessagesUpdate(5001, groupIds.slice(i, i + 100)));
    await f.app.idle();

    assert.ok(f.telegram.sent.length <= 3, `${f.telegram.sent.length} posts`);
    const everything = f.telegram.sent
      .map((s) => `${s.message}\n${s.uploadedBytes?.toString("utf8") ?? ""}`)
      .join("\n");
    const missing = msgs.filter((m) => !everything.includes(`${m.message}`));
    assert.deepEqual(
      missing.map((m) => m.id),
      [],
    );
    const withFile = f.telegram.sent.find((s) => s.uploadedBytes);
    assert.ok(withFile, "the listing is attached as a file");
    assert.match(withFile.message, /messages deleted/);
    assert.ok(withFile.message.length <= 1024, "the caption fits Telegram's limit");
  });

  it("FLOOD_WAIT_30 while posting: nothing is sent until the wait is over, then the post goes out", async (t) => {
    const f = await startFixture(t);
    f.telegram.failNext("messages.SendMessage", "FLOOD_WAIT_30", { code: 420 });
    await f.telegram.push(
      newMessageUpdate(message({ id: 3, peer: alice, from: alice, text: "flooded" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([3]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
    const pending = new OutboxStore(f.app.store.db).summary();
    assert.equal(pending.pending, 1);
    f.clock.advance(29_000);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0, "still waiting at 29 s");
    f.clock.advance(1_500);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /flooded$/);
    const attempts = sendMessages(f);
    assert.equal(attempts.length, 2);
    assert.equal(
      attempts[0]!.request.randomId!.toString(),
      attempts[1]!.request.randomId!.toString(),
      "the same random id",
    );
  });

  it("a send whose answer was lost is not duplicated after a restart (random id reused)", async (t) => {
    let f = await startFixture(t);
    f.telegram.failAfterDelivery("messages.SendMessage");
    await f.telegram.push(
      newMessageUpdate(message({ id: 4, peer: alice, from: alice, text: "exactly once" }), {
        users: [alice],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([4]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1, "Telegram got it, but the app does not know");
    assert.equal(new OutboxStore(f.app.store.db).summary().pending, 1);
    f = await f.restart();
    f.clock.advance(15 * 60_000);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1, "no second message");
    const tries = sendMessages(f);
    assert.equal(tries.length, 2);
    assert.equal(tries[1]!.error, "RANDOM_ID_DUPLICATE");
    assert.equal(new OutboxStore(f.app.store.db).summary().pending, 0);
  });

  it("posts pending at stop are sent after restart", async (t) => {
    let f = await startFixture(t);
    f.telegram.failNext("messages.SendMessage", "FLOOD_WAIT_300", { code: 420 });
    await f.telegram.push(
      newMessageUpdate(message({ id: 5, peer: alice, from: alice, text: "survives restart" }), {
        users: [alice],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([5]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
    f = await f.restart();
    f.clock.advance(301_000);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /survives restart$/);
  });

  it("stopping during a fold window does not wait for it; the deletion is posted after restart", {
    timeout: 60_000,
  }, async (t) => {
    // A fold window far longer than any stop may take: only the stop signal can end the wait.
    let f = await startFixture(t, { FEED_FOLD_WINDOW_MS: "60000" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 6, peer: alice, from: alice, text: "deleted as we stop" }), {
        users: [alice],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([6]));
    while (new OutboxStore(f.app.store.db).summary().pending === 0) await delay(5);
    await delay(100); // the sender is now waiting out the fold window
    await f.stop();
    assert.equal(f.clock.sleepers, 0, "nothing of the stopped app still waits on the fold window");
    assert.equal(f.telegram.sent.length, 0);
    f = await f.restart();
    f.clock.advance(600_001);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /deleted as we stop$/);
  });

  it("a locked database while posting pauses the feed; it goes on, and nothing is posted twice", {
    timeout: 60_000,
  }, async (t) => {
    const f = await startFixture(t);
    f.telegram.failNext("messages.SendMessage", "FLOOD_WAIT_5", { code: 420 });
    for (const id of [7, 8]) {
      await f.telegram.push(
        newMessageUpdate(message({ id, peer: alice, from: alice, text: `locked ${id}` }), { users: [alice] }),
      );
    }
    await f.telegram.push(deleteMessagesUpdate([7]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    f.app.store.sqlite.pragma("busy_timeout = 20");
    other.exec("BEGIN IMMEDIATE");
    f.clock.advance(6000); // the FloodWait is over: the post reaches Telegram, recording it fails
    while (f.telegram.sent.length === 0) await delay(5);
    await delay(50);
    other.exec("COMMIT");
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([8]));
    await f.app.idle();
    assert.deepEqual(
      f.telegram.sent.map((m) => m.message.split("\n").at(-1)),
      ["locked 7", "locked 8"],
    );
    assert.equal(new OutboxStore(f.app.store.db).summary().pending, 0);
  });

  it("retries other errors with backoff, then marks the post failed with an error event", async (t) => {
    const f = await startFixture(t, { FEED_MAX_ATTEMPTS: "3" });
    f.telegram.failNext("messages.SendMessage", "CHAT_WRITE_FORBIDDEN", { code: 403, times: 3 });
    await f.telegram.push(
      newMessageUpdate(message({ id: 6, peer: alice, from: alice, text: "doomed" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([6]));
    await f.app.idle();
    for (let i = 0; i < 3; i++) {
      f.clock.advance(60_000);
      await f.app.idle();
    }
    assert.equal(f.telegram.sent.length, 0);
    assert.equal(sendMessages(f).length, 3);
    assert.deepEqual(new OutboxStore(f.app.store.db).summary().failed, 1);
    const failed = new EventStore(f.app.store.db).ofType("feed.post_failed", "error");
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.error ?? "", /CHAT_WRITE_FORBIDDEN/);
  });

  it("a transient error is retried and the post arrives once", async (t) => {
    const f = await startFixture(t);
    f.telegram.failNext("messages.SendMessage", "CHAT_ADMIN_REQUIRED", { code: 400 });
    await f.telegram.push(
      newMessageUpdate(message({ id: 7, peer: alice, from: alice, text: "second try" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([7]));
    await f.app.idle();
    f.clock.advance(10_000);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
  });
});

describe("pacing", () => {
  it("sends at most FEED_POSTS_PER_MINUTE messages a minute, the rest after the window", async (t) => {
    const f = await startFixture(t, { FEED_POSTS_PER_MINUTE: "2" });
    for (const id of [1, 2, 3]) {
      await f.telegram.push(
        newMessageUpdate(message({ id, peer: alice, from: alice, text: `paced ${id}` }), { users: [alice] }),
      );
    }
    await f.telegram.push(deleteMessagesUpdate([1, 2, 3]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 2, "two in the first minute");
    f.clock.advance(30_000);
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 2, "still two after 30 s");
    f.clock.advance(31_000);
    await f.app.idle();
    assert.deepEqual(
      f.telegram.sent.map((s) => s.message.split("\n").at(-1)),
      ["paced 1", "paced 2", "paced 3"],
    );
  });
});
