/**
 * The watch limit, for real: the service runs in a user namespace whose inotify watch limit is
 * lowered (Linux keeps that limit per user namespace), so the watcher meets ENOSPC as it would on a
 * machine out of watches. The folder must fall back to scheduled scans, say so, and keep recording.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { tempDir } from "../support/tmp.ts";
import { spawnFileAuditService, waitFor, writeWatchConfig } from "./support.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const WATCH_LIMIT = 8;

/** Whether this machine lets us make a user namespace with its own inotify limit. */
function canLowerWatchLimit(): boolean {
  const r = spawnSync(
    "unshare",
    ["-Ur", "sh", "-c", `echo ${WATCH_LIMIT} > /proc/sys/user/max_inotify_watches`],
    {
      encoding: "utf8",
    },
  );
  return r.status === 0;
}

describe("file-watch limit reached", () => {
  for (const watcher of ["chokidar", "fs-watch"] as const)
    it(`falls back to scheduled scans with a warning event, and still records changes (${watcher})`, (t) => {
      if (!canLowerWatchLimit()) {
        t.skip("cannot create a user namespace with its own inotify limit here (unshare -Ur)");
        return;
      }
      return (async () => {
        const dir = tempDir(t);
        const docs = path.join(dir, "docs");
        for (let i = 0; i < 40; i++) mkdirSync(path.join(docs, `d${i}`), { recursive: true });
        writeWatchConfig(path.join(dir, "watch.json"), {
          settle_ms: 100,
          watcher,
          directories: [{ path: "docs", poll_interval: 1 }],
        });
        const script = `echo ${WATCH_LIMIT} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`;
        const svc = spawnFileAuditService(t, dir, "unshare", [
          "-Ur",
          "sh",
          "-c",
          script,
          process.execPath,
          MAIN,
          "run",
        ]);
        const dbFile = path.join(dir, "data", "db", "telegram-logger.sqlite");
        await waitFor(() => svc.output().includes('"msg":"reconciled"'), {
          what: "the baseline scan",
          timeoutMs: 30_000,
        });
        const db = new Database(dbFile, { readonly: true });
        t.after(() => db.close());
        const fallback = () =>
          db.prepare("SELECT status, details FROM events WHERE type = 'watch.fallback'").all() as Array<{
            status: string;
            details: string;
          }>;
        await waitFor(() => fallback().length > 0, {
          what: "the watch.fallback event",
          timeoutMs: 30_000,
        }).catch((err: Error) => {
          throw new Error(`${err.message}; the service said:\n${svc.output()}`);
        });
        assert.equal(fallback()[0]!.status, "warning");
        assert.match(fallback()[0]!.details, /scheduled scans/);
        writeFileSync(path.join(docs, "d3", "new.txt"), "found by a scheduled scan");
        const created = () => db.prepare("SELECT path FROM file_events WHERE event_type = 'created'").all();
        await waitFor(() => created().length === 1, { what: "the created row", timeoutMs: 30_000 }).catch(
          (err: Error) => {
            throw new Error(`${err.message}; the service said:\n${svc.output()}`);
          },
        );
        assert.deepEqual(created(), [{ path: path.join(docs, "d3", "new.txt") }]);
        // Falling back gives the watches back: the watcher is closed, not left walking the tree.
        const watcherErrors = svc
          .output()
          .split("\n")
          .filter((l) => l.includes('"msg":"watcher error"'));
        assert.ok(
          watcherErrors.length < 5,
          `${watcherErrors.length} watcher errors:\n${watcherErrors.join("\n")}`,
        );
        const exited = new Promise<number | null>((r) => svc.child.once("exit", (code) => r(code)));
        svc.child.kill("SIGTERM");
        assert.equal(await exited, 0);
      })();
    });
});
