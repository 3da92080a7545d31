/** The ingest queue keeps a batch that failed for a retryable reason, in order, and gives up only at close. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../src/log.ts";
import { isTransientStorageError } from "../../src/store/transient-errors.ts";
import { IngestQueue } from "../../src/telegram/ingest-queue.ts";

const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });

describe("ingest queue", () => {
  it("a batch that fails with a locked database is handed over again, before later items", async () => {
    const handled: number[] = [];
    let failures = 1;
    const queue = new IngestQueue<number>(
      (batch) => {
        if (failures-- > 0) throw busy;
        handled.push(...batch);
      },
      silentLogger(),
      { maxWeight: 2, retryable: isTransientStorageError },
    );
    for (const n of [1, 2, 3, 4, 5]) queue.push(n);
    await queue.idle();
    assert.deepEqual(handled, [1, 2, 3, 4, 5]);
    assert.equal(await queue.close(), 0);
  });

  it("a failure that is not the storage's skips the batch and goes on", async () => {
    const handled: number[] = [];
    const queue = new IngestQueue<number>(
      (batch) => {
        if (batch.includes(1)) throw new Error("a bug");
        handled.push(...batch);
      },
      silentLogger(),
      { maxWeight: 1, retryable: isTransientStorageError },
    );
    for (const n of [1, 2]) queue.push(n);
    await queue.idle();
    assert.deepEqual(handled, [2]);
  });

  it("at close, storage that keeps failing gives up the batch and everything behind it", async () => {
    const queue = new IngestQueue<number>(
      () => {
        throw busy;
      },
      silentLogger(),
      { maxWeight: 1, retryable: isTransientStorageError },
    );
    for (const n of [1, 2, 3]) queue.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await queue.close(), 3);
    assert.equal(queue.depth, 0);
  });
});

describe("transient storage errors", () => {
  it("locks, full disks and I/O errors are; constraints and plain errors are not", () => {
    for (const code of [
      "SQLITE_BUSY",
      "SQLITE_BUSY_SNAPSHOT",
      "SQLITE_FULL",
      "SQLITE_IOERR_WRITE",
      "SQLITE_LOCKED",
    ])
      assert.ok(isTransientStorageError({ code }), code);
    for (const err of [
      { code: "SQLITE_CONSTRAINT_UNIQUE" },
      { code: "SQLITE_BUSYNESS" },
      new Error("x"),
      null,
    ])
      assert.ok(!isTransientStorageError(err), String((err as { code?: string } | null)?.code));
  });
});
