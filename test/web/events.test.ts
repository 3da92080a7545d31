/**
 * /ui/events and /api/events of the real app over HTTP, on a real SQLite file seeded through the
 * EventStore: each filter selects the rows it names, keyset pages cover every row exactly once in
 * both directions, facets count the filtered rows, a bad value is a 400 naming the parameter, and
 * hostile text arrives as text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewEvent } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { MIN_BARS } from "../../src/web/event-histogram.ts";
import { FACET_SAMPLE } from "../../src/web/event-query.ts";
import { CELL_CHARS } from "../../src/web/events-page.ts";
import { ask, bearer, login, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30); // 2026-11-01T08:30:00Z
const HOUR = 3_600_000;

/** Seeded rows all carry project "seed" (the app records its own rows too). */
const SEED: NewEvent[] = [
  {
    source: "telegram",
    type: "message.deleted",
    status: "success",
    occurredAt: T0,
    chatId: -1001234,
    messageId: 7,
    project: "seed",
  },
  {
    source: "telegram",
    type: "message.edited",
    status: "success",
    occurredAt: T0 + HOUR,
    chatId: 42,
    messageId: 8,
    project: "seed",
  },
  {
    source: "telegram",
    type: "feed.failed",
    status: "error",
    occurredAt: T0 + 2 * HOUR,
    error: "FLOOD 100%_done",
    project: "seed",
  },
  {
    source: "fs",
    type: "file.created",
    status: "success",
    occurredAt: T0 + 3 * HOUR,
    path: "/srv/docs/a.txt",
    project: "seed",
    username: "anna",
    correlationId: "c-1",
  },
  {
    source: "fs",
    type: "file.modified",
    status: "success",
    occurredAt: T0 + 4 * HOUR,
    path: "/srv/docs/sub/b.txt",
    project: "seed",
    username: "boris",
    correlationId: "c-1",
  },
  {
    source: "fs",
    type: "file.deleted",
    status: "warning",
    occurredAt: T0 + 5 * HOUR,
    path: "/srv/other/c.txt",
    project: "seed",
    details: { note: "gone" },
  },
  {
    source: "system",
    type: "housekeeping.run",
    status: "error",
    occurredAt: T0 + 6 * HOUR,
    error: "disk full",
    project: "seed",
  },
];

async function api(f: WebFixture, query: string) {
  const r = await ask(f, `/api/events?project=seed&${query}`, { headers: bearer() });
  assert.equal(r.status, 200, r.text);
  return r.json() as {
    events: { id: number; type: string }[];
    next: string | null;
    previous: string | null;
    facets: Record<string, { value: string; count: number }[]> | null;
    histogram: {
      bucket: string;
      bars: { start: number; count: number }[];
      counted: number;
      from: number | null;
    } | null;
  };
}

const types = async (f: WebFixture, query: string) => (await api(f, query)).events.map((e) => e.type);

describe("/api/events and /ui/events", () => {
  it("each filter selects what it names; newest first", async (t) => {
    const f = await startWeb(t);
    f.seed(SEED);
    assert.deepEqual(await types(f, ""), SEED.map((e) => e.type).reverse());
    assert.deepEqual(await types(f, "source=fs"), ["file.deleted", "file.modified", "file.created"]);
    assert.deepEqual(await types(f, "source=telegram,system&status=error"), [
      "housekeeping.run",
      "feed.failed",
    ]);
    assert.deepEqual(await types(f, "type=file.*&type=feed.failed"), [
      "file.deleted",
      "file.modified",
      "file.created",
      "feed.failed",
    ]);
    assert.deepEqual(await types(f, "chat=-1001234"), ["message.deleted"]);
    assert.deepEqual(await types(f, "path=/srv/docs/"), ["file.modified", "file.created"]);
    assert.deepEqual(await types(f, "username=anna"), ["file.created"]);
    assert.deepEqual(await types(f, "correlation=c-1"), ["file.modified", "file.created"]);
    // until is exclusive: 12:30 itself is not selected.
    assert.deepEqual(await types(f, "since=2026-11-01T10:30Z&until=2026-11-01T12:30Z"), [
      "file.created",
      "feed.failed",
    ]);
    assert.deepEqual(await types(f, "q=disk"), ["housekeeping.run"]);
    assert.deepEqual(await types(f, "q=gone"), ["file.deleted"], "details are searched");
    // LIKE's wildcards are literal: "0%_" matches the error that has them, nothing else.
    assert.deepEqual(await types(f, "q=0%25_"), ["feed.failed"]);
    assert.deepEqual(await types(f, "q=_"), ["feed.failed"], "_ is no wildcard");
  });

  it("facets count the filtered rows (all pages), per source, status and type", async (t) => {
    const f = await startWeb(t);
    f.seed(SEED);
    const facets = (await api(f, "limit=1")).facets!;
    assert.deepEqual(facets.source, [
      { value: "fs", count: 3 },
      { value: "telegram", count: 3 },
      { value: "system", count: 1 },
    ]);
    assert.deepEqual(facets.status, [
      { value: "success", count: 4 },
      { value: "error", count: 2 },
      { value: "warning", count: 1 },
    ]);
    assert.equal(facets.type?.length, 7);
    assert.deepEqual((await api(f, "source=fs")).facets!.status, [
      { value: "success", count: 2 },
      { value: "warning", count: 1 },
    ]);
  });

  for (const sort of ["newest", "oldest"] as const)
    it(`keyset pages ${sort} first: onwards then back again, every row exactly once, ties on the time kept apart`, async (t) => {
      const f = await startWeb(t);
      // 23 rows, three at each of a few instants: the id breaks the tie.
      const rows: NewEvent[] = Array.from({ length: 23 }, (_, i) => ({
        source: "fs",
        type: `file.t${i}`,
        status: "success",
        occurredAt: T0 + Math.floor(i / 3) * HOUR,
        project: "seed",
      }));
      const ids = f.seed(rows);
      const expected = sort === "newest" ? [...ids].reverse() : ids;
      const pages: number[][] = [];
      const previousLinks: (string | null)[] = [];
      let page = await api(f, `limit=5&sort=${sort}`);
      assert.equal(page.previous, null, "the first page has nothing before it");
      for (;;) {
        pages.push(page.events.map((e) => e.id));
        previousLinks.push(page.previous);
        if (page.next === null) break;
        page = await api(f, `limit=5&sort=${sort}&cursor=${page.next}`);
        assert.equal(page.facets, null, "facets are counted for the first page only");
        assert.equal(page.histogram, null, "so is the histogram");
      }
      assert.deepEqual(pages.flat(), expected);
      assert.deepEqual(
        pages.map((p) => p.length),
        [5, 5, 5, 5, 3],
      );
      // Back to the start through the previous links of each page.
      const back: number[][] = [];
      let cursor = previousLinks.at(-1) ?? null;
      while (cursor !== null) {
        const p = await api(f, `limit=5&sort=${sort}&cursor=${cursor}`);
        back.push(p.events.map((e) => e.id));
        cursor = p.previous;
      }
      assert.deepEqual(back.reverse().flat(), expected.slice(0, 20));
      // The HTML page carries the same cursor in its next link.
      const session = await login(f);
      const html = await ask(f, `/ui/events?project=seed&limit=5&sort=${sort}`, {
        headers: { cookie: session },
      });
      const next = /<a rel="next" href="([^"]+)">/.exec(html.text)?.[1]?.replaceAll("&amp;", "&");
      assert.ok(next);
      const second = await ask(f, next, { headers: { cookie: session } });
      assert.equal(second.status, 200);
      for (const id of expected.slice(5, 10)) {
        const type = rows[ids.indexOf(id)]!.type;
        assert.ok(second.text.includes(`>${type}<`), type);
      }
      assert.ok(!second.text.includes(`>${rows[ids.indexOf(expected[4]!)]!.type}<`));
    });

  it("sender selects the events of the messages a user sent (messages.sender_id)", async (t) => {
    const f = await startWeb(t);
    const messages = new MessageStore(f.app.store.db);
    const message = (chatId: number, messageId: number, senderId: number) =>
      messages.insert(
        { chatId, messageId, chatType: "supergroup", senderId, date: T0, text: "hi", outgoing: false },
        T0,
      );
    message(-1001234, 7, 111);
    message(-1001234, 8, 222);
    message(42, 7, 222);
    f.seed([
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0,
        chatId: -1001234,
        messageId: 7,
      },
      {
        source: "telegram",
        type: "message.edited",
        status: "success",
        occurredAt: T0 + 1,
        chatId: -1001234,
        messageId: 8,
      },
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0 + 2,
        chatId: 42,
        messageId: 7,
      },
      { source: "fs", type: "file.created", status: "success", occurredAt: T0 + 3, path: "/x" },
    ]);
    const chats = async (query: string) => {
      const r = await ask(f, `/api/events?source=telegram&${query}`, { headers: bearer() });
      assert.equal(r.status, 200, r.text);
      return (r.json().events as { chat_id: number; message_id: number }[]).map(
        (e) => `${e.chat_id}/${e.message_id}`,
      );
    };
    assert.deepEqual(await chats("sender=111"), ["-1001234/7"]);
    assert.deepEqual(await chats("sender=222"), ["42/7", "-1001234/8"]);
    assert.deepEqual(await chats("sender=333"), []);
    assert.deepEqual(await chats("sender=222&sort=oldest"), ["-1001234/8", "42/7"]);
  });

  it("the histogram counts the filtered events per hour, or per day over a longer span, with empty buckets", async (t) => {
    const f = await startWeb(t);
    f.seed(SEED);
    const hourly = (await api(f, "")).histogram!;
    assert.equal(hourly.bucket, "hour");
    assert.equal(hourly.from, null, "every match counted");
    assert.equal(hourly.counted, SEED.length);
    assert.equal(
      hourly.bars.length,
      MIN_BARS.hour,
      "a day's hours at least, the empty ones before the first match",
    );
    assert.ok(hourly.bars.slice(0, -7).every((b) => b.count === 0));
    assert.deepEqual(
      hourly.bars.slice(-7).map((b) => [new Date(b.start).toISOString().slice(11, 16), b.count]),
      [
        ["08:00", 1],
        ["09:00", 1],
        ["10:00", 1],
        ["11:00", 1],
        ["12:00", 1],
        ["13:00", 1],
        ["14:00", 1],
      ],
    );
    assert.deepEqual(
      (await api(f, "source=fs")).histogram!.bars.slice(-3).map((b) => b.count),
      [1, 1, 1],
    );
    f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: T0 + 10 * 24 * HOUR,
        project: "seed",
      },
    ]);
    const daily = (await api(f, "")).histogram!;
    assert.equal(daily.bucket, "day");
    assert.equal(daily.bars.length, MIN_BARS.day);
    assert.deepEqual(
      daily.bars.slice(-11).map((b) => b.count),
      [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    );
    assert.deepEqual((await api(f, "status=pending")).histogram, {
      bucket: "hour",
      bars: [],
      counted: 0,
      from: null,
    });
    // The page draws it as SVG: a bar per bucket with a count, each a link narrowing the list to it.
    const session = await login(f);
    const html = (await ask(f, "/ui/events?project=seed", { headers: { cookie: session } })).text;
    assert.match(html, /<figure class="histogram">\n<svg viewBox="0 0 1000 100"/);
    assert.equal((html.match(/<rect class="bar"/g) ?? []).length, 2, "empty days draw nothing");
    assert.ok(html.includes("<title>2026-11-01 (UTC): 7 events</title>"));
    assert.ok(
      html.includes(
        'href="/ui/events?project=seed&amp;since=2026-11-11T00%3A00%3A00.000Z&amp;until=2026-11-12T00%3A00%3A00.000Z"',
      ),
    );
    assert.ok(!/ style=/.test(html), "no style attribute (the CSP refuses them)");
  });

  it("the histogram of many matches counts the newest FACET_SAMPLE exactly and says from when", async (t) => {
    const f = await startWeb(t);
    // One event a minute for a week and a bit: more than the sample.
    const n = FACET_SAMPLE + 500;
    f.seed(
      Array.from({ length: n }, (_, i) => ({
        source: "fs" as const,
        type: "file.modified",
        status: "success" as const,
        occurredAt: T0 + i * 60_000,
        project: "seed",
      })),
    );
    const h = (await api(f, "limit=1")).histogram!;
    assert.equal(h.bucket, "day");
    assert.equal(h.counted, FACET_SAMPLE);
    assert.equal(h.from, T0 + 500 * 60_000, "the oldest event counted");
    assert.equal(
      h.bars.reduce((sum, b) => sum + b.count, 0),
      FACET_SAMPLE,
    );
    // Whole days in between are exact: 1,440 a day.
    assert.deepEqual(
      h.bars.slice(1, -1).map((b) => b.count),
      h.bars.slice(1, -1).map(() => 1440),
    );
    const session = await login(f);
    const html = (await ask(f, "/ui/events?project=seed", { headers: { cookie: session } })).text;
    assert.ok(
      html.includes("The newest 10,000 matching events, per day (UTC), from <time"),
      "the page says so",
    );
  });

  it("a bad value is a 400 naming the parameter, as JSON and as a page", async (t) => {
    const f = await startWeb(t);
    const session = await login(f);
    for (const [query, parameter] of [
      ["since=yesterday", "since"],
      ["until=2026-02-31", "until"],
      ["since=2026-11-02&until=2026-11-01", "since"],
      ["source=ftp", "source"],
      ["status=fine", "status"],
      ["chat=abc", "chat"],
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      ["limit=ten", "limit"],
      ["cursor=not-a-cursor", "cursor"],
      ["stauts=error", "stauts"],
      ["path=/a&path=/b", "path"],
      ["sort=sideways", "sort"],
      ["sender=anna", "sender"],
    ] as const) {
      const r = await ask(f, `/api/events?${query}`, { headers: bearer() });
      assert.equal(r.status, 400, query);
      assert.equal(r.json().parameter, parameter, query);
      assert.ok(r.json().error.startsWith(`${parameter}: `), r.text);
      const page = await ask(f, `/ui/events?${query}`, { headers: { cookie: session } });
      assert.equal(page.status, 400, query);
      assert.match(page.text, new RegExp(`<p class="problem" role="alert">${parameter}: `), query);
    }
    assert.equal(
      (await ask(f, "/api/events?limit=500&q=&source=", { headers: bearer() })).status,
      200,
      "empty fields are unset",
    );
  });

  it("hostile text is shown as text: markup, javascript: URLs, RTL override, zero-width, 100 KB", async (t) => {
    const f = await startWeb(t);
    const evilPath = "<script>alert(1)</script>\u202Eevil";
    const bigError = `${"<img src=x onerror=alert(2)>"}${"e".repeat(100_000 - 28)}`;
    f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "error",
        occurredAt: T0,
        path: evilPath,
        error: bigError,
        project: "seed",
      },
      {
        source: "fs",
        type: 'file.\u200Bzero"><a href="javascript:alert(3)">x</a>',
        status: "warning",
        occurredAt: T0 + 1,
        path: "javascript:alert(4)",
        project: "seed",
        details: { html: "</td></tr></table><script>alert(5)</script>" },
      },
    ]);
    const session = await login(f);
    const r = await ask(f, "/ui/events?project=seed", { headers: { cookie: session } });
    assert.equal(r.status, 200);
    assert.ok(!/<script>alert|<img src=x|<a href="javascript:/i.test(r.text), "no markup from the data");
    // Invisible characters are shown, as their code point: the override reorders nothing.
    const ctl = (code: string) => `<span class="ctl" title="invisible character">U+${code}</span>`;
    assert.ok(r.text.includes(`&lt;script&gt;alert(1)&lt;/script&gt;${ctl("202E")}evil`));
    assert.ok(r.text.includes(`file.${ctl("200B")}zero&quot;&gt;&lt;a href=`));
    assert.ok(!/[\u200B\u202E]/.test(r.text));
    assert.ok(r.text.includes("&lt;img src=x onerror=alert(2)&gt;"));
    assert.ok(r.text.includes(`(${100_000 - CELL_CHARS} more characters)`));
    assert.ok(r.text.length < 60_000, "the list cuts long values");
    // Still one well-formed page: every row closed, the document ends where it should.
    assert.equal((r.text.match(/<tr>/g) ?? []).length, (r.text.match(/<\/tr>/g) ?? []).length);
    assert.equal((r.text.match(/<bdi>/g) ?? []).length, (r.text.match(/<\/bdi>/g) ?? []).length);
    assert.match(r.text, /<\/main>\n<\/body>\n<\/html>$/);
    assert.ok(!r.text.includes('href="javascript:'));
    const data = await api(f, "q=%3Cscript%3E");
    assert.equal(data.events.length, 2);
    const full = (await api(f, "status=error")).events[0] as unknown as { error: string; path: string };
    assert.equal(full.error.length, 100_000, "the API answers values whole");
    assert.equal(full.path, evilPath);
  });

  it("runs with Telegram too: the UI is served beside the offline Telegram capture", async (t) => {
    const { startFixture } = await import("../support/app-fixture.ts");
    const fx = await startFixture(t, { UI_TOKEN: "fixture-token-0123456789" });
    const port = fx.app.http.port;
    const r = await fetch(`http://127.0.0.1:${port}/api/events`, {
      headers: { authorization: "Bearer fixture-token-0123456789" },
    });
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(((await r.json()) as { events: unknown[] }).events));
  });
});
