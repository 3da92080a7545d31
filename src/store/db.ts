/**
 * Opens the SQLite database, applies the committed migrations and sets the pragmas the service
 * relies on: WAL (readers never block the single writer), a busy timeout (a second process such as
 * `scan` waits instead of failing), foreign keys on. The file and its WAL companions are
 * mode 0600 inside a 0700 directory: they hold every message the account has seen.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle, migrate } from "./orm.ts";
import * as schema from "./schema.ts";

/** The drizzle handle with our schema (and, as drizzle gives it, the better-sqlite3 handle under it). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** An open database: drizzle for queries, the raw handle for pragmas and hot prepared statements. */
export interface Store {
  readonly db: Db;
  readonly sqlite: Database.Database;
  readonly file: string;
  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE); nested calls become savepoints. */
  transaction<T>(fn: () => T): T;
  /** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
  setBusyTimeout(ms: number): void;
  close(): void;
}

const MIGRATIONS = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Creates `dir` (and parents) with mode 0700, and tightens it if it already exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function tightenFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** How often the WAL is copied back into the database, outside any commit. */
const CHECKPOINT_INTERVAL_MS = 2000;
/**
 * SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, fsync
 * included, so that one commit (say, a deletion) takes milliseconds. It is kept only as a safety
 * net (50,000 pages ≈ 200 MB of WAL); a timer checkpoints (PASSIVE, never waiting on readers)
 * between commits instead.
 */
const SAFETY_NET_CHECKPOINT_PAGES = 50_000;

/**
 * How long a statement waits on another process's write lock, for the `scan` command and
 * while the service starts: they have nothing better to do than wait.
 */
export const WAITING_BUSY_TIMEOUT_MS = 5_000;
/**
 * The same wait once the service runs. SQLite waits synchronously, so the whole event loop — and
 * with it /health — waits too. Every part that writes while running waits out a lock with a pause
 * and tries again (see `untilStored`), so a short timeout loses nothing and keeps probes answering.
 */
export const RUNNING_BUSY_TIMEOUT_MS = 100;

/** Opens (creating if needed) and migrates the database at `file`. */
export function openStore(file: string): Store {
  ensurePrivateDir(path.dirname(file));
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
  closeSync(openSync(file, "a", 0o600));
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma(`busy_timeout = ${WAITING_BUSY_TIMEOUT_MS}`);
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  tightenFiles(file);
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_CHECKPOINT_PAGES}`);
  const checkpoints = setInterval(() => {
    try {
      sqlite.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // Busy: the next tick tries again.
    }
  }, CHECKPOINT_INTERVAL_MS);
  checkpoints.unref();
  // One wrapper, built once: better-sqlite3 builds a new one per `sqlite.transaction()` call.
  const inTransaction = sqlite.transaction(<T>(fn: () => T): T => fn());
  return {
    db,
    sqlite,
    file,
    transaction: <T>(fn: () => T): T => inTransaction.immediate(fn) as T,
    setBusyTimeout: (ms) => {
      sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
    },
    close: () => {
      clearInterval(checkpoints);
      if (sqlite.open) {
        sqlite.pragma("wal_checkpoint(TRUNCATE)");
        sqlite.close();
      }
    },
  };
}
