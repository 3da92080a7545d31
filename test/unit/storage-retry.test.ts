/**
 * A storage step under a real lock held by another connection: retried with a growing pause until
 * it is stored, loud only once the lock has lasted, and given one last try when the service stops.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { openStore, type Store } from "../../src/store/db.ts";
import { KeyValueStore } from "../../src/store/kv.ts";
import { storageRetryPolicy, untilStored } from "../../src/store/storage-retry.ts";
import { LOCK_GRACE_MS, LOCK_RETRY_CEILING_MS } from "../../src/store/transient-errors.ts";
import { recordingLogger } from "../support/log-lines.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lockedStore(): { store: Store; other: Database.Database } {
  const dir = mkdtempSync(path.join(tmpdir(), "tl-retry-"));
  dirs.push(dir);
  const store = openStore(path.join(dir, "db", "logger.sqlite"));
  store.setBusyTimeout(10);
  const other = new Database(store.file);
  other.exec("BEGIN IMMEDIATE");
  return { store, other };
}

describe("storage retry", () => {
  it("waits out another connection's lock and stores the step once", async () => {
    const { store, other } = lockedStore();
    const kv = new KeyValueStore(store.db);
    const { logger: log, lines } = recordingLogger();
    const pauses: number[] = [];
    const clock = {
      sleep: async (ms: number) => {
        pauses.push(ms);
        if (pauses.length === 2) other.exec("COMMIT");
      },
    };
    let tries = 0;
    await untilStored(
      "writing a value",
      () => {
        tries++;
        kv.set("k", "v", 1);
      },
      { clock, signal: new AbortController().signal, log },
    );
    assert.equal(kv.get("k"), "v");
    assert.equal(tries, 3);
    assert.deepEqual(pauses, [1000, 2000]);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [40, "writing a value: storage failed; retrying"],
        [40, "writing a value: storage failed; retrying"],
      ],
    );
    other.close();
    store.close();
  });

  it("after stop, tries once more and then throws the storage error", async () => {
    const { store, other } = lockedStore();
    const kv = new KeyValueStore(store.db);
    const { logger: log } = recordingLogger();
    const stop = new AbortController();
    let tries = 0;
    const clock = { sleep: async () => stop.abort() };
    await assert.rejects(
      untilStored(
        "writing a value",
        () => {
          tries++;
          kv.set("k", "v", 1);
        },
        { clock, signal: stop.signal, log },
      ),
      (err: { code?: string }) => err.code === "SQLITE_BUSY",
    );
    assert.equal(tries, 2);
    other.exec("ROLLBACK");
    assert.equal(kv.get("k"), undefined);
    other.close();
    store.close();
  });

  it("throws an error of the step's own at once", async () => {
    const { logger: log } = recordingLogger();
    let tries = 0;
    await assert.rejects(
      untilStored(
        "parsing",
        () => {
          tries++;
          throw new Error("malformed");
        },
        { clock: { sleep: async () => {} }, signal: new AbortController().signal, log },
      ),
      /malformed/,
    );
    assert.equal(tries, 1);
  });

  it("a lock is a warning for its first seconds, then an error; a full disk is an error at once", () => {
    /** The level of a failure `err` after failures since `0` ms, the last one at `ms`. */
    const levelAt = (err: unknown, ms: number) => {
      const p = storageRetryPolicy();
      p.failed(err, 0);
      return p.failed(err, ms).level;
    };
    const busy = { code: "SQLITE_BUSY" };
    assert.equal(LOCK_GRACE_MS, 5000);
    assert.deepEqual(
      [0, 4999, 5000, 60_000].map((ms) => levelAt(busy, ms)),
      ["warn", "warn", "error", "error"],
    );
    assert.equal(levelAt({ code: "SQLITE_LOCKED_SHAREDCACHE" }, 0), "warn");
    assert.equal(levelAt({ code: "SQLITE_FULL" }, 0), "error");
    assert.equal(levelAt({ code: "SQLITE_IOERR_WRITE" }, 0), "error");
    assert.equal(levelAt(new Error("other"), 0), "error");
  });

  it("a lock is retried at least every few seconds; a full disk waits the full growing pause", () => {
    const waits = (err: unknown) => {
      const p = storageRetryPolicy();
      return [1, 2, 3, 4, 5, 6].map(() => p.failed(err).retryInMs);
    };
    assert.deepEqual(waits({ code: "SQLITE_BUSY" }), [1000, 2000, LOCK_RETRY_CEILING_MS, 4000, 4000, 4000]);
    assert.deepEqual(waits({ code: "SQLITE_FULL" }), [1000, 2000, 4000, 8000, 16_000, 30_000]);
  });
});
