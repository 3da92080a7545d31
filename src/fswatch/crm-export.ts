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
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { WatchConfigError } from "./watch-config.ts";

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
 * `file`, created when missing. Throws `WatchConfigError` (field `database.path`) when `file` is
 * not an SQLite database or its `file_events` table lacks the CRM's columns.
 */
export class CrmExport {
  readonly file: string;
  readonly #source: Database.Database;
  readonly #busyTimeoutMs: number;
  #target!: Database.Database;
  #ino = 0;
  #copyBatch!: (to: number) => number;

  constructor(source: Database.Database, file: string, busyTimeoutMs: number) {
    this.file = file;
    this.#source = source;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#open();
  }

  #open(): void {
    const target = new Database(this.file);
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
      if (err instanceof WatchConfigError) throw err;
      throw new WatchConfigError(
        "database.path",
        `${this.file} cannot be used as the CRM database: ${(err as Error).message}`,
      );
    }
    this.#target = target;
    this.#ino = statSync(this.file).ino;
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
    this.#copyBatch = target.transaction((to: number) => {
      const from = (watermark.get() as number | undefined) ?? 0;
      if (from >= to) return to;
      const rows = select.all(from, to, BATCH_ROWS);
      for (const row of rows) insert.run(row);
      // A full batch ends at its last row; a shorter one has seen everything up to `to`.
      const upTo = rows.length === BATCH_ROWS ? rows[rows.length - 1]!.id : to;
      mark.run(upTo);
      return upTo;
    }).immediate;
  }

  /** The id of the last event the export file has looked at (0 for a new file). */
  exportedUpTo(): number {
    const row = this.#target.prepare("SELECT last_event_id FROM telegram_logger_export WHERE id = 1").get() as
      | { last_event_id: number }
      | undefined;
    return row?.last_event_id ?? 0;
  }

  /**
   * Copies one batch of file changes recorded since the last one; returns false once the export
   * file is up to date. Storage errors (a lock held by the CRM, a full disk) are thrown and leave
   * the export file as it was.
   */
  copyBatch(): boolean {
    this.#reopenIfReplaced();
    const last =
      (this.#source.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null }).id ?? 0;
    if (last <= this.exportedUpTo()) return false;
    return this.#copyBatch(last) < last;
  }

  #reopenIfReplaced(): void {
    let ino: number | null;
    try {
      ino = statSync(this.file).ino;
    } catch {
      ino = null;
    }
    if (ino === this.#ino) return;
    this.#target.close();
    this.#open();
  }

  /** Closes the export file. */
  close(): void {
    if (this.#target.open) this.#target.close();
  }
}
