/**
 * Housekeeping on a real database: retention removes exactly what is expired, per chat type, with
 * revisions; expired events are archived (gzip JSON lines) before they are deleted; each run is an
 * events row; a run that cannot archive deletes nothing.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { AdaptiveChunk, TARGET_CHUNK_MS } from "../../src/housekeeping/chunk-size.ts";
import { eventsCutoff, messageRules } from "../../src/housekeeping/retention-policy.ts";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { recordingLogger } from "../support/log-lines.ts";

const DAY = 86_400_000;

describe("retention policy", () => {
  it("maps the four settings to chat types and skips kinds kept forever", () => {
    const now = 100 * DAY;
    assert.deepEqual(messageRules({ user: 1, group: 2.5, channel: 0, bot: 0 }, now), [
      { kind: "user", chatTypes: ["user", "self"], cutoff: 99 * DAY },
      { kind: "group", chatTypes: ["group", "supergroup"], cutoff: 97.5 * DAY },
    ]);
    assert.equal(eventsCutoff(90, now), 10 * DAY);
    assert.equal(eventsCutoff(0, now), null);
  });

  it("sizes chunks toward the target time, within bounds and at most 2x per step", () => {
    const c = new AdaptiveChunk(500, 50, 20_000);
    c.observe(500, TARGET_CHUNK_MS / 10); // 10x too fast: grows, but only 2x
    assert.equal(c.size, 1000);
    c.observe(1000, TARGET_CHUNK_MS * 4); // 4x too slow: halves
    assert.equal(c.size, 500);
    c.observe(10, 1000); // a short last chunk says nothing
    assert.equal(c.size, 500);
  });
});

function addMessage(f: AppFixture, chatId: number, id: number, chatType: string, ageMs: number): number {
  const store = new MessageStore(f.app.store.db);
  const now = f.clock.now();
  store.insert({ chatId, messageId: id, chatType, date: now - ageMs, text: `m${id}` }, now);
  return store.find(chatId, id)!.id;
}

function addEvent(f: AppFixture, ageMs: number, type = "message.deleted"): number {
  const at = f.clock.now() - ageMs;
  return new EventStore(f.app.store.db).record(
    { source: "telegram", type, status: "success", occurredAt: at, chatId: 1, details: { age: ageMs } },
    at,
  );
}

const ids = (f: AppFixture, sql: string) =>
  (f.app.store.sqlite.prepare(sql).pluck().all() as number[]).sort((a, b) => a - b);

describe("housekeeping run", () => {
  it("purges exactly the expired messages with their revisions, and archives expired events first", async (t) => {
    const f = await startFixture(t, {
      PERSIST_TIME_IN_DAYS_USER: "1",
      PERSIST_TIME_IN_DAYS_GROUP: "2",
      EVENTS_RETENTION_DAYS: "30",
    });
    await f.app.housekeeper.runNow();
    const store = new MessageStore(f.app.store.db);
    const oldUser = addMessage(f, 42, 1, "user", 2 * DAY);
    const editedOld = store.find(42, 1)!;
    store.applyEdit(editedOld, { text: "v1", entities: null, media: null, editDate: null }, f.clock.now());
    const freshUser = addMessage(f, 42, 2, "user", DAY / 2);
    const oldSelf = addMessage(f, 100, 3, "self", 1.5 * DAY);
    const youngGroup = addMessage(f, -77, 4, "group", 1.5 * DAY);
    const oldSuper = addMessage(f, -1000000005001, 5, "supergroup", 3 * DAY);
    const ancientChannel = addMessage(f, -1000000009009, 6, "channel", 1000 * DAY);
    const ancientBot = addMessage(f, 555, 7, "bot", 1000 * DAY);
    const oldEvents = [addEvent(f, 40 * DAY), addEvent(f, 31 * DAY), addEvent(f, 35 * DAY, "update.failed")];
    const keptEvent = addEvent(f, 29 * DAY);

    const run = await f.app.housekeeper.runNow();

    assert.equal(run.status, "success");
    assert.deepEqual(run.counts.messages, { messages: 3, revisions: 2 });
    assert.deepEqual(run.counts.events, { events: 3 });
    assert.deepEqual(
      ids(f, "SELECT id FROM messages"),
      [freshUser, youngGroup, ancientChannel, ancientBot].sort((a, b) => a - b),
    );
    assert.deepEqual(ids(f, `SELECT id FROM messages WHERE id IN (${oldUser}, ${oldSelf}, ${oldSuper})`), []);
    assert.deepEqual(ids(f, "SELECT id FROM message_revisions"), []);
    const remaining = ids(f, "SELECT id FROM events");
    assert.ok(remaining.includes(keptEvent));
    for (const id of oldEvents) assert.ok(!remaining.includes(id), `event ${id} deleted`);

    const dir = path.join(f.dataRoot, "archive");
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^events-\d{8}\.jsonl\.gz$/);
    const lines = gunzipSync(readFileSync(path.join(dir, files[0]!)))
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.id).sort((a, b) => a - b),
      oldEvents.sort((a, b) => a - b),
    );
    const first = lines.find((l) => l.id === oldEvents[0]);
    assert.equal(first.type, "message.deleted");
    assert.equal(first.chat_id, 1);
    assert.deepEqual(JSON.parse(first.details), { age: 40 * DAY });

    const recorded = new EventStore(f.app.store.db).ofType("housekeeping.run", "success")[0]!;
    assert.equal(recorded.correlationId, run.correlationId);
    assert.equal(recorded.durationMs, run.durationMs);
    assert.deepEqual(JSON.parse(recorded.details!).counts.events, { events: 3 });
    assert.ok(f.app.housekeeper.lastSuccessAt! >= run.startedAt);
  });

  it("a second run finds nothing more, and appends to the same day's archive as another gzip member", async (t) => {
    const f = await startFixture(t, { EVENTS_RETENTION_DAYS: "1" });
    await f.app.housekeeper.runNow();
    const a = addEvent(f, 2 * DAY);
    await f.app.housekeeper.runNow();
    const b = addEvent(f, 3 * DAY);
    const run = await f.app.housekeeper.runNow();
    assert.deepEqual(run.counts.events, { events: 1 });
    const dir = path.join(f.dataRoot, "archive");
    const text = gunzipSync(readFileSync(path.join(dir, readdirSync(dir)[0]!))).toString("utf8");
    assert.deepEqual(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).id),
      [a, b],
    );
  });

  it("deletes no event it could not archive, and reports the run as an error", async (t) => {
    const f = await startFixture(t, { EVENTS_RETENTION_DAYS: "1" });
    await f.app.housekeeper.runNow();
    writeFileSync(path.join(f.dataRoot, "archive"), "not a folder");
    const old = addEvent(f, 2 * DAY);
    const lastSuccess = f.app.housekeeper.lastSuccessAt;
    const run = await f.app.housekeeper.runNow();
    assert.equal(run.status, "error");
    assert.ok(run.errors.events);
    assert.ok(ids(f, "SELECT id FROM events").includes(old), "the event is still there");
    assert.equal(f.app.housekeeper.lastSuccessAt, lastSuccess, "no heartbeat for a failed run");
    assert.equal(new EventStore(f.app.store.db).ofType("housekeeping.run", "error").length, 1);
  });

  it("waits out another process's lock: archived events are deleted once the lock goes, and archived once", async (t) => {
    const log = recordingLogger();
    const f = await startFixture(t, { EVENTS_RETENTION_DAYS: "1", OUTBOX_RETENTION_DAYS: "0" }, undefined, {
      logger: log.logger,
    });
    await f.app.housekeeper.runNow();
    const old = [addEvent(f, 2 * DAY), addEvent(f, 3 * DAY)];
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    other.exec("BEGIN IMMEDIATE");
    const running = f.app.housekeeper.runNow();
    await log.until(/deleting archived events: storage failed/);
    other.exec("COMMIT");
    const run = await running;
    assert.deepEqual(log.errorMessages(), []);
    assert.equal(run.status, "success");
    assert.deepEqual(run.counts.events, { events: 2 });
    assert.deepEqual(ids(f, `SELECT id FROM events WHERE id IN (${old.join(",")})`), []);
    const dir = path.join(f.dataRoot, "archive");
    const archived = gunzipSync(readFileSync(path.join(dir, readdirSync(dir)[0]!)))
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).id as number);
    assert.deepEqual(
      archived.sort((a, b) => a - b),
      old,
      "each event archived once",
    );
  });
});
