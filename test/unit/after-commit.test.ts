/**
 * `events_total` counts a row only once it is stored: event rows written through a real SQLite
 * store, in and out of transactions and savepoints that commit or roll back, are counted exactly as
 * the `events` table ends up holding them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { AfterCommit } from "../../src/metrics/after-commit.ts";
import { ALERTED_EVENTS, type EventLabels } from "../../src/metrics/counters.ts";
import { openStore } from "../../src/store/db.ts";
import { type EventKind, EventStore, type NewEvent } from "../../src/store/events.ts";
import { tempDir } from "../support/tmp.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** A store whose transactions are counted as the app wires them, and what was counted. */
function counted(t: TestContext) {
  const store = openStore(path.join(tempDir(t), "db", "x.sqlite"));
  t.after(() => store.close());
  const delivered: string[] = [];
  const committed = new AfterCommit<EventKind>((e) => delivered.push(`${e.type}/${e.status}`));
  const transaction = committed.wrap(store.transaction);
  const events = new EventStore(store.db, (e) => committed.note(e));
  const stored = () =>
    (store.sqlite.prepare("SELECT type, status FROM events ORDER BY id").all() as EventKind[]).map(
      (r) => `${r.type}/${r.status}`,
    );
  const record = (type: string, status: NewEvent["status"] = "success") =>
    events.record({ source: "system", type, status, occurredAt: 1 }, 1);
  return { store, transaction, record, delivered, stored };
}

describe("counting event rows once committed", () => {
  it("counts a row written outside a transaction at once", (t) => {
    const c = counted(t);
    c.record("lone");
    assert.deepEqual(c.delivered, ["lone/success"]);
    assert.deepEqual(c.stored(), ["lone/success"]);
  });

  it("counts rows of a transaction when it commits, not before", (t) => {
    const c = counted(t);
    c.transaction(() => {
      c.record("a");
      c.record("b", "error");
      assert.deepEqual(c.delivered, [], "nothing counted inside the transaction");
    });
    assert.deepEqual(c.delivered, ["a/success", "b/error"]);
    assert.deepEqual(c.stored(), c.delivered);
    c.transaction(() => c.record("next"));
    assert.deepEqual(c.delivered, ["a/success", "b/error", "next/success"], "each counted once");
  });

  it("does not count rows of a transaction that rolls back", (t) => {
    const c = counted(t);
    assert.throws(
      () =>
        c.transaction(() => {
          c.record("rolled-back");
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.deepEqual(c.stored(), []);
    assert.deepEqual(c.delivered, []);
    c.transaction(() => c.record("next"));
    assert.deepEqual(c.delivered, ["next/success"], "the rolled-back row is not counted later either");
    assert.deepEqual(c.stored(), c.delivered);
  });

  it("drops a savepoint rolled back inside a transaction that commits, keeps the rest", (t) => {
    const c = counted(t);
    c.transaction(() => {
      c.record("before");
      try {
        c.transaction(() => {
          c.record("in-savepoint");
          throw new Error("this update only");
        });
      } catch {
        c.record("update.failed", "error");
      }
      c.transaction(() => c.record("released-savepoint"));
    });
    assert.deepEqual(c.stored(), ["before/success", "update.failed/error", "released-savepoint/success"]);
    assert.deepEqual(c.delivered, c.stored());
  });

  it("does not count a released savepoint whose transaction then rolls back", (t) => {
    const c = counted(t);
    assert.throws(() =>
      c.transaction(() => {
        c.transaction(() => c.record("released"));
        c.record("outer");
        throw new Error("the batch fails");
      }),
    );
    assert.deepEqual(c.stored(), []);
    assert.deepEqual(c.delivered, []);
  });

  it("does not count rows of a transaction whose COMMIT fails", (t) => {
    const c = counted(t);
    c.store.sqlite.exec(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY); " +
        "CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
    );
    assert.throws(
      () =>
        c.transaction(() => {
          c.record("commit-fails");
          c.store.sqlite.exec("INSERT INTO child VALUES (99)"); // checked only at COMMIT
        }),
      /FOREIGN KEY/,
    );
    assert.equal(c.store.sqlite.inTransaction, false);
    assert.deepEqual(c.stored(), []);
    assert.deepEqual(c.delivered, []);
    c.record("after");
    assert.deepEqual(c.delivered, ["after/success"]);
  });
});

/** `source/type/status`: one way to name an event kind. */
const key = (e: EventLabels) => `${e.source}/${e.type}/${e.status}`;

/**
 * The (source, type, status) of every `events` row the code in `dir` writes with literal values:
 * `record({ source: "S", type: "T", status: "X" | status })`, a `status` variable taking the
 * literals its `const status = ...` names, and the file audit's `note(ctx, "T", "X", ...)`, which
 * the recorder writes with source `fs`.
 */
function writtenEvents(dir: string): Set<string> {
  const found = new Set<string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".ts") || f.startsWith(`metrics${path.sep}`)) continue;
    const code = readFileSync(path.join(dir, f), "utf8");
    const literal = /\bsource:\s*"(\w+)",\s*type:\s*"([\w.]+)",\s*status(?::\s*"(\w+)")?\s*[,}]/g;
    for (const [, source, type, status] of code.matchAll(literal)) {
      const statuses = status
        ? [status]
        : [...(/\bconst status\s*=([^;]+);/.exec(code)?.[1] ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]!);
      for (const st of statuses) found.add(`${source}/${type}/${st}`);
    }
    if (!f.startsWith(`fswatch${path.sep}`)) continue;
    for (const [, type, status] of code.matchAll(/[.#]note(?:Once)?\(\s*[^,()]+,\s*"([\w.]+)",\s*"(\w+)"/g))
      found.add(`fs/${type}/${status}`);
  }
  return found;
}

describe("the event series exported at 0 from start", () => {
  it("are kinds the code really writes, source, type and status alike", () => {
    // The file audit's `note` is the recorder's, which writes the source the check above assumes.
    const recorder = readFileSync(path.join(SRC, "fswatch", "recorder.ts"), "utf8");
    const note = recorder.slice(recorder.indexOf("\n  note("));
    assert.match(note.slice(0, note.indexOf("\n  }\n")), /source: "fs",\s*type,\s*status,/);

    const written = writtenEvents(SRC);
    for (const e of ALERTED_EVENTS) assert.ok(written.has(key(e)), `${key(e)} is written somewhere in src/`);
    // The check tells sources and statuses apart, not only types.
    assert.ok(written.has("system/housekeeping.run/success"));
    assert.ok(!written.has("telegram/file.error/error"));
    assert.ok(!written.has("fs/file.error/warning"));
  });
});
