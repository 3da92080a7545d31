/**
 * /ui/chats and /api/chats, the chat view /ui/chats/<id> (and its JSON twin), and /ui/media/<id> of
 * the real app over HTTP, on a real SQLite file seeded through the service's stores: counts per
 * chat, transcript order and keyset pages (before, after, around, date), formatting rendered with
 * hostile text kept as text, deletion and edit marks with every revision, and media served with its
 * type, ranges and the vault decrypted on the fly.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { chatSeeder } from "./chat-seed.ts";
import { ask, bearer, login, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 9, 1, 0, 0); // 2026-10-01T00:00:00Z
const HOUR = 3_600_000;
const ANNA = 501;
const BORIS = 502;
const GROUP = -1_001_500_000_001; // a supergroup
const BASIC = -300;

async function api(f: WebFixture, p: string) {
  const r = await ask(f, p, { headers: bearer() });
  return { status: r.status, body: r.json(), text: r.text };
}

const ids = (body: { messages: { messageId: number }[] }) => body.messages.map((m) => m.messageId);

describe("chat list", () => {
  it("counts messages, deletions, edits and kept media per chat, with names from peers", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    s.peer({ peerId: ANNA, name: "Anna Schmidt", type: "user", username: "anna" });
    s.peer({ peerId: GROUP, name: "Проект Альфа", type: "supergroup" });
    s.peer({ peerId: BASIC, name: "Family <b>", type: "group" });
    const photo = { kind: "photo" as const, identity: "p" };
    const rows = s.messages([
      { chatId: ANNA, messageId: 1, senderId: ANNA, date: T0, text: "hi" },
      { chatId: ANNA, messageId: 2, senderId: ANNA, date: T0 + HOUR, text: "photo", media: photo },
      { chatId: ANNA, messageId: 3, senderId: ANNA, date: T0 + 2 * HOUR, text: "bye", media: photo },
      { chatId: GROUP, messageId: 10, senderId: BORIS, date: T0 + 5 * HOUR, text: "привет" },
      { chatId: BASIC, messageId: 4, chatType: "group", senderId: ANNA, date: T0 + 3 * HOUR, text: "x" },
    ]);
    s.deleted(ANNA, 1, T0 + 10 * HOUR, "deleted");
    s.edited(ANNA, 3, "bye!", T0 + 11 * HOUR);
    s.edited(ANNA, 3, "bye!!", T0 + 12 * HOUR);
    s.buffered(rows[1]!, Buffer.from("jpeg"));
    s.fileRow(rows[2]!, { status: "skipped", reason: "too_large" });

    const all = await api(f, "/api/chats");
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 3);
    assert.deepEqual(
      all.body.chats.map((c: { chatId: number }) => c.chatId),
      [GROUP, BASIC, ANNA],
      "newest activity first",
    );
    const anna = all.body.chats.find((c: { chatId: number }) => c.chatId === ANNA);
    assert.deepEqual(
      { ...anna },
      {
        chatId: ANNA,
        name: "Anna Schmidt",
        username: "anna",
        type: "user",
        messages: 3,
        deleted: 1,
        edited: 1,
        mediaKept: 1,
        lastMessageId: 3,
        lastDate: T0 + 2 * HOUR,
      },
    );

    const byName = await api(f, "/api/chats?sort=name");
    assert.deepEqual(
      byName.body.chats.map((c: { name: string }) => c.name),
      ["Anna Schmidt", "Family <b>", "Проект Альфа"],
    );
    const cyr = await api(f, "/api/chats?q=%D0%B0%D0%BB%D1%8C%D1%84%D0%B0"); // "альфа", lower case
    assert.deepEqual(
      cyr.body.chats.map((c: { chatId: number }) => c.chatId),
      [GROUP],
    );
    const groups = await api(f, "/api/chats?type=group,user");
    assert.deepEqual(groups.body.chats.map((c: { chatId: number }) => c.chatId).sort(), [ANNA, BASIC].sort());

    const page = await ask(f, "/ui/chats", { headers: { cookie: await login(f) } });
    assert.equal(page.status, 200);
    assert.match(page.text, /Family &lt;b&gt;/);
    assert.ok(!page.text.includes("Family <b>"));
    assert.match(page.text, new RegExp(`href="/ui/chats/${GROUP}"`));

    for (const [q, parameter] of [
      ["type=robot", "type"],
      ["sort=size", "sort"],
      ["limit=0", "limit"],
      ["color=red", "color"],
    ] as const) {
      const bad = await api(f, `/api/chats?${q}`);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.body.parameter, parameter, q);
      const ui = await ask(f, `/ui/chats?${q}`, { headers: bearer() });
      assert.equal(ui.status, 400, q);
      assert.match(ui.text, /class="problem"/);
    }
  });
});

describe("chat view", () => {
  it("pages by message id: latest, before, after, around (highlighted) and date, every message once", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    s.peer({ peerId: GROUP, name: "Big group", type: "supergroup" });
    s.peer({ peerId: BORIS, name: "Boris", type: "user" });
    // 120 messages, one an hour from T0: ids 1…120.
    s.messages(
      Array.from({ length: 120 }, (_, i) => ({
        chatId: GROUP,
        messageId: i + 1,
        senderId: BORIS,
        date: T0 + i * HOUR,
        text: `message ${i + 1}`,
      })),
    );
    const latest = await api(f, `/api/chats/${GROUP}`);
    assert.equal(latest.status, 200);
    assert.deepEqual(
      ids(latest.body),
      Array.from({ length: 50 }, (_, i) => 71 + i),
    );
    assert.equal(latest.body.older, 71);
    assert.equal(latest.body.newer, null);
    assert.equal(latest.body.messages[0].senderName, "Boris");

    // Walking older pages from the newest, then newer pages from the oldest: each id exactly once.
    const seen: number[] = [];
    let page = latest.body;
    for (;;) {
      seen.unshift(...ids(page));
      if (page.older === null) break;
      page = (await api(f, `/api/chats/${GROUP}?before=${page.older}&limit=30`)).body;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    const forward: number[] = [];
    page = (await api(f, `/api/chats/${GROUP}?after=0&limit=45`)).body;
    for (;;) {
      forward.push(...ids(page));
      if (page.newer === null) break;
      page = (await api(f, `/api/chats/${GROUP}?after=${page.newer}&limit=45`)).body;
    }
    assert.deepEqual(forward, seen);

    const around = await api(f, `/api/chats/${GROUP}?around=60&limit=10`);
    assert.deepEqual(ids(around.body), [55, 56, 57, 58, 59, 60, 61, 62, 63, 64]);
    assert.equal(around.body.highlight, 60);
    const ui = await ask(f, `/ui/chats/${GROUP}?around=60&limit=10`, { headers: bearer() });
    assert.match(ui.text, /<li id="m60" class="msg highlight">/);

    // Message 25 was sent at T0 + 24 h: the first of 2026-10-02.
    const day = await api(f, `/api/chats/${GROUP}?date=2026-10-02&limit=5`);
    assert.deepEqual(ids(day.body), [25, 26, 27, 28, 29]);
    const before = await api(f, `/api/chats/${GROUP}?date=2026-09-01&limit=3`);
    assert.deepEqual(ids(before.body), [1, 2, 3]);
    const past = await api(f, `/api/chats/${GROUP}?date=2027-01-01&limit=3`);
    assert.deepEqual(ids(past.body), [118, 119, 120]);
    assert.equal(past.body.pastTheEnd, true);

    assert.equal((await api(f, "/api/chats/777")).status, 404);
    assert.equal((await ask(f, "/ui/chats/777", { headers: bearer() })).status, 404);
    for (const [p, parameter] of [
      ["/api/chats/abc", "chatId"],
      [`/api/chats/${GROUP}?before=abc`, "before"],
      [`/api/chats/${GROUP}?around=-5`, "around"],
      [`/api/chats/${GROUP}?after=99999999999`, "after"],
      [`/api/chats/${GROUP}?date=2026-02-30`, "date"],
      [`/api/chats/${GROUP}?before=5&after=9`, "after"],
      [`/api/chats/${GROUP}?limit=100000`, "limit"],
      [`/api/chats/${GROUP}?page=2`, "page"],
    ] as const) {
      const bad = await api(f, p);
      assert.equal(bad.status, 400, p);
      assert.equal(bad.body.parameter, parameter, p);
    }
    const badUi = await ask(f, `/ui/chats/${GROUP}?date=tomorrow`, { headers: bearer() });
    assert.equal(badUi.status, 400);
    assert.match(badUi.text, /date: expected a day/);
  });

  it("renders formatting, replies and forwards; hostile text stays text and unsafe links are no links", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    s.peer({ peerId: ANNA, name: "Anna \u202Eevil", type: "user" });
    const text = "bold <script>alert(1)</script> click here and javascript:alert(2) plus site.org";
    const at = (w: string) => text.indexOf(w);
    const long = `${"long text ".repeat(10_000)}THE END`;
    s.messages([
      {
        chatId: ANNA,
        messageId: 1,
        senderId: ANNA,
        date: T0,
        text,
        entities: [
          { _: "MessageEntityBold", offset: 0, length: 4 },
          { _: "MessageEntityTextUrl", offset: at("click"), length: 10, url: "javascript:alert(3)" },
          { _: "MessageEntityUrl", offset: at("javascript:"), length: "javascript:alert(2)".length },
          { _: "MessageEntityUrl", offset: at("site.org"), length: 8 },
          { _: "MessageEntityCode", offset: at("plus"), length: 4 },
          { _: "MessageEntityItalic", offset: 2, length: 1000 }, // past the end: clamped
        ],
      },
      {
        chatId: ANNA,
        messageId: 2,
        senderId: ANNA,
        date: T0 + 1,
        text: "see docs zero\u200Bwidth and pic",
        entities: [
          { _: "MessageEntityTextUrl", offset: 4, length: 4, url: "https://example.org/real?a=1&b=2" },
          {
            _: "MessageEntityTextUrl",
            offset: 24,
            length: 3,
            url: "data:text/html,<script>alert(4)</script>",
          },
          { _: "MessageEntityTextUrl", offset: 20, length: 3, url: " JAVASCRIPT:alert(5)" },
        ],
        replyTo: 1,
      },
      { chatId: ANNA, messageId: 3, senderId: ANNA, date: T0 + 2, text: long, replyTo: 99 },
    ]);
    const r = await ask(f, `/ui/chats/${ANNA}`, { headers: bearer() });
    assert.equal(r.status, 200);
    assert.ok(!/<script>alert/.test(r.text), "the script is text");
    assert.match(r.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.ok(!/<a [^>]*href="javascript:/i.test(r.text), "no javascript: link");
    assert.ok(!/<a [^>]*href="data:/i.test(r.text), "no data: link");
    assert.match(
      r.text,
      /<strong>bo<\/strong><strong><em>ld<\/em><\/strong>/,
      "bold, and italic overlapping it",
    );
    assert.match(r.text, /<em><code>plus<\/code><\/em>/);
    assert.match(r.text, /<title>Anna U\+202Eevil · telegram-logger<\/title>/, "no override in the title");
    assert.match(r.text, /href="https:\/\/site\.org\/"/, "a bare domain links over https");
    assert.match(
      r.text,
      /click here.*\(<bdi>javascript:alert\(3\)<\/bdi>\)/s,
      "the text link's target shown",
    );
    assert.match(r.text, /href="https:\/\/example\.org\/real\?a=1&amp;b=2"/);
    assert.match(r.text, /\(<bdi>https:\/\/example\.org\/real\?a=1&amp;b=2<\/bdi>\)/);
    assert.match(r.text, /\(<bdi>data:text\/html,&lt;script&gt;alert\(4\)&lt;\/script&gt;<\/bdi>\)/);
    assert.match(r.text, /U\+202E/, "the RTL override shown as its code point");
    assert.match(r.text, /U\+200B/, "the zero-width space shown");
    assert.match(r.text, /THE END/, "a 100 KB message whole");
    assert.match(r.text, new RegExp(`class="reply" href="/ui/chats/${ANNA}\\?around=1#m1"`));
    assert.match(r.text, /Reply to message #99 \(not stored\)/);

    const j = await api(f, `/api/chats/${ANNA}`);
    assert.equal(j.body.messages[1].replyTo.snippet, text.slice(0, 160));
    assert.equal(j.body.messages[2].text, long);
  });

  it("marks deletions with when and how, and shows every version of an edited message with a word diff", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    s.messages([
      { chatId: ANNA, messageId: 1, senderId: ANNA, date: T0, text: "by someone" },
      { chatId: ANNA, messageId: 2, senderId: 100, date: T0 + 1, text: "mine", outgoing: true },
      { chatId: ANNA, messageId: 3, senderId: ANNA, date: T0 + 2, text: "timed" },
      { chatId: ANNA, messageId: 4, senderId: ANNA, date: T0 + 3, text: "meet at five today" },
    ]);
    s.deleted(ANNA, 1, T0 + HOUR, "deleted");
    s.deleted(ANNA, 2, T0 + HOUR, "own");
    s.deleted(ANNA, 3, T0 + HOUR, "auto_delete");
    s.edited(ANNA, 4, "meet at six today", T0 + 2 * HOUR);
    s.edited(ANNA, 4, "meet at six tomorrow", T0 + 3 * HOUR);

    const j = await api(f, `/api/chats/${ANNA}`);
    const [m1, m2, m3, m4] = j.body.messages;
    assert.deepEqual([m1.deletionKind, m2.deletionKind, m3.deletionKind], ["deleted", "own", "auto_delete"]);
    assert.equal(m1.deletedAt, T0 + HOUR);
    assert.equal(m4.text, "meet at six tomorrow");
    assert.deepEqual(
      m4.revisions.map((r: { version: number; text: string }) => [r.version, r.text]),
      [
        [0, "meet at five today"],
        [1, "meet at six today"],
        [2, "meet at six tomorrow"],
      ],
    );
    assert.equal(m4.revisions[0].diff, null);
    assert.deepEqual(
      m4.revisions[1].diff.filter((d: { change: string }) => d.change !== "same"),
      [
        { change: "removed", text: "five" },
        { change: "added", text: "six" },
      ],
    );

    const r = await ask(f, `/ui/chats/${ANNA}`, { headers: bearer() });
    assert.match(r.text, /deleted by someone in the chat/);
    assert.match(r.text, /deleted by you/);
    assert.match(r.text, /removed by the auto-delete timer/);
    assert.match(r.text, /Edited 2× · every version/);
    assert.match(r.text, /<del>five<\/del><ins>six<\/ins>/);
    assert.match(r.text, /<del>today<\/del><ins>tomorrow<\/ins>/);
  });
});

describe("media", () => {
  it("serves a buffered file with its type and ranges; unknown, missing and unsafe files are handled", async (t) => {
    const f = await startWeb(t);
    const s = chatSeeder(f);
    const bytes = randomBytes(5000);
    const rows = s.messages([
      {
        chatId: ANNA,
        messageId: 1,
        date: T0,
        media: { kind: "photo", identity: "p", mimeType: "image/jpeg" },
      },
      { chatId: ANNA, messageId: 2, date: T0 + 1, media: { kind: "photo", identity: "q" } },
      {
        chatId: ANNA,
        messageId: 3,
        date: T0 + 2,
        media: { kind: "document", identity: "d", mimeType: "text/html", fileName: "../../evil<b>.html" },
      },
      {
        chatId: ANNA,
        messageId: 4,
        date: T0 + 3,
        media: { kind: "video", identity: "v", mimeType: "video/mp4" },
      },
    ]);
    const photo = s.buffered(rows[0]!, bytes);
    const missing = s.fileRow(rows[1]!, { status: "stored", blob: "gone-blob" });
    const html = s.buffered(rows[2]!, Buffer.from("<script>alert(1)</script>"));
    const skipped = s.fileRow(rows[3]!, { status: "skipped", reason: "too_large" });

    const whole = await fetch(f.url(`/ui/media/${photo}`), { headers: bearer() });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "image/jpeg");
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.equal(whole.headers.get("x-content-type-options"), "nosniff");
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));

    const part = await fetch(f.url(`/ui/media/${photo}`), { headers: { ...bearer(), range: "bytes=10-19" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 10-19/5000");
    assert.equal(part.headers.get("content-length"), "10");
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(10, 20)));
    const tail = await fetch(f.url(`/ui/media/${photo}`), { headers: { ...bearer(), range: "bytes=-100" } });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(4900)));
    for (const range of ["bytes=5000-", "bytes=20-10", "bytes=x-y", "bytes=-0"]) {
      const bad = await fetch(f.url(`/ui/media/${photo}`), { headers: { ...bearer(), range } });
      assert.equal(bad.status, 416, range);
      assert.equal(bad.headers.get("content-range"), "bytes */5000", range);
      await bad.arrayBuffer();
    }

    const page = await ask(f, `/ui/media/${html}`, { headers: bearer() });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "application/octet-stream");
    assert.match(page.headers.get("content-disposition") ?? "", /^attachment; filename="evil_b_.html"/);

    assert.equal((await ask(f, "/ui/media/999999", { headers: bearer() })).status, 404);
    assert.equal((await ask(f, `/ui/media/${missing}`, { headers: bearer() })).status, 404);
    assert.equal((await ask(f, `/ui/media/${skipped}`, { headers: bearer() })).status, 404);
    assert.equal(
      (await ask(f, "/ui/media/..%2F..%2Fdb%2Ftelegram-logger.sqlite", { headers: bearer() })).status,
      400,
    );
    assert.equal((await ask(f, `/ui/media/${photo}`)).status, 303, "no credential: to the login page");

    const view = await ask(f, `/ui/chats/${ANNA}`, { headers: bearer() });
    assert.equal(view.status, 200, "the page renders though a file is missing");
    assert.match(view.text, new RegExp(`<img src="/ui/media/${photo}"`));
    assert.match(view.text, new RegExp(`<img src="/ui/media/${missing}"`));
    assert.match(view.text, new RegExp(`href="/ui/media/${html}" download`));
    assert.match(view.text, /not kept \(too_large\)/);
  });

  it("decrypts a vault file on the fly, byte for byte, for whole files and ranges across chunks", async (t) => {
    const key = randomBytes(32);
    const f = await startWeb(t, {
      ENCRYPT_DELETED_MEDIA: "true",
      DELETED_MEDIA_KEY_B64: key.toString("base64"),
    });
    const s = chatSeeder(f);
    const bytes = randomBytes(10_000);
    const [row] = s.messages([
      {
        chatId: ANNA,
        messageId: 1,
        date: T0,
        media: { kind: "video", identity: "v", mimeType: "video/mp4" },
      },
    ]);
    s.deleted(ANNA, 1, T0 + HOUR, "deleted");
    const id = await s.vaulted(row!, bytes, key, 1024);

    const whole = await fetch(f.url(`/ui/media/${id}`), { headers: bearer() });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("content-type"), "video/mp4");
    assert.equal(whole.headers.get("content-length"), "10000");
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));
    for (const [range, from, to] of [
      ["bytes=1000-3100", 1000, 3101],
      ["bytes=1024-2047", 1024, 2048],
      ["bytes=9990-", 9990, 10_000],
      ["bytes=-1", 9999, 10_000],
      ["bytes=0-0", 0, 1],
    ] as const) {
      const r = await fetch(f.url(`/ui/media/${id}`), { headers: { ...bearer(), range } });
      assert.equal(r.status, 206, range);
      assert.equal(r.headers.get("content-range"), `bytes ${from}-${to - 1}/10000`, range);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(from, to)), range);
    }
    const bad = await fetch(f.url(`/ui/media/${id}`), { headers: { ...bearer(), range: "bytes=10000-" } });
    assert.equal(bad.status, 416);
    await bad.arrayBuffer();
    const view = await ask(f, `/ui/chats/${ANNA}`, { headers: bearer() });
    assert.match(view.text, new RegExp(`<video class="media" src="/ui/media/${id}" controls`));
  });
});
