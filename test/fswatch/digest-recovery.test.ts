/**
 * Log-chat digests of file changes survive `kill -9`, for real: the service process is killed while
 * a digest waits for its window; the next start posts the changes recorded after the root's
 * watermark. A clean stop posts what is pending and moves the watermark with it, so restarts never
 * post a change twice.
 */
import assert from "node:assert/strict";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { type Service, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor, writeWatchConfig } from "./support.ts";

/** Starts the file-audit-only service in `dir` and waits for its start-up reconcile pass. */
async function start(t: TestContext, dir: string): Promise<Service> {
  const svc = await startService(dir, {
    DATA_ROOT: path.join(dir, "data"),
    WATCH_CONFIG: path.join(dir, "watch.json"),
  });
  t.after(() => svc.child.kill("SIGKILL"));
  await waitFor(() => svc.lines.some((l) => l.includes('"msg":"reconciled"')), {
    what: "the start-up reconcile pass",
    timeoutMs: 30_000,
  });
  return svc;
}

describe("file-audit digests across crashes", () => {
  it("posts a digest lost to kill -9 at the next start, and never twice across clean restarts", async (t) => {
    const dir = tempDir(t);
    const docs = path.join(dir, "docs");
    mkdirSync(path.join(docs, "old"), { recursive: true });
    writeFileSync(path.join(docs, "old", "x.txt"), "x");
    writeWatchConfig(path.join(dir, "watch.json"), {
      settle_ms: 100,
      // A window no test waits for: the digest is still pending when the process is killed.
      directories: [{ path: "docs", project: "docs", notify: "all", digest_window: 3600 }],
    });
    let svc = await start(t, dir);
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    const created = () =>
      (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'file.created'").get() as { n: number }).n;
    const digests = () =>
      (
        db.prepare("SELECT text FROM outbox WHERE kind = 'files.digest' ORDER BY id").all() as Array<{
          text: string;
        }>
      ).map((r) => r.text);

    // One after the other: the digest lists changes in the order they were recorded.
    writeFileSync(path.join(docs, "a.txt"), "a");
    await waitFor(() => created() === 1, { what: "a.txt recorded" });
    writeFileSync(path.join(docs, "b.txt"), "b");
    await waitFor(() => created() === 2, { what: "2 created rows" });
    renameSync(path.join(docs, "old"), path.join(docs, "new"));
    await waitFor(() => db.prepare("SELECT 1 FROM events WHERE type = 'file.renamed'").get(), {
      what: "the folder rename row",
    });
    assert.deepEqual(digests(), [], "the digest waits for its window");
    svc.child.kill("SIGKILL");
    assert.equal((await svc.exited).signal, "SIGKILL");

    svc = await start(t, dir);
    await waitFor(() => digests().length === 1, { what: "the recovered digest" });
    const recovered =
      "docs: 2 created, 1 renamed\n\ncreated  a.txt\ncreated  b.txt\nrenamed  old/ → new/ (folder, 1 file)";
    assert.deepEqual(digests(), [recovered]);

    // A clean stop with nothing pending, then one with a change pending: each change posted once.
    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
    svc = await start(t, dir);
    writeFileSync(path.join(docs, "c.txt"), "c");
    await waitFor(() => created() === 3, { what: "the third created row" });
    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
    assert.equal(digests().length, 2, "the pending digest is posted at stop");
    svc = await start(t, dir);
    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
    assert.deepEqual(digests(), [recovered, "docs: 1 created\n\ncreated  c.txt"]);
  });
});
