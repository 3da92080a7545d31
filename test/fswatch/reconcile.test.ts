/**
 * Reconcile-scan rules that are about what the snapshot may judge (the unreadable-folder rule, run
 * as an unprivileged user, is in permissions.test.ts).
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../support/tmp.ts";
import { startAudit, writeWatchConfig } from "./support.ts";

describe("reconcile scan", () => {
  it("forgets quietly the files a pattern change no longer audits, and compares the rest", async (t) => {
    const base = tempDir(t, "tl-fsw-");
    const docs = path.join(base, "docs");
    mkdirSync(docs);
    writeFileSync(path.join(docs, "a.txt"), "a");
    writeFileSync(path.join(docs, "b.log"), "b");
    writeFileSync(path.join(docs, "c.log"), "c");
    let f = await startAudit(t, { directories: [{ path: docs }] }, base);
    await f.app.idle();
    await f.stop();
    writeWatchConfig(f.configFile, { directories: [{ path: docs, include: ["*.txt"] }] });
    writeFileSync(path.join(docs, "d.txt"), "made while stopped");
    f = await f.restart();
    await f.app.idle();
    assert.deepEqual(f.events("file.deleted"), []);
    assert.deepEqual(
      f.events("file.created").map((e) => path.basename(e.path!)),
      ["d.txt"],
    );
    const rels = f.app.store.sqlite.prepare("SELECT rel FROM file_state ORDER BY rel").pluck().all();
    assert.deepEqual(rels, ["a.txt", "d.txt"]);
  });
});
