/**
 * Edits: a real change is kept as a revision, recorded as an event and posted with a word diff;
 * reactions and same-content edits are not edits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { startFixture } from "../support/app-fixture.ts";
import { channel, editMessageUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const group = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });
const entities = { users: [alice], chats: [group] };

describe("edits", () => {
  it("an edit is kept as a revision and posted with a word diff and both versions", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 7, peer: group, from: alice, text: "the quick brown fox" }), entities),
    );
    const bold = [new Api.MessageEntityBold({ offset: 4, length: 4 })];
    await f.telegram.push(
      editMessageUpdate(
        message({ id: 7, peer: group, from: alice, text: "the slow brown fox", entities: bold }),
        entities,
      ),
    );
    await f.app.idle();

    const posts = f.telegram.requestsOf("messages.SendMessage").map((r) => r.request);
    assert.equal(posts.length, 1);
    const post = posts[0]!;
    assert.match(post.message, /the \[-quick-\]\{\+slow\+\} brown fox/);
    assert.match(post.message, /Before:\nthe quick brown fox/);
    assert.match(post.message, /After:\nthe slow brown fox$/);
    const strike = post.entities?.find((e) => e instanceof Api.MessageEntityStrike);
    assert.equal(post.message.slice(strike!.offset, strike!.offset + strike!.length), "[-quick-]");
    // The "after" copy keeps its own bold on "slow".
    const afterAt = post.message.lastIndexOf("the slow brown fox");
    assert.ok(
      post.entities?.some(
        (e) => e instanceof Api.MessageEntityBold && e.offset === afterAt + 4 && e.length === 4,
      ),
    );

    const store = new MessageStore(f.app.store.db);
    const row = store.find(-1000000005001, 7)!;
    assert.equal(row.text, "the slow brown fox");
    assert.deepEqual(
      store.revisions(row.id).map((r) => [r.version, r.text]),
      [
        [0, "the quick brown fox"],
        [1, "the slow brown fox"],
      ],
    );
    assert.equal(new EventStore(f.app.store.db).ofType("message.edited", "success").length, 1);
  });

  it("every edit of a message is kept", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 8, peer: group, from: alice, text: "v0" }), entities),
    );
    for (const v of ["v1", "v2", "v3"]) {
      await f.telegram.push(
        editMessageUpdate(message({ id: 8, peer: group, from: alice, text: v }), entities),
      );
    }
    await f.app.idle();
    const store = new MessageStore(f.app.store.db);
    const row = store.find(-1000000005001, 8)!;
    assert.deepEqual(
      store.revisions(row.id).map((r) => r.text),
      ["v0", "v1", "v2", "v3"],
    );
    assert.equal(f.telegram.sent.length, 3);
  });

  it("a reaction-only edit or the same content again is not an edit", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 9, peer: group, from: alice, text: "react to me" }), entities),
    );
    await f.telegram.push(
      editMessageUpdate(
        message({
          id: 9,
          peer: group,
          from: alice,
          text: "react to me",
          reactions: [{ emoji: "👍", count: 3 }],
        }),
        entities,
      ),
    );
    await f.telegram.push(
      editMessageUpdate(message({ id: 9, peer: group, from: alice, text: "react to me" }), entities),
    );
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("messages.SendMessage").length, 0);
    const row = new MessageStore(f.app.store.db).find(-1000000005001, 9)!;
    assert.equal(row.revisionCount, 0);
    assert.equal(new EventStore(f.app.store.db).ofType("message.edited").length, 0);
  });

  it("a formatting-only change is an edit", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 10, peer: group, from: alice, text: "plain" }), entities),
    );
    await f.telegram.push(
      editMessageUpdate(
        message({
          id: 10,
          peer: group,
          from: alice,
          text: "plain",
          entities: [new Api.MessageEntityBold({ offset: 0, length: 5 })],
        }),
        entities,
      ),
    );
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /Only the formatting changed/);
  });

  it("with SAVE_EDITED_MESSAGES off, edits are kept and recorded but not posted", async (t) => {
    const f = await startFixture(t, { SAVE_EDITED_MESSAGES: "false" });
    await f.telegram.push(
      newMessageUpdate(message({ id: 11, peer: group, from: alice, text: "a" }), entities),
    );
    await f.telegram.push(
      editMessageUpdate(message({ id: 11, peer: group, from: alice, text: "b" }), entities),
    );
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
    assert.equal(new EventStore(f.app.store.db).ofType("message.edited", "success").length, 1);
  });

  it("an edit of a message never seen stores it without a post", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      editMessageUpdate(message({ id: 12, peer: group, from: alice, text: "edited offline" }), entities),
    );
    await f.app.idle();
    assert.equal(f.telegram.sent.length, 0);
    assert.equal(new MessageStore(f.app.store.db).find(-1000000005001, 12)?.text, "edited offline");
  });
});
