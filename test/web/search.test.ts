/**
 * /ui/search and /api/search of the real app over HTTP, on a real SQLite file: messages, edits
 * and deletions written through the MessageStore and events through the EventStore, as the
 * service writes them; the background indexer indexes them, and the tests wait (by asking the
 * API) until nothing is left to index. Cyrillic matches in any case, 3-character substrings match,
 * earlier versions are found and marked, paths, diffs and error texts are found, FTS syntax is
 * searched as text, filters narrow, hostile text stays text, bad values are 400s naming the
 * parameter, and a database written before the index existed is indexed in the background.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { MessageStore, type NewMessageRow } from "../../src/store/messages.ts";
import { ask, bearer, login, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30);
const HOUR = 3_600_000;
const CHAT_A = -1001111;
const CHAT_B = 4242;

function message(
  chatId: number,
  messageId: number,
  text: string,
  extra: Partial<NewMessageRow> = {},
): NewMessageRow {
  return {
    chatId,
    messageId,
    chatType: chatId < 0 ? "supergroup" : "user",
    senderId: 777,
    date: T0 + messageId * HOUR,
    text,
    outgoing: false,
    noforwards: false,
    selfDestructing: false,
    ...extra,
  };
}

/** Stores messages (one transaction) and returns their row ids. */
function store(f: WebFixture, rows: NewMessageRow[]): number[] {
  const messages = new MessageStore(f.app.store.db);
  return f.app.store.transaction(() => rows.map((r) => messages.insert(r, r.date)!));
}

/** Waits until the index holds every row written (asked over HTTP, as a client would). */
async function indexed(f: WebFixture): Promise<void> {
  for (;;) {
    const r = await ask(f, "/api/search?q=zzzzzz", { headers: bearer() });
    const { index } = r.json();
    if (index.queued === 0 && index.backfillLeft === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function hits(f: WebFixture, query: string) {
  const r = await ask(f, `/api/search?${query}`, { headers: bearer() });
  assert.equal(r.status, 200, r.text);
  return r.json().hits as {
    kind: string;
    id: number;
    messageId: number | null;
    version: number | null;
    field: string;
    snippet: { text: string; mark: boolean }[];
    link: string;
  }[];
}

const q = (text: string, more = "") => `q=${encodeURIComponent(text)}${more}`;

describe("search", () => {
  it("matches Russian and Ukrainian in any case, and substrings of 3 characters", async (t) => {
    const f = await startWeb(t);
    store(f, [
      message(CHAT_A, 1, "привет, как дела?"),
      message(CHAT_A, 2, "Бачив їжака у лісі"),
      message(CHAT_A, 3, "Ґанок і Європа, Інна"),
      message(CHAT_A, 4, "Hello World"),
    ]);
    await indexed(f);
    assert.deepEqual(
      (await hits(f, q("ПРИВЕТ"))).map((h) => h.messageId),
      [1],
    );
    assert.deepEqual(
      (await hits(f, q("ЇЖАК"))).map((h) => h.messageId),
      [2],
    );
    assert.deepEqual(
      (await hits(f, q("ґанок"))).map((h) => h.messageId),
      [3],
    );
    assert.deepEqual(
      (await hits(f, q("єВРОПА"))).map((h) => h.messageId),
      [3],
    );
    assert.deepEqual(
      (await hits(f, q("інна"))).map((h) => h.messageId),
      [3],
    );
    assert.deepEqual(
      (await hits(f, q("вет"))).map((h) => h.messageId),
      [1],
    );
    assert.deepEqual(
      (await hits(f, q("ELL"))).map((h) => h.messageId),
      [4],
    );
    const [hello] = await hits(f, q("world hel"));
    assert.equal(hello?.messageId, 4);
    assert.deepEqual(
      hello?.snippet.filter((p) => p.mark).map((p) => p.text),
      ["Hel", "World"],
    );
    assert.equal(hello?.link, `/ui/chats/${CHAT_A}?around=4`);
    const page = await ask(f, `/ui/search?${q("привет")}`, { headers: { cookie: await login(f) } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<mark>привет<\/mark>, как дела\?/);
  });

  it("finds an earlier version of an edited message and marks it as one", async (t) => {
    const f = await startWeb(t);
    const [rowId] = store(f, [message(CHAT_A, 10, "meeting at the old office")]);
    const messages = new MessageStore(f.app.store.db);
    f.app.store.transaction(() => {
      const row = messages.byRowId(rowId!)!;
      messages.applyEdit(
        row,
        { text: "meeting at the new place", entities: null, media: null, editDate: T0 + 20 * HOUR },
        T0 + 20 * HOUR,
      );
    });
    await indexed(f);
    const old = await hits(f, q("old office"));
    assert.equal(old.length, 1);
    assert.equal(old[0]?.kind, "revision");
    assert.equal(old[0]?.version, 0);
    assert.equal(old[0]?.link, `/ui/chats/${CHAT_A}?around=10`);
    const current = await hits(f, q("new place"));
    assert.deepEqual(
      current.map((h) => [h.kind, h.messageId]),
      [["message", 10]],
    );
    // Both versions say "meeting": one result, the message, noting the earlier version.
    const both = await ask(f, `/api/search?${q("meeting")}`, { headers: bearer() });
    assert.deepEqual(
      both.json().hits.map((h: { kind: string; alsoInVersions: number[] }) => [h.kind, h.alsoInVersions]),
      [["message", [0]]],
    );
    const page = await ask(f, `/ui/search?${q("old office")}`, { headers: { cookie: await login(f) } });
    assert.match(page.text, /earlier version: v0 of 1/);
    assert.equal((await hits(f, q("old office", "&edited=1"))).length, 1);
  });

  it("finds file paths, diffs of important files and error texts", async (t) => {
    const f = await startWeb(t);
    const [created, modified, failed] = f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: T0,
        path: "/srv/docs/Квартальный_Отчёт.xlsx",
      },
      {
        source: "fs",
        type: "file.modified",
        status: "success",
        occurredAt: T0 + HOUR,
        path: "/srv/etc/app.conf",
        details: { root: "/srv", diff: "-listen 80\n+listen 8443 secret_port_marker" },
      },
      {
        source: "telegram",
        type: "feed.failed",
        status: "error",
        occurredAt: T0 + 2 * HOUR,
        error: "FLOOD_WAIT_420 while posting",
      },
    ]);
    await indexed(f);
    const path = await hits(f, q("квартальный"));
    assert.deepEqual(
      path.map((h) => [h.kind, h.id, h.field, h.link]),
      [["event", created, "path", `/ui/events/${created}`]],
    );
    assert.deepEqual(
      (await hits(f, q("secret_port"))).map((h) => [h.id, h.field]),
      [[modified, "diff"]],
    );
    assert.deepEqual(
      (await hits(f, q("flood_wait"))).map((h) => [h.id, h.field]),
      [[failed, "error"]],
    );
    assert.deepEqual((await hits(f, q("flood", "&source=fs"))).length, 0);
    assert.deepEqual(
      (await hits(f, q("srv", "&source=fs"))).map((h) => h.id).sort(),
      [created, modified].sort(),
    );
  });

  it("searches FTS syntax as plain text, never failing", async (t) => {
    const f = await startWeb(t);
    store(f, [
      message(CHAT_A, 1, 'he said "quote AND NEAR( stuff * - more'),
      message(CHAT_A, 2, "plain words here"),
    ]);
    await indexed(f);
    for (const garbage of [
      '"',
      '"unbalanced',
      "AND",
      "OR",
      "NOT",
      "*",
      "NEAR(",
      "NEAR(a b",
      "-",
      "^",
      "(",
      ")",
      "a:b",
      "{body}",
      "body : x",
      '""""',
      "\u0000",
      "'; DROP TABLE messages; --",
    ]) {
      const r = await ask(f, `/api/search?${q(garbage)}`, { headers: bearer() });
      assert.equal(r.status, 200, `${garbage}: ${r.text}`);
      const page = await ask(f, `/ui/search?${q(garbage)}`, { headers: bearer() });
      assert.equal(page.status, 200, garbage);
    }
    assert.deepEqual(
      (await hits(f, q("NEAR("))).map((h) => h.messageId),
      [1],
    );
    assert.deepEqual(
      (await hits(f, q('"quote and near"'))).map((h) => h.messageId),
      [1],
    );
    assert.deepEqual((await hits(f, q("and plain"))).length, 0);
    assert.equal((await ask(f, `/api/search?${q("ab")}`, { headers: bearer() })).json().tooShort, true);
    assert.deepEqual(
      (await hits(f, q("pla wo"))).map((h) => h.messageId),
      [2],
    );
  });

  it("filters: deleted only, edited only, chat, sender, source and dates", async (t) => {
    const f = await startWeb(t);
    const messages = new MessageStore(f.app.store.db);
    const ids = store(f, [
      message(CHAT_A, 1, "budget draft one", { senderId: 1 }),
      message(CHAT_A, 2, "budget draft two", { senderId: 2 }),
      message(CHAT_B, 3, "budget draft three", { senderId: 1 }),
      message(CHAT_B, 4, "budget draft four", { senderId: 2 }),
    ]);
    f.seed([
      { source: "fs", type: "file.created", status: "success", occurredAt: T0, path: "/srv/budget.ods" },
    ]);
    f.app.store.transaction(() => {
      messages.markDeleted(ids[1]!, T0 + 50 * HOUR, "deleted");
      messages.applyEdit(
        messages.byRowId(ids[2]!)!,
        { text: "budget final three", entities: null, media: null, editDate: T0 + 60 * HOUR },
        T0 + 60 * HOUR,
      );
    });
    await indexed(f);
    const ofMessages = async (more: string) =>
      (await hits(f, q("budget", `${more}&sort=newest`))).map((h) => h.messageId ?? "event");
    assert.deepEqual(await ofMessages(""), [4, 3, 2, 1, "event"]);
    assert.deepEqual(await ofMessages("&deleted=1"), [2]);
    assert.deepEqual(await ofMessages("&edited=true"), [3]);
    assert.deepEqual((await ofMessages(`&chat=${CHAT_B}`)).sort(), [3, 4]);
    assert.deepEqual((await ofMessages(`&chat=${CHAT_A},${CHAT_B}&sender=1`)).sort(), [1, 3]);
    assert.deepEqual(await ofMessages("&source=fs"), ["event"]);
    assert.deepEqual((await ofMessages("&source=telegram")).sort(), [1, 2, 3, 4]);
    assert.deepEqual(
      (
        await ofMessages(
          `&since=${new Date(T0 + 2 * HOUR).toISOString()}&until=${new Date(T0 + 4 * HOUR).toISOString()}`,
        )
      ).sort(),
      [2, 3],
    );
    // Deleted after it was indexed: the index follows the row.
    f.app.store.transaction(() => messages.markDeleted(ids[0]!, T0 + 70 * HOUR, "own"));
    await indexed(f);
    assert.deepEqual((await ofMessages("&deleted=1")).sort(), [1, 2]);
  });

  it("date ranges across months and years select by the row's own time", async (t) => {
    const f = await startWeb(t);
    // Within events' retention (90 days), which housekeeping applies at start.
    const recent = Date.now() - 10 * 24 * HOUR;
    const month = new Date(recent).toISOString().slice(0, 7);
    const next = new Date(Date.UTC(new Date(recent).getUTCFullYear(), new Date(recent).getUTCMonth() + 1, 1))
      .toISOString()
      .slice(0, 10);
    store(f, [
      message(CHAT_A, 1, "ledger entry", { date: Date.UTC(2024, 0, 15) }),
      message(CHAT_A, 2, "ledger entry", { date: Date.UTC(2025, 5, 30, 23, 59) }),
      message(CHAT_A, 3, "ledger entry", { date: Date.UTC(2025, 6, 1) }),
      message(CHAT_A, 4, "ledger entry", { date: T0 }),
    ]);
    f.seed([
      {
        source: "system",
        type: "x.failed",
        status: "error",
        occurredAt: recent,
        error: "ledger entry lost",
      },
    ]);
    await indexed(f);
    const found = async (more: string) =>
      (await hits(f, q("ledger", `${more}&sort=newest`))).map((h) => h.messageId ?? "event");
    assert.deepEqual(await found(""), ["event", 4, 3, 2, 1]);
    assert.deepEqual(await found("&until=2025-07-01"), [2, 1]);
    assert.deepEqual(await found("&since=2025-07-01"), ["event", 4, 3]);
    assert.deepEqual(await found(`&since=${month}-01&until=${next}`), [
      "event",
      ...(month === "2026-11" ? [4] : []),
    ]);
    assert.deepEqual(await found("&since=2025-06-01&until=2025-07-02"), [3, 2]);
    assert.deepEqual(await found("&since=2001-01-01&until=2024-02-01"), [1]);
    assert.deepEqual(await found("&since=2030-01-01"), []);
  });

  it("shows hostile text as text in snippets", async (t) => {
    const f = await startWeb(t);
    const hostile = [
      "needle <script>alert(1)</script> <img src=x onerror=alert(2)>",
      "needle javascript:alert(3) \u202Egnp.exe",
      "needle \uE000fake\uE001 \u200B zero width",
      `needle ${"x".repeat(100_000)}`,
    ];
    store(
      f,
      hostile.map((text, i) => message(CHAT_A, i + 1, text)),
    );
    await indexed(f);
    const page = await ask(f, `/ui/search?${q("needle")}`, { headers: { cookie: await login(f) } });
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /<script>alert|<img src=x/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page.text, /U\+202E/);
    assert.match(page.text, /U\+200B/);
    assert.ok(page.text.length < 60_000, `page of ${page.text.length} characters`);
    const api = await hits(f, q("needle"));
    assert.equal(api.length, 4);
    for (const h of api) assert.ok(h.snippet.reduce((n, p) => n + p.text.length, 0) < 300);
  });

  it("answers 400 naming a bad parameter", async (t) => {
    const f = await startWeb(t);
    const cases: [string, string][] = [
      ["q=abc&limit=0", "limit"],
      ["q=abc&limit=x", "limit"],
      ["q=abc&since=yesterday-ish", "since"],
      ["q=abc&until=2026-02-31", "until"],
      ["q=abc&since=2026-11-02&until=2026-11-01", "since"],
      ["q=abc&source=mail", "source"],
      ["q=abc&deleted=maybe", "deleted"],
      ["q=abc&edited=2", "edited"],
      ["q=abc&chat=abc", "chat"],
      ["q=abc&sender=1.5", "sender"],
      ["q=abc&sort=oldest", "sort"],
      ["q=abc&colour=red", "colour"],
      ["q=a&q=b", "q"],
      [`q=${"x".repeat(501)}`, "q"],
      ["", "q"],
    ];
    for (const [query, parameter] of cases) {
      const r = await ask(f, `/api/search?${query}`, { headers: bearer() });
      assert.equal(r.status, 400, query);
      assert.equal(r.json().parameter, parameter, query);
    }
    const page = await ask(f, "/ui/search?q=abc&limit=0", { headers: { cookie: await login(f) } });
    assert.equal(page.status, 400);
    assert.match(page.text, /class="problem"[^>]*>limit: expected a whole number/);
    assert.equal((await ask(f, "/ui/search", { headers: bearer() })).status, 200);
    assert.equal((await ask(f, "/api/search?q=abc")).status, 401);
  });

  it("indexes a database written before the index existed, in the background, answering meanwhile", async (t) => {
    const first = await startWeb(t);
    const rows = Array.from({ length: 3_000 }, (_, i) =>
      message(CHAT_A, i + 1, `archived note number ${i + 1} о погоде`),
    );
    const base = first.base;
    await first.stop();
    // The database as it was before migration 0009: no search tables, rows written without them.
    const file = databaseFileOf(first.dataRoot);
    const db = new Database(file);
    for (const name of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")
      .pluck()
      .all() as string[])
      db.exec(`DROP TRIGGER "${name}"`);
    for (const table of [
      "search_messages",
      "search_revisions",
      "search_events",
      "search_queue",
      "search_backfill",
    ])
      db.exec(`DROP TABLE ${table}`);
    db.exec(
      "DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)",
    );
    const insert = db.prepare(
      "INSERT INTO messages (chat_id, message_id, chat_type, sender_id, date, text, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (const r of rows) insert.run(r.chatId, r.messageId, r.chatType, r.senderId, r.date, r.text, r.date);
    })();
    db.close();

    const f = await startWeb(t, {}, base);
    assert.ok(f.logged.some((l) => l.includes("search index: indexing rows stored before it existed")));
    // The service answers while the index is built (whatever share it holds yet).
    const during = await ask(f, `/api/search?${q("archived note")}`, { headers: bearer() });
    assert.equal(during.status, 200);
    assert.equal(typeof during.json().index.percent, "number");
    assert.equal((await ask(f, "/health")).status, 200);
    await indexed(f);
    assert.ok(f.logged.some((l) => l.includes("search index: built")));
    assert.deepEqual(
      (await hits(f, q("number 1234 О ПОГОДЕ"))).map((h) => h.messageId),
      [1234],
    );
    assert.deepEqual((await hits(f, q("number 1 "))).length > 0, true);
    const all = await ask(f, `/api/search?${q("archived", "&limit=200")}`, { headers: bearer() });
    assert.equal(all.json().hits.length, 200);
    assert.equal(all.json().index.percent, 100);
  });
});
