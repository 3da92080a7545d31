/**
 * A second, read-only connection for health and metrics. Probes must answer within a second even
 * when the database is busy: this connection gives up after a short busy timeout instead of the
 * writer's five seconds, and never takes a write lock, so probing cannot slow ingest down.
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import type { Db } from "./db.ts";
import { drizzle } from "./orm.ts";
import * as schema from "./schema.ts";

/** How long a probe read waits for a lock before reporting the database busy. */
export const READER_BUSY_TIMEOUT_MS = 250;

/** Size and liveness of the database, for health and metrics. */
export interface DatabaseProbe {
  ok: boolean;
  sizeBytes: number;
  walBytes: number;
  error?: string;
}

/** A read-only connection to the store's file. */
export interface StoreReader {
  readonly db: Db;
  readonly sqlite: Database.Database;
  /** File sizes (never blocks) and whether a trivial read succeeds. */
  probe(): DatabaseProbe;
  close(): void;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Opens `file` (which must exist: the writer created and migrated it) read-only. */
export function openReader(file: string): StoreReader {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true, timeout: READER_BUSY_TIMEOUT_MS });
  const db = drizzle(sqlite, { schema });
  const ping = sqlite.prepare("select count(*) as n from sqlite_master");
  return {
    db,
    sqlite,
    probe() {
      const sizes = { sizeBytes: sizeOf(file), walBytes: sizeOf(`${file}-wal`) };
      try {
        ping.get();
        return { ok: true, ...sizes };
      } catch (err) {
        const code = (err as { code?: string }).code;
        return { ok: false, ...sizes, error: code ?? (err as Error).message };
      }
    },
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
