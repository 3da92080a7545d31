/**
 * /ui/changes and /api/changes of the real app over HTTP: the feed of deletions, edits, view-once
 * captures and saved links, newest first, read from `events` rows as the handlers write them and
 * joined to their messages (seeded through the stores); filters by kind and chat, keyset pages both
 * ways, links to the chat view, 400 naming the parameter, hostile text as text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewEvent } from "../../src/store/events.ts";
import { chatSeeder } from "./chat-seed.ts";
import { ask, bearer, startWeb } from "./support.ts";

const T0 = Date.UTC(2026, 9, 1, 0, 0);
/** More events of other chats than a page would ever walk past in id order. */
const CHAT_WALK_IDS = 50_000;
const MIN = 60_000;
const ANNA = 501;
const GROUP = -1_001_500_000_001;

describe("what changed", () => {
  it("lists deletions, edits, view-once captures and saved links newest first, filtered and paged", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    s.peer({ peerId: ANNA, name: "Anna", type: "user" });
    s.peer({ peerId: GROUP, name: "Team <img src=x onerror=alert(1)>", type: "supergroup" });
    s.messages([
      { chatId: ANNA, messageId: 1, senderId: ANNA, date: T0, text: "secret <script>x</script>" },
      { chatId: ANNA, messageId: 2, senderId: ANNA, date: T0 + 1, text: "meet at five" },
      {
        chatId: ANNA,
        messageId: 3,
        senderId: ANNA,
        date: T0 + 2,
        media: { kind: "photo", identity: "p", ttlSeconds: 10 },
        selfDestructing: true,
      },
      { chatId: GROUP, messageId: 7, senderId: ANNA, date: T0 + 3, text: "group post" },
    ]);
    s.deleted(ANNA, 1, T0 + 10 * MIN, "own");
    s.edited(ANNA, 2, "meet at six", T0 + 20 * MIN);
    s.deleted(GROUP, 7, T0 + 40 * MIN, "deleted");
    const events: NewEvent[] = [
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0 + 10 * MIN,
        chatId: ANNA,
        messageId: 1,
        details: { deletion: "own" },
      },
      {
        source: "telegram",
        type: "message.edited",
        status: "success",
        occurredAt: T0 + 20 * MIN,
        chatId: ANNA,
        messageId: 2,
        details: { version: 1, textChanged: true },
      },
      {
        source: "telegram",
        type: "media.self_destruct_opened",
        status: "success",
        occurredAt: T0 + 30 * MIN,
        chatId: ANNA,
        messageId: 3,
      },
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0 + 40 * MIN,
        chatId: GROUP,
        messageId: 7,
        details: { deletion: "deleted" },
      },
      {
        source: "telegram",
        type: "message.deleted",
        status: "skipped",
        occurredAt: T0 + 45 * MIN,
        chatId: GROUP,
        messageId: 99,
        details: { reason: "message never seen" },
      },
      {
        source: "telegram",
        type: "message.saved",
        status: "error",
        occurredAt: T0 + 50 * MIN,
        chatId: null,
        messageId: 5,
        error: "CHANNEL_PRIVATE <b>",
        details: { link: "https://t.me/c/1/5?x=<y>" },
      },
      { source: "fs", type: "file.created", status: "success", occurredAt: T0 + 55 * MIN, path: "/x" },
    ];
    f.seed(events);

    const all = (await ask(f, "/api/changes", { headers: bearer() })).json();
    assert.deepEqual(
      all.items.map((i: { kind: string; messageId: number }) => [i.kind, i.messageId]),
      [
        ["saved", 5],
        ["deleted", 7],
        ["view_once", 3],
        ["edited", 2],
        ["deleted", 1],
      ],
      "newest first; a deletion of a message never seen and file events are not changes",
    );
    const edit = all.items[3];
    assert.equal(edit.text, "meet at six");
    assert.deepEqual(
      edit.diff.filter((d: { change: string }) => d.change !== "same"),
      [
        { change: "removed", text: "five" },
        { change: "added", text: "six" },
      ],
    );
    assert.equal(all.items[4].deletionKind, "own");
    assert.equal(all.items[4].senderName, "Anna");

    const edits = (await ask(f, "/api/changes?kind=edited", { headers: bearer() })).json();
    assert.deepEqual(
      edits.items.map((i: { kind: string }) => i.kind),
      ["edited"],
    );
    const group = (await ask(f, `/api/changes?chat=${GROUP}`, { headers: bearer() })).json();
    assert.deepEqual(
      group.items.map((i: { messageId: number }) => i.messageId),
      [7],
    );
    const two = (await ask(f, "/api/changes?kind=deleted,view_once", { headers: bearer() })).json();
    assert.deepEqual(
      two.items.map((i: { messageId: number }) => i.messageId),
      [7, 3, 1],
    );

    // Pages of two, older then back newer: every item once, in order.
    const seen: number[] = [];
    let page = (await ask(f, "/api/changes?limit=2", { headers: bearer() })).json();
    const pages = [page];
    for (;;) {
      seen.push(...page.items.map((i: { eventId: number }) => i.eventId));
      if (page.older === null) break;
      page = (await ask(f, `/api/changes?limit=2&before=${page.older}`, { headers: bearer() })).json();
      pages.push(page);
    }
    assert.deepEqual(
      seen,
      all.items.map((i: { eventId: number }) => i.eventId),
    );
    const back = (
      await ask(f, `/api/changes?limit=2&after=${pages.at(-1).newer}`, { headers: bearer() })
    ).json();
    assert.deepEqual(back.items, pages.at(-2).items);

    const ui = await ask(f, "/ui/changes", { headers: bearer() });
    assert.equal(ui.status, 200);
    assert.match(
      ui.text,
      new RegExp(`href="/ui/chats/${ANNA}\\?around=2#m2"`),
      "an item links to its message",
    );
    assert.match(ui.text, /<del>five<\/del><ins>six<\/ins>/);
    assert.match(ui.text, /secret &lt;script&gt;x&lt;\/script&gt;/);
    assert.ok(!ui.text.includes("<img src=x"), "a chat name is text");
    assert.match(ui.text, /Team &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(ui.text, /CHANNEL_PRIVATE &lt;b&gt;/);
    assert.match(ui.text, /deleted by you/);
    assert.match(ui.text, /View-once media opened/);

    for (const [q, parameter] of [
      ["kind=gone", "kind"],
      ["chat=abc", "chat"],
      ["before=xyz", "before"],
      ["after=-1", "after"],
      ["before=1&after=3", "after"],
      ["limit=1000", "limit"],
      ["sort=old", "sort"],
    ] as const) {
      const bad = await ask(f, `/api/changes?${q}`, { headers: bearer() });
      assert.equal(bad.status, 400, q);
      assert.equal(bad.json().parameter, parameter, q);
      assert.equal((await ask(f, `/ui/changes?${q}`, { headers: bearer() })).status, 400, q);
    }
  });
});

describe("what changed in one chat", () => {
  it("finds a chat's changes however far apart they were recorded, both ways", async (t) => {
    const f = await startWeb(t);
    const change = (messageId: number): NewEvent => ({
      source: "telegram",
      type: "message.deleted",
      status: "success",
      occurredAt: T0 + messageId,
      chatId: ANNA,
      messageId,
      details: { deletion: "deleted" },
    });
    // Changes of the chat with more than CHAT_WALK_IDS other events between them, so a page is
    // found partly next to its position and partly through the chat's index.
    const [first] = f.seed([change(1)]);
    const filler = f.app.store.sqlite.prepare(
      "INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id) VALUES (?, ?, 'telegram', 'message.deleted', 'success', ?, 1)",
    );
    const fill = (n: number) =>
      f.app.store.sqlite.transaction(() => {
        for (let i = 0; i < n; i++) filler.run(T0, T0, GROUP);
      })();
    fill(CHAT_WALK_IDS + 10);
    const [second, third] = f.seed([change(2), change(3)]);
    fill(CHAT_WALK_IDS + 10);
    const [fourth] = f.seed([change(4)]);

    const ids = async (q: string) =>
      (await ask(f, `/api/changes?chat=${ANNA}&${q}`, { headers: bearer() })).json();
    const newest = await ids("limit=2");
    assert.deepEqual(
      newest.items.map((i: { eventId: number }) => i.eventId),
      [fourth, third],
    );
    const older = await ids(`limit=2&before=${newest.older}`);
    assert.deepEqual(
      older.items.map((i: { eventId: number }) => i.eventId),
      [second, first],
    );
    assert.equal(older.older, null);
    const back = await ids(`limit=3&after=${first}`);
    assert.deepEqual(
      back.items.map((i: { eventId: number }) => i.eventId),
      [fourth, third, second],
    );
    assert.equal(back.newer, null);
  });
});
