/**
 * The UI's reads on their worker thread: the answers equal the same read run in this thread, a
 * read that fails rejects without taking the worker's later reads down, a worker that could not
 * start is replaced by the next read, and closed reads refuse.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { openStore } from "../../src/store/db.ts";
import { EventStore } from "../../src/store/events.ts";
import { parseEventQuery } from "../../src/web/event-query.ts";
import { ReadWorker } from "../../src/web/read-worker.ts";
import { runRead } from "../../src/web/reads.ts";
import { tempDir } from "../support/tmp.ts";

const NOW = Date.parse("2026-12-01T12:00:00Z");

function seededDatabase(file: string, count: number): void {
  const store = openStore(file);
  const events = new EventStore(store.db);
  store.transaction(() => {
    for (let i = 0; i < count; i++)
      events.record(
        {
          source: i % 3 === 0 ? "fs" : "telegram",
          type: i % 3 === 0 ? "file.modified" : "message.deleted",
          status: i % 7 === 0 ? "error" : "success",
          occurredAt: NOW - i * 60_000,
          path: i % 3 === 0 ? `/srv/p/file-${i}.txt` : null,
          chatId: i % 3 === 0 ? null : 100 + (i % 5),
        },
        NOW,
      );
  });
  store.close();
}

test("a read on the worker answers what the same read answers in this thread", async (t) => {
  const file = path.join(tempDir(t), "db", "telegram-logger.db");
  seededDatabase(file, 250);
  const reads = new ReadWorker(file);
  t.after(() => reads.close());
  const query = parseEventQuery(new URLSearchParams("status=error&limit=20"), NOW);
  const inThread = openStore(file);
  t.after(() => inThread.close());
  const [page, facets] = await Promise.all([reads.run("eventPage", query), reads.run("eventFacets", query)]);
  assert.deepEqual(page, runRead(inThread.sqlite, "eventPage", query));
  assert.deepEqual(facets, runRead(inThread.sqlite, "eventFacets", query));
  assert.equal(page.events.length, 20);
  assert.ok(page.events.every((e) => e.status === "error"));
});

test("a failing read rejects with SQLite's error and the next read still answers", async (t) => {
  const file = path.join(tempDir(t), "db", "telegram-logger.db");
  seededDatabase(file, 10);
  const reads = new ReadWorker(file);
  t.after(() => reads.close());
  const broken = {
    ...parseEventQuery(new URLSearchParams(""), NOW),
    limit: "not a number" as unknown as number,
  };
  await assert.rejects(reads.run("eventPage", broken), /datatype mismatch|SQLITE/i);
  const page = await reads.run("eventPage", parseEventQuery(new URLSearchParams(""), NOW));
  assert.equal(page.events.length, 10);
});

test("a worker that cannot open the database fails its reads, and a later read starts a new one", async (t) => {
  const file = path.join(tempDir(t), "db", "telegram-logger.db");
  const reads = new ReadWorker(file);
  t.after(() => reads.close());
  const query = parseEventQuery(new URLSearchParams(""), NOW);
  await assert.rejects(reads.run("eventPage", query));
  seededDatabase(file, 3);
  const page = await reads.run("eventPage", query);
  assert.equal(page.events.length, 3);
});

test("closed reads refuse", async (t) => {
  const file = path.join(tempDir(t), "db", "telegram-logger.db");
  seededDatabase(file, 1);
  const reads = new ReadWorker(file);
  await reads.run("eventPage", parseEventQuery(new URLSearchParams(""), NOW));
  await reads.close();
  await assert.rejects(reads.run("eventPage", parseEventQuery(new URLSearchParams(""), NOW)), /closed/);
});
