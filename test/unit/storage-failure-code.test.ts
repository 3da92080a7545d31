/**
 * `storageFailureCode`, the one place that says which storage failures are retried and under which
 * code `storage_failures_total` counts them: real SQLite errors, extended codes folded into their
 * primary code, and everything else refused.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { it } from "node:test";
import Database from "better-sqlite3";
import {
  isTransientStorageError,
  storageFailureCode,
  TRANSIENT_STORAGE_CODES,
} from "../../src/store/transient-errors.ts";
import { tempDir } from "../support/tmp.ts";

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail("nothing was thrown");
}

it("names real SQLite storage failures by their primary code, and not a constraint", (t) => {
  const file = path.join(tempDir(t), "x.sqlite");
  const writer = new Database(file);
  t.after(() => writer.close());
  writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  writer.exec("INSERT INTO t VALUES (1)");
  const readonly = new Database(file, { readonly: true });
  t.after(() => readonly.close());

  const refused = thrown(() => readonly.exec("INSERT INTO t VALUES (2)"));
  assert.equal(storageFailureCode(refused), "SQLITE_READONLY");
  assert.equal(isTransientStorageError(refused), true);

  const duplicate = thrown(() => writer.exec("INSERT INTO t VALUES (1)"));
  assert.match((duplicate as { code: string }).code, /^SQLITE_CONSTRAINT/);
  assert.equal(storageFailureCode(duplicate), null);
  assert.equal(isTransientStorageError(duplicate), false);
});

it("folds extended codes into their primary one, and refuses look-alikes and non-errors", () => {
  assert.equal(storageFailureCode({ code: "SQLITE_IOERR_WRITE" }), "SQLITE_IOERR");
  assert.equal(storageFailureCode({ code: "SQLITE_BUSY_SNAPSHOT" }), "SQLITE_BUSY");
  assert.equal(storageFailureCode({ code: "SQLITE_FULL" }), "SQLITE_FULL");
  for (const code of TRANSIENT_STORAGE_CODES) assert.equal(storageFailureCode({ code }), code);
  for (const err of [{ code: "SQLITE_BUSYNESS" }, { code: "ENOSPC" }, new Error("x"), null, "SQLITE_FULL"])
    assert.equal(storageFailureCode(err), null, JSON.stringify(err));
});
