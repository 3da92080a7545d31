/**
 * The CRM file-event service's own database (`database.path` in the watch config), kept for CRMs
 * that read it. The unified `events` trail stays the source of truth; this file gets a copy of its
 * file changes (the `file_events` view) in the CRM's table and nothing else, so a CRM that reads it
 * sees no message of the Telegram side and needs no access to the service's private database.
 *
 * The copy is resumable and exactly once: the id of the last event looked at is kept in the export
 * file itself (`telegram_logger_export`), written in the same transaction as the rows. A crash, a
 * lock held by the CRM or a full disk delays rows; it never loses or repeats one. A file that is
 * replaced or removed meanwhile is opened anew and gets every file change the service still keeps.
 */
import { closeSync, fstatSync, openSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { isTransientStorageError } from "../../store/transient-errors.ts";
import { WatchConfigError } from "../config/watch-config.ts";

/** The CRM's columns, in its order (its `id` is left to the export file). */
const CRM_COLUMNS = [
  "event_time",
  "event_type",
  "path",
  "project",
  "username",
  "file_size",
  "checksum",
  "details",
] as const;

/** Rows copied per transaction: large enough to be cheap, small enough not to hold the loop. */
const BATCH_ROWS = 1_000;

const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS file_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_time TEXT NOT NULL,
  event_type TEXT NOT NULL,
  path TEXT NOT NULL,
  project TEXT,
  username TEXT,
  file_size INTEGER,
  checksum TEXT,
  details TEXT
);
CREATE TABLE IF NOT EXISTS telegram_logger_export (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id INTEGER NOT NULL
);`;

interface CrmRow {
  id: number;
  event_time: string;
  event_type: string;
  path: string;
  project: string | null;
  username: string | null;
  file_size: number | null;
  checksum: string | null;
  details: string | null;
}

/**
 * Copies file changes from the service's database (`source`, read only) into the CRM database at
 * `file`, created 0600 when missing (it holds paths and diffs; an existing file keeps its mode).
 * Throws `WatchConfigError` (field `database.path`) when `file` is not an SQLite database or its
 * `file_events` table lacks the CRM's columns. A file locked by the CRM, or on a full disk, is not
 * a wrong setting: it is opened by the next `copyBatch` that finds it usable.
 */
export class CrmExport {
  readonly file: string;
  readonly #source: Database.Database;
  readonly #busyTimeoutMs: number;
  #target: Database.Database | null = null;
  #ino: number | null = null;
  #copyBatch!: (to: number) => number;
  /** The watermark, read without a lock: nothing new means no write transaction on the CRM's file. */
  #copiedUpTo!: () => number;

  constructor(source: Database.Database, file: string, busyTimeoutMs: number) {
    this.file = file;
    this.#source = source;
    this.#busyTimeoutMs = busyTimeoutMs;
    try {
      this.#open();
    } catch (err) {
      if (err instanceof WatchConfigError) throw err;
    }
  }

  /** A problem of the moment (a lock, a full disk): not the setting's fault; tried again later. */
  static #momentary(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    return isTransientStorageError(err) || code === "ENOSPC" || code === "EIO" || code === "EAGAIN";
  }

  #unusable(err: unknown): WatchConfigError {
    return new WatchConfigError(
      "database.path",
      `${this.file} cannot be used as the CRM database: ${(err as Error).message}`,
    );
  }

  #open(): void {
    let target: Database.Database;
    let ino: number;
    try {
      const fd = openSync(this.file, "a", 0o600);
      try {
        ino = fstatSync(fd).ino;
      } finally {
        closeSync(fd);
      }
      target = new Database(this.file);
    } catch (err) {
      throw CrmExport.#momentary(err) ? err : this.#unusable(err);
    }
    try {
      target.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
      target.exec(CREATE_TABLES);
      const have = new Set(
        (target.pragma("table_info(file_events)") as Array<{ name: string }>).map((c) => c.name),
      );
      const missing = CRM_COLUMNS.filter((c) => !have.has(c));
      if (missing.length > 0) {
        throw new WatchConfigError(
          "database.path",
          `${this.file} has a file_events table without the column(s) ${missing.join(", ")}`,
        );
      }
    } catch (err) {
      target.close();
      throw err instanceof WatchConfigError || CrmExport.#momentary(err) ? err : this.#unusable(err);
    }
    const select = this.#source.prepare<[number, number, number], CrmRow>(
      `SELECT id, ${CRM_COLUMNS.join(", ")} FROM file_events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`,
    );
    const insert = target.prepare(
      `INSERT INTO file_events (${CRM_COLUMNS.join(", ")}) VALUES (${CRM_COLUMNS.map((c) => `@${c}`).join(", ")})`,
    );
    const mark = target.prepare(
      "INSERT INTO telegram_logger_export (id, last_event_id) VALUES (1, ?) " +
        "ON CONFLICT (id) DO UPDATE SET last_event_id = excluded.last_event_id",
    );
    const watermark = target.prepare("SELECT last_event_id FROM telegram_logger_export WHERE id = 1").pluck();
    // The watermark is read inside the write transaction, so two writers (the service and a
    // `scan`) never copy the same rows.
    const copyBatch = target.transaction((to: number) => {
      const from = (watermark.get() as number | undefined) ?? 0;
      if (from >= to) return to;
      const rows = select.all(from, to, BATCH_ROWS);
      for (const row of rows) insert.run(row);
      // A full batch ends at its last row; a shorter one has seen everything up to `to`.
      const upTo = rows.length === BATCH_ROWS ? rows[rows.length - 1]!.id : to;
      mark.run(upTo);
      return upTo;
    }).immediate;
    // Only a file fully opened counts as open: a failure above leaves the next call to try again.
    this.#target = target;
    this.#ino = ino;
    this.#copyBatch = copyBatch;
    this.#copiedUpTo = () => (watermark.get() as number | undefined) ?? 0;
  }

  /**
   * Copies one batch of file changes recorded since the last one; returns false once the export
   * file is up to date. Storage errors (a lock held by the CRM, a full disk) are thrown and leave
   * the export file as it was; so is `WatchConfigError` when a replaced file is unusable.
   */
  copyBatch(): boolean {
    const copy = this.#ready();
    const last =
      (this.#source.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null }).id ?? 0;
    if (last <= this.#copiedUpTo()) return false;
    return copy(last) < last;
  }

  /** The open export file's batch copier, (re)opening the file when needed. */
  #ready(): (to: number) => number {
    let ino: number | null;
    try {
      ino = statSync(this.file).ino;
    } catch {
      ino = null; // removed: created again
    }
    if (!this.#target || ino !== this.#ino) {
      this.close();
      this.#open();
    }
    return this.#copyBatch;
  }

  /** Closes the export file. */
  close(): void {
    this.#target?.close();
    this.#target = null;
  }
}
