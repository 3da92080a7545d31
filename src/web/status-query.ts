/**
 * What the status page reads from the database itself (the rest comes from the service's health):
 * the outbox by status, the watched roots as the `watch_roots` table keeps them, and the newest
 * event. Each is one indexed lookup or a small table, so the page stays cheap on a large trail.
 */
import type Database from "better-sqlite3";

/** A watched root as `watch_roots` records it. */
export interface WatchRootRow {
  root: string;
  baseline_at: number | null;
  last_scan_at: number | null;
  /** `online` or `offline`. */
  status: string;
  mount_point: number;
  updated_at: number;
}

/** The database's side of the service's state. */
export interface StatusFacts {
  /** Outbox posts by status (`pending`, `sent`, `failed`, `folded`). */
  outbox: Record<string, number>;
  /** When the oldest pending post was queued; null when none waits. */
  oldestPendingAt: number | null;
  roots: WatchRootRow[];
  /** The newest event recorded, by when it occurred. */
  newestEvent: { id: number; occurred_at: number; source: string; type: string } | null;
  /** Rows in the events table, as SQLite's largest row id (no count over millions of rows). */
  lastEventId: number;
}

/** Every watched root the database knows, by path. */
export function watchRoots(sqlite: Database.Database): WatchRootRow[] {
  return sqlite
    .prepare(
      "SELECT root, baseline_at, last_scan_at, status, mount_point, updated_at FROM watch_roots ORDER BY root",
    )
    .all() as WatchRootRow[];
}

/** The facts above, read in one snapshot. */
export function statusFacts(sqlite: Database.Database, _input: Record<string, never>): StatusFacts {
  return sqlite
    .transaction((): StatusFacts => {
      const outbox: Record<string, number> = { pending: 0, sent: 0, failed: 0, folded: 0 };
      for (const r of sqlite.prepare("SELECT status, count(*) AS n FROM outbox GROUP BY status").all() as {
        status: string;
        n: number;
      }[])
        outbox[r.status] = r.n;
      const oldest = sqlite
        .prepare("SELECT min(created_at) AS at FROM outbox WHERE status = 'pending'")
        .get() as { at: number | null };
      const newest = sqlite
        .prepare(
          "SELECT id, occurred_at, source, type FROM events ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )
        .get() as StatusFacts["newestEvent"] | undefined;
      const last = sqlite.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null };
      return {
        outbox,
        oldestPendingAt: oldest.at,
        roots: watchRoots(sqlite),
        newestEvent: newest ?? null,
        lastEventId: last.id ?? 0,
      };
    })
    .deferred();
}
