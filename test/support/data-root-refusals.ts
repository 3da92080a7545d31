/**
 * The refusals every read-only command shares (`export`, `report`): a DATA_ROOT with no database
 * is status 66 and creates nothing; one whose database file is not SQLite is status 65.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import type { CommandResult } from "./service.ts";

/** Runs the command under test with `env` in `cwd` and checks both refusals. */
export function assertDataRootRefusals(
  cwd: string,
  run: (env: Record<string, string>) => CommandResult,
): void {
  const noDb = run({ DATA_ROOT: path.join(cwd, "elsewhere") });
  assert.equal(noDb.status, 66);
  assert.match(noDb.stderr, /no database at .*elsewhere.*check DATA_ROOT/);
  assert.equal(existsSync(path.join(cwd, "elsewhere")), false, "nothing is created");

  const junk = path.join(cwd, "junk");
  mkdirSync(path.join(junk, "db"), { recursive: true });
  writeFileSync(databaseFileOf(junk), "this is not SQLite, just text long enough to have a header");
  const notDb = run({ DATA_ROOT: junk });
  assert.equal(notDb.status, 65, notDb.stderr);
  assert.match(notDb.stderr, /is not a telegram-logger database/);
}
