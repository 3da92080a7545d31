/**
 * The restricted-link saver: links the owner sends in the log chat are fetched, and each linked
 * message is re-posted with its media (re-uploaded bytes, never a forward) as a reply to the link.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { EventStore } from "../../src/store/events.ts";
import { startFixture } from "../support/app-fixture.ts";
import { channel, message, newMessageUpdate, user } from "../support/tl-factory.ts";
import { waitFor } from "../support/wait-for.ts";

const digest = (b: Buffer | undefined) =>
  b ? `${b.length}:${createHash("sha256").update(b).digest("hex")}` : "none";
const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });

describe("restricted-link saver", () => {
  it("saves every linked message as a reply, re-uploading protected media; says why a link failed", async (t) => {
    const f = await startFixture(t);
    const vault = channel({
      id: 7001,
      title: "Protected",
      megagroup: false,
      noforwards: true,
      accessHash: 71,
    });
    const publicChan = channel({
      id: 7002,
      title: "Public",
      megagroup: false,
      username: "publicnews",
      accessHash: 72,
    });
    f.telegram.addEntities(vault, publicChan, alice);
    const photo = randomBytes(40_000);
    f.telegram.addMessages(
      message({
        id: 10,
        peer: vault,
        post: true,
        text: "secret **plan**",
        noforwards: true,
        media: f.telegram.photoMedia({ bytes: photo }),
      }),
      message({ id: 20, peer: publicChan, post: true, text: "public text" }),
    );
    // The account has seen the protected channel before (its access hash is known).
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: vault, post: true, text: "hello" }), { chats: [vault] }),
    );
    const request = message({
      id: 900,
      peer: f.logChannel,
      out: true,
      post: true,
      text: "save https://t.me/c/7001/10 and t.me/publicnews/20 and https://t.me/c/9999/5",
    });
    await f.telegram.push(newMessageUpdate(request, { chats: [f.logChannel] }));
    await f.app.idle();

    assert.equal(f.telegram.sent.length, 3);
    const [saved, text, failed] = f.telegram.sent;
    assert.equal(saved!.via, "messages.SendMedia");
    assert.equal(digest(saved!.uploadedBytes), digest(photo));
    assert.match(saved!.message, /secret \*\*plan\*\*$/);
    assert.match(text!.message, /public text$/);
    assert.match(failed!.message, /Not saved: https:\/\/t\.me\/c\/9999\/5/);
    assert.match(failed!.message, /unknown to the account/);
    const replies = [
      ...f.telegram.requestsOf("messages.SendMedia"),
      ...f.telegram.requestsOf("messages.SendMessage"),
    ].map((r) => r.request.replyTo);
    assert.equal(replies.length, 3);
    for (const reply of replies) {
      assert.ok(
        reply instanceof Api.InputReplyToMessage && reply.replyToMsgId === 900,
        "each answer replies to the link message",
      );
    }
    assert.equal(f.telegram.requestsOf("messages.ForwardMessages").length, 0);
    const events = new EventStore(f.app.store.db);
    assert.equal(events.ofType("message.saved", "success").length, 2);
    assert.equal(events.ofType("message.saved", "error").length, 1);
  });

  it("FLOOD_WAIT_3 while fetching a linked message: the saver waits 3 s and saves it, no 'not saved'", async (t) => {
    const f = await startFixture(t);
    const publicChan = channel({
      id: 7002,
      title: "Public",
      megagroup: false,
      username: "publicnews",
      accessHash: 72,
    });
    f.telegram.addEntities(publicChan);
    f.telegram.addMessages(message({ id: 20, peer: publicChan, post: true, text: "public text" }));
    f.telegram.failNext("channels.GetMessages", "FLOOD_WAIT_3");
    const request = message({
      id: 900,
      peer: f.logChannel,
      out: true,
      post: true,
      text: "t.me/publicnews/20",
    });
    await f.telegram.push(newMessageUpdate(request, { chats: [f.logChannel] }));
    await waitFor(() => f.telegram.requestsOf("channels.GetMessages").length === 1 && f.clock.sleepers > 0, {
      what: "the refused request",
    });
    assert.equal(f.telegram.sent.length, 0, "nothing posted during the wait");
    f.clock.advance(3_500);
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("channels.GetMessages").length, 2);
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /public text$/);
    assert.doesNotMatch(f.telegram.sent[0]!.message, /Not saved/);
  });

  it("ignores log-chat messages without links, and the logger's own posts", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 901, peer: f.logChannel, out: true, post: true, text: "just a note" }), {
        chats: [f.logChannel],
      }),
    );
    await f.telegram.push(
      newMessageUpdate(
        message({
          id: 902,
          peer: f.logChannel,
          out: true,
          post: true,
          text: "🗑 Message deleted\nhttps://t.me/c/1/2",
        }),
        { chats: [f.logChannel] },
      ),
    );
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
  });
});
