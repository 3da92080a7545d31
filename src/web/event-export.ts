/**
 * The filtered events list as a file, CSV or JSON lines, in the `export` command's formats
 * (src/export/event-rows.ts: the table's columns, formulas defused in CSV, JSON lines as the
 * archive writes them). An export is read in chunks, each a keyset read after the last row of the
 * one before, and each chunk is formatted on the read worker: the service's thread only passes
 * text on, and memory holds one chunk whatever the number of rows.
 *
 * Rows written while an export runs may appear in it at its end (it is not one snapshot, unlike
 * the command's single SELECT); keyset reads never repeat or skip a row that was there.
 */
import type Database from "better-sqlite3";
import {
  csvLine,
  EVENT_COLUMNS,
  type EventRecord,
  type ExportFormat,
  jsonLine,
} from "../export/event-rows.ts";
import type { EventQuery } from "./event-query.ts";
import { selectEvents } from "./event-select.ts";
import { statement } from "./statements.ts";

/**
 * A chunk ends at this many characters (or `EXPORT_CHUNK_ROWS` rows). Kept under V8's large-object
 * size, so each chunk's text dies young in both threads instead of piling up in the old generation
 * until a full collection: with chunks of 2,000 rows (0.5–1 MB of text) the service's RSS grew by
 * 30–40 MB during an export of 64,000 rows.
 */
export const EXPORT_CHUNK_CHARS = 32 * 1024;
/** Rows per chunk at most. */
export const EXPORT_CHUNK_ROWS = 1_000;

/** Where a chunk starts: after this row in the export's order. */
export interface ExportPosition {
  occurredAt: number;
  id: number;
}

/** What the worker is asked for. */
export interface ExportChunkInput {
  query: EventQuery;
  format: ExportFormat;
  after: ExportPosition | null;
}

/** One chunk: its lines as text, and where the next starts (null after the last row). */
export interface ExportChunk {
  text: string;
  count: number;
  next: ExportPosition | null;
}

/** The rows of `input.query` after `input.after`, in its order (`sort`), formatted. */
export function eventExportChunk(sqlite: Database.Database, input: ExportChunkInput): ExportChunk {
  const { query, after } = input;
  const { sql, params } = selectEvents(sqlite, query, {
    columns: EVENT_COLUMNS.join(", "),
    ascending: query.sort === "oldest",
    after,
    limit: EXPORT_CHUNK_ROWS,
  });
  const rows = statement<(string | number)[], EventRecord>(sqlite, sql).iterate(...params);
  const line = input.format === "csv" ? csvLine : jsonLine;
  let text = "";
  let count = 0;
  let last: EventRecord | undefined;
  try {
    for (const row of rows) {
      text += line(row);
      count++;
      last = row;
      if (text.length >= EXPORT_CHUNK_CHARS) break;
    }
  } finally {
    rows.return?.();
  }
  const full = count === EXPORT_CHUNK_ROWS || text.length >= EXPORT_CHUNK_CHARS;
  return {
    text,
    count,
    next: full && last !== undefined ? { occurredAt: Number(last.occurred_at), id: Number(last.id) } : null,
  };
}
