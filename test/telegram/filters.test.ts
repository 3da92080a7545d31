/**
 * What is never logged (the log chat, IGNORED_IDS, outgoing when disabled), what is stored for each
 * message, and how a message that cannot be stored is reported and skipped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { Api } from "telegram";
import { ErrorLog } from "../../src/http/health/error-log.ts";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { PeerStore } from "../../src/store/peers.ts";
import { type AppFixture, LOG_CHANNEL_ID, startFixture } from "../support/app-fixture.ts";
import { recordingLogger } from "../support/log-lines.ts";
import {
  channel,
  chat,
  deleteChannelMessagesUpdate,
  deleteMessagesUpdate,
  message,
  newMessageUpdate,
  shortMessage,
  user,
} from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const mallory = user({ id: 66, firstName: "Mallory", accessHash: 6666 });
const group = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });
const family = chat({ id: 3001, title: "Family" });

function count(f: AppFixture): number {
  return Number(f.app.store.sqlite.prepare("select count(*) from messages").pluck().get());
}

describe("never logged", () => {
  it("messages in the log chat itself are neither stored nor posted", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: f.logChannel, text: "a post", post: true }), {
        chats: [f.logChannel],
      }),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(LOG_CHANNEL_ID, [1]));
    await f.app.idle();
    assert.equal(count(f), 0);
    assert.equal(f.telegram.sent.length, 0);
    assert.equal(new EventStore(f.app.store.db).ofType("message.deleted").length, 0);
  });

  it("IGNORED_IDS: chats and senders, marked and bare ids", async (t) => {
    const f = await startFixture(t, { IGNORED_IDS: "[66, -1000000005001, 3001]" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: group, from: alice, text: "ignored chat (marked)" }), {
        users: [alice],
        chats: [group],
      }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 2, peer: family, from: alice, text: "ignored chat (bare)" }), {
        users: [alice],
        chats: [family],
      }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 3, peer: mallory, from: mallory, text: "ignored user" }), {
        users: [mallory],
      }),
    );
    const other = channel({ id: 5009, title: "Other", megagroup: true });
    await f.telegram.push(
      newMessageUpdate(message({ id: 4, peer: other, from: mallory, text: "ignored sender" }), {
        users: [mallory],
        chats: [other],
      }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 5, peer: alice, from: alice, text: "kept" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([2, 3, 5]));
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [1]));
    await f.telegram.push(deleteChannelMessagesUpdate(5009, [4]));
    await f.app.idle();
    assert.equal(count(f), 1);
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /kept$/);
  });

  it("outgoing messages are skipped when LISTEN_OUTGOING_MESSAGES is off", async (t) => {
    const f = await startFixture(t, { LISTEN_OUTGOING_MESSAGES: "false" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, out: true, text: "mine" }), { users: [alice] }),
    );
    await f.telegram.push(shortMessage({ id: 2, userId: 42, out: true, text: "mine too" }));
    await f.telegram.push(
      newMessageUpdate(message({ id: 3, peer: alice, from: alice, text: "theirs" }), { users: [alice] }),
    );
    await f.app.idle();
    assert.equal(count(f), 1);
  });
});

describe("what is stored", () => {
  it("maps text, entities, media metadata, flags and chat type; keeps peers with access hashes", async (t) => {
    const f = await startFixture(t);
    const protectedGroup = channel({
      id: 5003,
      title: "Vault",
      megagroup: true,
      noforwards: true,
      accessHash: 777,
    });
    const media = f.telegram.documentMedia({
      bytes: Buffer.from("voice bytes"),
      mimeType: "audio/ogg",
      attributes: [new Api.DocumentAttributeAudio({ duration: 3, voice: true })],
      ttlSeconds: 10,
    });
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 9,
          peer: protectedGroup,
          from: alice,
          text: "hi **there**",
          entities: [new Api.MessageEntityBold({ offset: 3, length: 9 })],
          media,
          ttlPeriod: 86400,
        }),
        { users: [alice], chats: [protectedGroup] },
      ),
    );
    await f.app.idle();
    const row = new MessageStore(f.app.store.db).find(-1000000005003, 9)!;
    assert.equal(row.chatType, "supergroup");
    assert.equal(row.senderId, 42);
    assert.equal(row.text, "hi **there**");
    assert.deepEqual(JSON.parse(row.entities!), [{ _: "MessageEntityBold", offset: 3, length: 9 }]);
    const m = JSON.parse(row.media!);
    assert.equal(m.kind, "voice");
    assert.equal(m.mimeType, "audio/ogg");
    assert.equal(m.size, 11);
    assert.equal(m.ttlSeconds, 10);
    assert.equal(row.noforwards, true);
    assert.equal(row.selfDestructing, true);
    assert.equal(row.ttlPeriod, 86400);
    const peers = new PeerStore(f.app.store.db);
    assert.equal(peers.get(42)?.accessHash, "4242");
    assert.equal(peers.get(-1000000005003)?.accessHash, "777");
    assert.equal(peers.get(-1000000005003)?.noforwards, true);
    assert.equal(peers.get(100)?.isSelf, true);
  });
});

describe("bad input", () => {
  it("a message that cannot be stored is recorded as an error and skipped; the rest goes on", async (t) => {
    const f = await startFixture(t);
    f.app.store.sqlite.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON messages WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END",
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, from: alice, text: "before" }), { users: [alice] }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 2, peer: alice, from: alice, text: "boom" }), { users: [alice] }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 3, peer: alice, from: alice, text: "after" }), { users: [alice] }),
    );
    await f.app.idle();
    assert.equal(count(f), 2);
    const failed = new EventStore(f.app.store.db).ofType("update.failed", "error");
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.error ?? "", /simulated storage failure/);
    await f.telegram.push(deleteMessagesUpdate([3]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1, "the service keeps working");
  });

  it("a locked database (another process writing) delays messages; none is lost", async (t) => {
    const errors = new ErrorLog(() => Date.now());
    const log = recordingLogger({ onError: (message, err) => errors.record(message, err) });
    const f = await startFixture(t, {}, undefined, { logger: log.logger, errors });
    f.app.store.sqlite.pragma("busy_timeout = 20");
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    other.exec("BEGIN IMMEDIATE");
    for (const id of [1, 2, 3]) {
      await f.telegram.push(
        newMessageUpdate(message({ id, peer: alice, from: alice, text: `kept ${id}` }), { users: [alice] }),
      );
    }
    await log.until(/kept and retried/);
    // Seconds more of it would be an error (`storageFailureRule`, unit-tested) and a 503.
    assert.equal(f.app.health().httpStatus, 200, "a lock held for a moment is contention, not a fault");
    other.exec("COMMIT");
    await f.app.idle();
    assert.equal(count(f), 3);
    assert.equal(new EventStore(f.app.store.db).ofType("update.failed").length, 0);
  });

  it("a full disk delays messages; none is lost, and a deletion after it is still posted", async (t) => {
    const f = await startFixture(t);
    const pages = Number(f.app.store.sqlite.pragma("page_count", { simple: true }));
    f.app.store.sqlite.pragma(`max_page_count = ${pages}`);
    const long = "x".repeat(3000);
    for (const id of [1, 2, 3, 4, 5]) {
      await f.telegram.push(
        newMessageUpdate(message({ id, peer: alice, from: alice, text: `${id} ${long}` }), {
          users: [alice],
        }),
      );
    }
    await delay(50);
    assert.ok(count(f) < 5, "the disk filled up");
    f.app.store.sqlite.pragma("max_page_count = 1073741823");
    await f.app.idle();
    assert.equal(count(f), 5);
    assert.equal(new EventStore(f.app.store.db).ofType("update.failed").length, 0);
    await f.telegram.push(deleteMessagesUpdate([2]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
  });

  it("service messages and unknown update kinds are skipped quietly", async (t) => {
    const f = await startFixture(t);
    const service = new Api.MessageService({
      id: 1,
      peerId: new Api.PeerUser({ userId: alice.id }),
      date: 1,
      action: new Api.MessageActionHistoryClear(),
    });
    await f.telegram.push(
      new Api.Updates({
        updates: [new Api.UpdateNewMessage({ message: service, pts: 1, ptsCount: 1 })],
        users: [alice],
        chats: [],
        date: 1,
        seq: 0,
      }),
    );
    await f.telegram.push(
      new Api.UpdateShort({
        update: new Api.UpdateUserTyping({ userId: alice.id, action: new Api.SendMessageTypingAction() }),
        date: 1,
      }),
    );
    await f.app.idle();
    assert.equal(count(f), 0);
    assert.equal(new EventStore(f.app.store.db).ofType("update.failed").length, 0);
  });
});

describe("log chat", () => {
  it("a log chat the account cannot reach stops the start with a LOG_CHAT_ID error", async (t) => {
    await assert.rejects(
      startFixture(t, { LOG_CHAT_ID: "-1009999999999" }),
      (err: Error & { variable?: string }) =>
        err.variable === "LOG_CHAT_ID" && /not reachable/.test(err.message),
    );
  });
});
