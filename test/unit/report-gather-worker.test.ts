/**
 * The report gathered in a worker thread (src/report/gather-worker.ts), on a real database: the
 * same figures as on the calling thread, and the database's problems passed back as errors.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { gatherReport } from "../../src/report/gather.ts";
import { gatherInWorker } from "../../src/report/gather-worker.ts";
import { previousPeriod, reportPeriod } from "../../src/report/period.ts";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { openStore } from "../../src/store/db.ts";
import { EventStore } from "../../src/store/events.ts";
import { openReadOnly } from "../../src/store/read-only.ts";
import { tempDir } from "../support/tmp.ts";

const DAY = { year: 2025, month: 3, day: 11 };
const NOON = Date.UTC(2025, 2, 11, 12);

describe("report gathered in a worker thread", () => {
  it("gives the figures the calling thread would read", async (t) => {
    const dbFile = databaseFileOf(path.join(tempDir(t), "data"));
    const store = openStore(dbFile);
    const events = new EventStore(store.db);
    for (let i = 0; i < 5; i++) {
      events.record(
        {
          source: i % 2 === 0 ? "telegram" : "fs",
          type: i % 2 === 0 ? "message.deleted" : "file.created",
          status: i === 4 ? "error" : "success",
          occurredAt: NOON + i * 60_000,
          project: i % 2 === 0 ? null : "crm",
          error: i === 4 ? "EACCES: permission denied" : null,
        },
        NOON,
      );
    }
    store.close();
    const period = reportPeriod("daily", DAY, true);
    const now = NOON + 24 * 3_600_000;
    const fromWorker = await gatherInWorker({ dbFile, period, utc: true, now, top: 10 });
    const sqlite = openReadOnly(dbFile);
    const here = gatherReport(sqlite, period, previousPeriod(period, true), now, { top: 10 });
    sqlite.close();
    assert.deepEqual(fromWorker, here);
    assert.equal(fromWorker.events.total, 5);
  });

  it("stopping ends the worker and rejects", async (t) => {
    const dbFile = databaseFileOf(path.join(tempDir(t), "data"));
    openStore(dbFile).close();
    const period = reportPeriod("monthly", DAY, true);
    const stop = new AbortController();
    const gathering = gatherInWorker({ dbFile, period, utc: true, now: NOON, top: 10 }, stop.signal);
    stop.abort();
    await assert.rejects(gathering, /stopped|exit/);
    stop.abort();
    await assert.rejects(
      gatherInWorker({ dbFile, period, utc: true, now: NOON, top: 10 }, stop.signal),
      /stopped/,
    );
  });

  it("a missing database is an error with its SQLite code", async (t) => {
    const dbFile = databaseFileOf(path.join(tempDir(t), "nothing-here"));
    const period = reportPeriod("daily", DAY, true);
    await assert.rejects(
      gatherInWorker({ dbFile, period, utc: true, now: NOON, top: 10 }),
      (err: unknown) => (err as { code?: string }).code === "SQLITE_CANTOPEN",
    );
  });
});
