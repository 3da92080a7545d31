/**
 * Catch-up: what happened while the service was down, or in a gap, is fetched with
 * updates.GetDifference / GetChannelDifference and handled like live updates.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { startFixture } from "../support/app-fixture.ts";
import { channel, message, newMessageUpdate, nowSeconds, user } from "../support/tl-factory.ts";
import { waitFor } from "../support/wait-for.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const group = channel({ id: 5001, title: "Team chat", megagroup: true, accessHash: 5151 });

function state(pts: number) {
  return new Api.updates.State({ pts, qts: 0, date: nowSeconds(), seq: 0, unreadCount: 0 });
}

describe("catch-up", () => {
  it("after a restart, messages and deletions missed while down are fetched and handled", async (t) => {
    let f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, from: alice, text: "seen before the outage" }), {
        users: [alice],
      }),
    );
    await f.app.idle();
    f = await f.restart.call({ ...f, restart: f.restart }).then(async (g) => {
      return g;
    });
    t.diagnostic("restarted");
    await f.app.idle();
    // Nothing was missed yet: the first restart only used the saved state.
    const missed = message({ id: 2, peer: alice, from: alice, text: "sent while we were down" });
    let served = false;
    f.telegram.handle("updates.GetDifference", (req, ctx) => {
      if (served) return ctx.builtin();
      served = true;
      assert.ok((req as Api.updates.GetDifference).pts > 0, "asks from the saved pts");
      return new Api.updates.Difference({
        newMessages: [missed],
        newEncryptedMessages: [],
        otherUpdates: [new Api.UpdateDeleteMessages({ messages: [1], pts: 0, ptsCount: 0 })],
        users: [alice],
        chats: [],
        state: state(10_000),
      });
    });
    f = await f.restart();
    await f.app.idle();
    assert.ok(served, "GetDifference was called at start");
    assert.equal(new MessageStore(f.app.store.db).find(42, 2)?.text, "sent while we were down");
    assert.equal(f.telegram.sent.length, 1);
    assert.match(f.telegram.sent[0]!.message, /seen before the outage$/);
  });

  it("FLOOD_WAIT_5 on GetDifference at start: catch-up waits 5 s, then fetches what was missed", async (t) => {
    let f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, from: alice, text: "seen before the outage" }), {
        users: [alice],
      }),
    );
    await f.app.idle();
    const missed = message({ id: 2, peer: alice, from: alice, text: "sent while we were down" });
    f.telegram.failNext("updates.GetDifference", "FLOOD_WAIT_5");
    f.telegram.handle("updates.GetDifference", () => {
      return new Api.updates.Difference({
        newMessages: [missed],
        newEncryptedMessages: [],
        otherUpdates: [],
        users: [alice],
        chats: [],
        state: state(10_000),
      });
    });
    const asked = () => f.telegram.requestsOf("updates.GetDifference").length;
    const before = asked();
    f = await f.restart();
    await waitFor(() => asked() === before + 1 && f.clock.sleepers > 0, { what: "the refused request" });
    assert.equal(new MessageStore(f.app.store.db).find(42, 2), undefined, "nothing fetched during the wait");
    f.clock.advance(4_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(asked(), before + 1, "not asked again before the 5 s are over");
    f.clock.advance(1_500);
    await f.app.idle();
    assert.equal(asked(), before + 2);
    assert.equal(new MessageStore(f.app.store.db).find(42, 2)?.text, "sent while we were down");
  });

  it("a gap in a channel's pts fetches the channel difference", async (t) => {
    const f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: group, from: alice, text: "first" }), {
        users: [alice],
        chats: [group],
      }),
    );
    await f.app.idle();
    const lost = message({ id: 2, peer: group, from: alice, text: "lost in the gap" });
    f.telegram.handle(
      "updates.GetChannelDifference",
      () =>
        new Api.updates.ChannelDifference({
          final: true,
          pts: 999_999,
          newMessages: [lost],
          otherUpdates: [],
          chats: [group],
          users: [alice],
        }),
    );
    const later = message({ id: 3, peer: group, from: alice, text: "after the gap" });
    await f.telegram.push(
      new Api.Updates({
        updates: [new Api.UpdateNewChannelMessage({ message: later, pts: 9_000_000, ptsCount: 1 })],
        users: [alice],
        chats: [group],
        date: nowSeconds(),
        seq: 0,
      }),
    );
    await f.app.idle();
    assert.ok(f.telegram.requestsOf("updates.GetChannelDifference").length >= 1);
    assert.equal(new MessageStore(f.app.store.db).find(-1000000005001, 2)?.text, "lost in the gap");
  });

  it("when Telegram cannot replay a gap, a warning event says so", async (t) => {
    let f = await startFixture(t);
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: alice, from: alice, text: "x" }), { users: [alice] }),
    );
    await f.app.idle();
    f.telegram.handle("updates.GetDifference", () => new Api.updates.DifferenceTooLong({ pts: 123_456_789 }));
    f = await f.restart();
    await f.app.idle();
    const gaps = new EventStore(f.app.store.db).ofType("updates.gap", "warning");
    assert.ok(gaps.length >= 1);
  });
});
