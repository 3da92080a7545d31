/**
 * The housekeeping step that posts reports (src/housekeeping/report-posts.ts) on a real database,
 * feed and worker: a report that cannot be made holds back neither the other kinds nor the next
 * try.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { OutboxFeed } from "../../src/feed/outbox-feed.ts";
import { postedKey, reportPostsTask } from "../../src/housekeeping/report-posts.ts";
import type { TaskContext } from "../../src/housekeeping/task.ts";
import { silentLogger } from "../../src/log.ts";
import { attachmentOf } from "../../src/model/post.ts";
import { type GatherJob, gatherInWorker } from "../../src/report/gather-worker.ts";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { openStore } from "../../src/store/db.ts";
import { KeyValueStore } from "../../src/store/kv.ts";
import { OutboxStore } from "../../src/store/outbox.ts";
import { tempDir } from "../support/tmp.ts";

/** Wednesday 2025-03-12, 10:00 UTC. */
const NOW = Date.UTC(2025, 2, 12, 10);

function context(now: number): TaskContext {
  return {
    now,
    signal: new AbortController().signal,
    yieldToLoop: async () => {},
    stored: async (_what, step) => step(),
    log: silentLogger(),
  };
}

describe("posting reports", () => {
  it("a report that fails is tried again at the next run, and the other kinds go out meanwhile", async (t) => {
    const dbFile = databaseFileOf(path.join(tempDir(t), "data"));
    const store = openStore(dbFile);
    t.after(() => store.close());
    const feed = new OutboxFeed(new OutboxStore(store.db), () => NOW);
    const kv = new KeyValueStore(store.db);
    let failDaily = true;
    const gather = (job: GatherJob, signal: AbortSignal) => {
      if (job.period.kind === "daily" && failDaily) return Promise.reject(new Error("disk I/O error"));
      return gatherInWorker(job, signal);
    };
    const task = reportPostsTask({ kinds: ["daily", "weekly"], dbFile, store, feed, kv, gather, utc: true });
    const queued = () =>
      store.sqlite
        .prepare("SELECT kind, attachment FROM outbox ORDER BY id")
        .all()
        .map((r) => (attachmentOf(r as { attachment: string | null }) as { name: string }).name);

    assert.deepEqual(await task.run(context(NOW)), { reports: 1, reports_failed: 1 });
    assert.deepEqual(queued(), ["telegram-logger-weekly-2025-03-03.txt"]);
    assert.equal(kv.get(postedKey("daily")), undefined, "the failed one is not recorded as posted");

    failDaily = false;
    assert.deepEqual(await task.run(context(NOW + 60_000)), { reports: 1, reports_failed: 0 });
    assert.deepEqual(queued(), [
      "telegram-logger-weekly-2025-03-03.txt",
      "telegram-logger-daily-2025-03-11.txt",
    ]);
    assert.deepEqual(await task.run(context(NOW + 120_000)), { reports: 0, reports_failed: 0 });
  });
});
