/**
 * The events list's filters as the indexes serve them (src/web/event-select.ts): lists of values
 * read one branch per value and merged, type prefixes expanded to the recorded types, path
 * prefixes read from the path index or the time index depending on how common they are. Whatever
 * the way, every page of every filter holds exactly the rows the filter names, in order, across
 * keyset pages both ways; the facets and the histogram count the same rows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EventStatus, NewEvent } from "../../src/store/events.ts";
import { ask, bearer, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 5, 1);
/** The rows are months old: housekeeping must not remove them while the test reads. */
const NO_RETENTION = { EVENTS_RETENTION_DAYS: "0" };
const MINUTE = 60_000;

const TYPES = [
  ["fs", "file.created"],
  ["fs", "file.modified"],
  ["telegram", "media.download_failed"],
  ["telegram", "media.self_destruct_opened"],
  ["telegram", "message.deleted"],
  ["system", "x_y.z"],
  ["system", "xzy.z"],
] as const;
const STATUSES: EventStatus[] = ["success", "success", "error", "warning", "skipped"];
const CHATS = [-1001, -1002, 42, 7];
/** The newest 1,000 events are under the first three; the oldest 150 under the last (rare today). */
const PATHS = ["/srv/a/", "/srv/b%_/", "/srv/ж/😀/", "/old/rare/"];

/** 1,150 events, two per minute (so times tie), all tagged project "filters". */
function seedEvents(): NewEvent[] {
  const list: NewEvent[] = [];
  for (let i = 0; i < 1150; i++) {
    const [source, type] = TYPES[i % TYPES.length]!;
    list.push({
      source,
      type,
      status: STATUSES[(i * 3) % STATUSES.length]!,
      occurredAt: T0 + Math.floor(i / 2) * MINUTE,
      chatId: source === "telegram" ? CHATS[i % CHATS.length]! : null,
      messageId: source === "telegram" ? i : null,
      path: source === "fs" ? `${i < 150 ? PATHS[3] : PATHS[i % 3]}f${i % 13}.txt` : null,
      project: "filters",
    });
  }
  return list;
}

interface Row {
  id: number;
  event: NewEvent;
}

/** Every id of the list `query` gives, following `next` pages of `limit` rows. */
async function allPages(f: WebFixture, query: string, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await ask(
      f,
      `/api/events?project=filters&limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ""}`,
      { headers: bearer() },
    );
    assert.equal(r.status, 200, r.text);
    const body = r.json() as { events: { id: number }[]; next: string | null };
    ids.push(...body.events.map((e) => e.id));
    cursor = body.next;
    if (cursor === null) return ids;
  }
  throw new Error("too many pages");
}

/** The same list walked back from its end with `previous`. */
async function backwards(f: WebFixture, query: string, limit: number, from: string): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = from;
  while (cursor !== null) {
    const r = await ask(f, `/api/events?project=filters&limit=${limit}&${query}&cursor=${cursor}`, {
      headers: bearer(),
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json() as { events: { id: number }[]; previous: string | null };
    ids.unshift(...body.events.map((e) => e.id));
    cursor = body.previous;
  }
  return ids;
}

function expected(rows: Row[], keep: (e: NewEvent) => boolean, oldest = false): number[] {
  const sorted = rows
    .filter((r) => keep(r.event))
    .sort((a, b) => a.event.occurredAt - b.event.occurredAt || a.id - b.id)
    .map((r) => r.id);
  return oldest ? sorted : sorted.reverse();
}

const CASES: [string, (e: NewEvent) => boolean][] = [
  ["status=error,warning", (e) => e.status === "error" || e.status === "warning"],
  ["status=success", (e) => e.status === "success"],
  ["source=telegram,system", (e) => e.source !== "fs"],
  ["type=media.*", (e) => e.type.startsWith("media.")],
  ["type=x_*", (e) => e.type === "x_y.z"],
  ["type=nothing.*", () => false],
  ["type=file.*&type=x_y.z", (e) => e.type.startsWith("file.") || e.type === "x_y.z"],
  ["chat=-1001,42", (e) => e.chatId === -1001 || e.chatId === 42],
  [
    "status=error,warning&type=file.*,media.*",
    (e) => (e.status === "error" || e.status === "warning") && /^(file|media)\./.test(e.type),
  ],
  [
    `since=${new Date(T0 + 100 * MINUTE).toISOString()}&until=${new Date(T0 + 400 * MINUTE).toISOString()}&source=fs,system`,
    (e) => e.occurredAt >= T0 + 100 * MINUTE && e.occurredAt < T0 + 400 * MINUTE && e.source !== "telegram",
  ],
  [`path=${encodeURIComponent("/srv/a/")}`, (e) => e.path?.startsWith("/srv/a/") === true],
  [`path=${encodeURIComponent("/srv/b%_/")}`, (e) => e.path?.startsWith("/srv/b%_/") === true],
  [`path=${encodeURIComponent("/srv/b")}`, (e) => e.path?.startsWith("/srv/b") === true],
  [`path=${encodeURIComponent("/srv/ж/😀")}`, (e) => e.path?.startsWith("/srv/ж/😀") === true],
  [`path=${encodeURIComponent("/old/rare/")}`, (e) => e.path?.startsWith("/old/rare/") === true],
  [
    `path=${encodeURIComponent("/old/rare/f1")}&status=error,warning`,
    (e) => e.path?.startsWith("/old/rare/f1") === true && (e.status === "error" || e.status === "warning"),
  ],
];

describe("events filters served by the indexes", () => {
  it("every filter's pages hold exactly its rows, in order, both ways and in both sorts", async (t) => {
    const f = await startWeb(t, NO_RETENTION);
    const events = seedEvents();
    const ids = f.seed(events);
    const rows = ids.map((id, i) => ({ id, event: events[i]! }));
    for (const [query, keep] of CASES) {
      const want = expected(rows, keep);
      assert.deepEqual(await allPages(f, query, 37), want, query);
      const oldest = await allPages(f, `${query}&sort=oldest`, 41);
      assert.deepEqual(oldest, expected(rows, keep, true), `${query}&sort=oldest`);
      if (want.length > 37) {
        // From the third page, back to the start.
        const page = await ask(f, `/api/events?project=filters&limit=37&${query}`, { headers: bearer() });
        const second = await ask(
          f,
          `/api/events?project=filters&limit=37&${query}&cursor=${page.json().next}`,
          { headers: bearer() },
        );
        const third = second.json().next as string | null;
        if (third !== null) {
          const r = await ask(f, `/api/events?project=filters&limit=37&${query}&cursor=${third}`, {
            headers: bearer(),
          });
          const back = await backwards(f, query, 37, r.json().previous as string);
          assert.deepEqual(back, want.slice(0, back.length), `${query} backwards`);
          assert.equal(back.length, 74, `${query} backwards`);
        }
      }
    }
  });

  it("the facets and the histogram count the rows of a list filter", async (t) => {
    const f = await startWeb(t, NO_RETENTION);
    const events = seedEvents();
    f.seed(events);
    const keep = (e: NewEvent) =>
      (e.status === "error" || e.status === "warning") && e.type.startsWith("media.");
    const r = await ask(f, "/api/events?project=filters&status=warning,error&type=media.*", {
      headers: bearer(),
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json() as {
      facets: Record<string, { value: string; count: number }[]>;
      histogram: { counted: number; from: number | null };
    };
    const count = (pick: (e: NewEvent) => string) => {
      const counts = new Map<string, number>();
      for (const e of events.filter(keep)) counts.set(pick(e), (counts.get(pick(e)) ?? 0) + 1);
      return [...counts]
        .map(([value, n]) => ({ value, count: n }))
        .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : 1));
    };
    assert.deepEqual(
      body.facets.status,
      count((e) => e.status),
    );
    assert.deepEqual(
      body.facets.type,
      count((e) => e.type),
    );
    assert.deepEqual(
      body.facets.source,
      count((e) => e.source),
    );
    assert.equal(body.histogram.counted, events.filter(keep).length);
    assert.equal(body.histogram.from, null);
  });
});
