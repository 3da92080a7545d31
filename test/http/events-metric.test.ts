/**
 * `telegram_logger_events_total` of the real app (offline Telegram, real SQLite, /metrics over
 * HTTP): every stored `events` row counted once by source, type and status; rows of an update whose
 * savepoint rolled back, or of a batch rolled back on a locked database, only once they are stored.
 * `storage_failures_total` counts the failed batches.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { waitFor } from "../fswatch/support.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { type Exposition, parseExposition, sampleValue } from "../support/prom-text.ts";
import { deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const EVENTS = "telegram_logger_events_total";
const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });

async function scrape(f: AppFixture): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${f.app.http.port}/metrics`);
  return parseExposition(await res.text());
}

/** `source/type/status` → value of every non-zero `events_total` series. */
function counted(m: Exposition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of m.samples)
    if (s.name === EVENTS && s.value > 0)
      out[`${s.labels.source}/${s.labels.type}/${s.labels.status}`] = s.value;
  return out;
}

/** The same, read from the `events` table. */
function stored(f: AppFixture): Record<string, number> {
  const rows = f.app.store.sqlite
    .prepare("SELECT source, type, status, count(*) AS n FROM events GROUP BY source, type, status")
    .all() as { source: string; type: string; status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [`${r.source}/${r.type}/${r.status}`, r.n]));
}

async function twoMessages(f: AppFixture): Promise<void> {
  for (const id of [1, 2])
    await f.telegram.push(
      newMessageUpdate(message({ id, peer: alice, from: alice, text: `m${id}` }), { users: [alice] }),
    );
  await f.app.idle();
  await f.app.housekeeper.runNow();
}

describe("events_total", () => {
  it("counts each stored event row by source, type and status, and not the rows of a rolled-back update", async (t) => {
    const f = await startFixture(t);
    await twoMessages(f);
    await f.telegram.push(deleteMessagesUpdate([1]));
    await f.telegram.push(deleteMessagesUpdate([999])); // never seen: recorded as skipped
    await f.app.idle();
    let m = await scrape(f);
    assert.equal(
      sampleValue(m, EVENTS, { source: "telegram", type: "message.deleted", status: "success" }),
      1,
    );
    assert.equal(
      sampleValue(m, EVENTS, { source: "telegram", type: "message.deleted", status: "skipped" }),
      1,
    );

    // The deletion's post cannot be queued: the update's savepoint rolls back with its event row.
    f.app.store.sqlite.exec(
      "CREATE TRIGGER refuse_posts BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected'); END",
    );
    await f.telegram.push(deleteMessagesUpdate([2]));
    await f.app.idle();
    f.app.store.sqlite.exec("DROP TRIGGER refuse_posts");

    m = await scrape(f);
    assert.equal(
      sampleValue(m, EVENTS, { source: "telegram", type: "message.deleted", status: "success" }),
      1,
    );
    assert.equal(sampleValue(m, EVENTS, { source: "telegram", type: "update.failed", status: "error" }), 1);
    assert.equal(
      sampleValue(m, EVENTS, { source: "system", type: "housekeeping.run", status: "success" }),
      1,
    );
    assert.deepEqual(counted(m), stored(f));
    // Exported at 0 from start for the alert rules; untouched here.
    assert.equal(sampleValue(m, EVENTS, { source: "fs", type: "file.error", status: "error" }), 0);
  });

  it("counts a batch rolled back on a locked database once, when the retry stores it", async (t) => {
    const f = await startFixture(t);
    await twoMessages(f);
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    other.exec("BEGIN IMMEDIATE");
    await f.telegram.push(deleteMessagesUpdate([1]));
    const busy = async () =>
      sampleValue(await scrape(f), "telegram_logger_storage_failures_total", { code: "SQLITE_BUSY" }) ?? 0;
    await waitFor(async () => (await busy()) >= 2, { what: "two batches failed on the lock" });
    let m = await scrape(f);
    assert.equal(
      sampleValue(m, EVENTS, { source: "telegram", type: "message.deleted", status: "success" }),
      undefined,
      "not counted while not stored",
    );
    assert.equal(sampleValue(m, "telegram_logger_storage_failures_total", { code: "SQLITE_FULL" }), 0);
    other.exec("COMMIT");
    await f.app.idle();

    m = await scrape(f);
    assert.equal(
      sampleValue(m, EVENTS, { source: "telegram", type: "message.deleted", status: "success" }),
      1,
    );
    assert.deepEqual(counted(m), stored(f));
  });
});
