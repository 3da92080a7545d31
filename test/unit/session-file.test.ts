import assert from "node:assert/strict";
import { statSync } from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { readSession, writeSession } from "../../src/telegram/session-file.ts";
import { tempDir } from "../support/tmp.ts";

it("saves the session 0600 in a 0700 folder and reads it back", async (t) => {
  const file = path.join(tempDir(t), "db", "telegram.session");
  assert.equal(await readSession(file), null);
  await writeSession(file, "1BVtsOK-secret");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.equal(await readSession(file), "1BVtsOK-secret");
  await writeSession(file, "replaced");
  assert.equal(await readSession(file), "replaced");
});
