/**
 * New message → deletion → post, for every chat kind, asserting on what reached Telegram: the
 * request's peer, text, formatting entities, the sender mention and the message link.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { type AppFixture, LOG_CHANNEL_ID, startFixture } from "../support/app-fixture.ts";
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

const alice = user({ id: 42, firstName: "Alice", lastName: "Smith", username: "alice", accessHash: 4242 });
const bot = user({ id: 43, firstName: "Helper Bot", username: "helper_bot", bot: true, accessHash: 4343 });
const basicGroup = chat({ id: 3001, title: "Family" });
const supergroup = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });
const broadcast = channel({
  id: 5002,
  title: "News",
  megagroup: false,
  username: "newsroom",
  accessHash: 5252,
});

/** The one SendMessage the app made, checked to target the log channel. */
function onlyPost(f: AppFixture): Api.messages.SendMessage {
  const sends = f.telegram.requestsOf("messages.SendMessage").filter((r) => !r.error);
  assert.equal(sends.length, 1, `expected one post, got ${sends.length}`);
  const req = sends[0]!.request;
  assert.ok(req.peer instanceof Api.InputPeerChannel);
  assert.equal(req.peer.channelId.toString(), String(LOG_CHANNEL_ID));
  assert.ok(req.randomId, "a random id is sent");
  return req;
}

function textOf(req: Api.messages.SendMessage, e: Api.TypeMessageEntity): string {
  return req.message.slice(e.offset, e.offset + e.length);
}

const BODY = "Meet at 5 — bring the **plans** 👍🏽 please";
const BOLD_WORD = "plans";
function bodyEntities(): Api.TypeMessageEntity[] {
  const at = BODY.indexOf(BOLD_WORD);
  return [
    new Api.MessageEntityBold({ offset: at, length: BOLD_WORD.length }),
    new Api.MessageEntityItalic({ offset: 0, length: 4 }),
  ];
}

/** Asserts the post carries the body verbatim with its entities on the same characters. */
function assertBody(req: Api.messages.SendMessage) {
  assert.ok(req.message.endsWith(BODY), `post ends with the original text:\n${req.message}`);
  const bold = req.entities?.find((e) => e instanceof Api.MessageEntityBold && textOf(req, e) === BOLD_WORD);
  assert.ok(bold, "the original bold entity lands on the same word");
  const bodyStart = req.message.length - BODY.length;
  assert.ok(
    req.entities?.some(
      (e) => e instanceof Api.MessageEntityItalic && e.offset === bodyStart && e.length === 4,
    ),
  );
}

function assertMention(req: Api.messages.SendMessage, userId: number, name: string, accessHash: string) {
  const m = req.entities?.find((e) => e instanceof Api.InputMessageEntityMentionName);
  assert.ok(m instanceof Api.InputMessageEntityMentionName, "the sender is a real mention");
  assert.equal(textOf(req, m), name);
  assert.ok(m.userId instanceof Api.InputUser);
  assert.equal(m.userId.userId.toString(), String(userId));
  assert.equal(m.userId.accessHash.toString(), accessHash);
}

function links(req: Api.messages.SendMessage): string[] {
  return (req.entities ?? [])
    .filter((e) => e instanceof Api.MessageEntityTextUrl)
    .map((e) => (e as Api.MessageEntityTextUrl).url);
}

function assertStored(f: AppFixture, chatId: number, messageId: number) {
  const row = new MessageStore(f.app.store.db).find(chatId, messageId);
  assert.ok(row, "the message row is kept");
  assert.ok(row.deletedAt !== null, "and marked deleted");
  const ev = new EventStore(f.app.store.db).ofType("message.deleted", "success");
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.chatId, chatId);
  assert.equal(ev[0]!.messageId, messageId);
}

describe("deleted message → post, per chat kind", () => {
  it("private chat (id-only deletion)", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 11, peer: alice, from: alice, text: BODY, entities: bodyEntities() }), {
        users: [alice],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([11]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assertMention(req, 42, "Alice Smith", "4242");
    assert.ok(links(req).includes("tg://openmessage?user_id=42&message_id=11"));
    assert.match(req.message, /private chat with Alice Smith/);
    assertStored(f, 42, 11);
  });

  it("private chat delivered as UpdateShortMessage", async (t) => {
    const f = await startFixture(t);
    // The sender was seen before (as Telegram guarantees for short updates).
    await f.telegram.push(
      newMessageUpdate(message({ id: 20, peer: alice, from: alice, text: "earlier" }), { users: [alice] }),
    );
    await f.telegram.push(shortMessage({ id: 21, userId: 42, text: BODY, entities: bodyEntities() }));
    await f.telegram.push(deleteMessagesUpdate([21]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assertMention(req, 42, "Alice Smith", "4242");
  });

  it("bot chat", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 12, peer: bot, from: bot, text: BODY, entities: bodyEntities() }), {
        users: [bot],
      }),
    );
    await f.telegram.push(deleteMessagesUpdate([12]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assert.match(req.message, /Chat: bot Helper Bot/);
    assert.equal(new MessageStore(f.app.store.db).find(43, 12)?.chatType, "bot");
  });

  it("basic group (id-only deletion)", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 13, peer: basicGroup, from: alice, text: BODY, entities: bodyEntities() }),
        { users: [alice], chats: [basicGroup] },
      ),
    );
    await f.telegram.push(deleteMessagesUpdate([13]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assertMention(req, 42, "Alice Smith", "4242");
    assert.ok(links(req).includes("tg://openmessage?chat_id=3001&message_id=13"));
    assert.match(req.message, /Family \(group\)/);
    assertStored(f, -3001, 13);
  });

  it("supergroup (channel deletion)", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 14, peer: supergroup, from: alice, text: BODY, entities: bodyEntities() }),
        { users: [alice], chats: [supergroup] },
      ),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [14]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assertMention(req, 42, "Alice Smith", "4242");
    assert.ok(links(req).includes("https://t.me/c/5001/14"));
    assert.match(req.message, /Team chat \(supergroup\)/);
    assertStored(f, -1000000005001, 14);
  });

  it("broadcast channel with a public username", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 15, peer: broadcast, text: BODY, entities: bodyEntities(), post: true }),
        { chats: [broadcast] },
      ),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5002, [15]));
    await f.app.idle();
    const req = onlyPost(f);
    assertBody(req);
    assert.ok(links(req).includes("https://t.me/newsroom/15"));
    assert.match(req.message, /News \(channel\)/);
    assertStored(f, -1000000005002, 15);
  });

  it("the same id in a channel and a private chat resolves to the right one", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 30, peer: alice, from: alice, text: "private thirty" }), {
        users: [alice],
      }),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 30, peer: supergroup, from: alice, text: "group thirty" }), {
        users: [alice],
        chats: [supergroup],
      }),
    );
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [30]));
    await f.app.idle();
    assert.match(onlyPost(f).message, /group thirty$/);
    assert.equal(new MessageStore(f.app.store.db).find(42, 30)?.deletedAt, null);
  });
});

describe("deletions that are not posted, or labelled", () => {
  it("an id never seen is recorded as skipped, not posted", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(deleteMessagesUpdate([999]));
    await f.telegram.push(deleteChannelMessagesUpdate(5001, [998]));
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("messages.SendMessage").length, 0);
    const skipped = new EventStore(f.app.store.db).ofType("message.deleted", "skipped");
    assert.deepEqual(
      skipped.map((e) => [e.chatId, e.messageId]).sort((a, b) => Number(a[1]) - Number(b[1])),
      [
        [-1000000005001, 998],
        [null, 999],
      ],
    );
  });

  it("labels the auto-delete timer and the owner's own messages", async (t) => {
    const f = await startFixture(t);
    const long = Math.floor(Date.now() / 1000) - 7200;
    await f.telegram.push(
      newMessageUpdate(
        message({ id: 40, peer: alice, from: alice, text: "timer", ttlPeriod: 3600, date: long }),
        { users: [alice] },
      ),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 41, peer: alice, out: true, text: "mine" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([40]));
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([41]));
    await f.app.idle();
    const posts = f.telegram.sent.map((s) => s.message);
    assert.equal(posts.length, 2);
    assert.match(posts[0]!, /auto-delete timer/);
    assert.match(posts[1]!, /Your own message was deleted/);
    const m = new MessageStore(f.app.store.db);
    assert.equal(m.find(42, 40)?.deletionKind, "auto_delete");
    assert.equal(m.find(42, 41)?.deletionKind, "own");
  });

  it("a second deletion of the same message posts nothing more", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 50, peer: alice, from: alice, text: "once" }), { users: [alice] }),
    );
    await f.telegram.push(deleteMessagesUpdate([50]));
    await f.app.idle();
    await f.telegram.push(deleteMessagesUpdate([50]));
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
  });
});
