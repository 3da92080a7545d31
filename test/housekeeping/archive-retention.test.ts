/**
 * Archive retention on a real folder, through the service's housekeeping: archive files go
 * `ARCHIVE_RETENTION_DAYS` after the day they were written; other files stay.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { expiredArchiveFiles } from "../../src/housekeeping/archive-retention.ts";
import { startFixture } from "../support/app-fixture.ts";

const DAY = 86_400_000;

describe("archive retention", () => {
  it("a day's file goes once the whole day is older than the retention", () => {
    const names = [
      "events-20260101.jsonl.gz",
      "events-20260110.jsonl.gz",
      "notes.txt",
      "events-2026.jsonl.gz",
    ];
    const endOf10th = Date.UTC(2026, 0, 11);
    assert.deepEqual(expiredArchiveFiles(names, 5, endOf10th + 5 * DAY - 1), ["events-20260101.jsonl.gz"]);
    assert.deepEqual(expiredArchiveFiles(names, 5, endOf10th + 5 * DAY), [
      "events-20260101.jsonl.gz",
      "events-20260110.jsonl.gz",
    ]);
    assert.deepEqual(expiredArchiveFiles(names, 0, endOf10th + 1000 * DAY), []);
  });

  it("housekeeping removes expired archive files only, and counts them", async (t) => {
    const f = await startFixture(t, { ARCHIVE_RETENTION_DAYS: "30" });
    const dir = path.join(f.dataRoot, "archive");
    mkdirSync(dir, { recursive: true });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "");
    const now = f.clock.now();
    const old = `events-${day(now - 40 * DAY)}.jsonl.gz`;
    const recent = `events-${day(now - 10 * DAY)}.jsonl.gz`;
    writeFileSync(path.join(dir, old), Buffer.alloc(123));
    writeFileSync(path.join(dir, recent), Buffer.alloc(7));
    writeFileSync(path.join(dir, "README.txt"), "mine");
    const run = await f.app.housekeeper.runNow();
    assert.equal(run.status, "success");
    assert.deepEqual(run.counts.archive, { files: 1, bytes: 123 });
    assert.deepEqual(readdirSync(dir).sort(), ["README.txt", recent]);
  });
});
