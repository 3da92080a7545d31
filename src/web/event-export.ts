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

/** Rows per chunk: large enough that a worker round trip is cheap per row, small enough to stay flat. */
export const EXPORT_CHUNK_ROWS = 2_000;

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
  rows: number;
}

/** One chunk: its lines as text, and where the next starts (null after the last row). */
export interface ExportChunk {
  text: string;
  count: number;
  next: ExportPosition | null;
}

/** The rows of `input.query` after `input.after`, in its order (`sort`), formatted. */
export function eventExportChunk(sqlite: Database.Database, input: ExportChunkInput): ExportChunk {
  const { query, after, rows } = input;
  const { sql, params } = selectEvents(sqlite, query, {
    columns: EVENT_COLUMNS.join(", "),
    ascending: query.sort === "oldest",
    after,
    limit: rows,
  });
  const records = sqlite.prepare(sql).all(...params) as EventRecord[];
  const line = input.format === "csv" ? csvLine : jsonLine;
  let text = "";
  for (const r of records) text += line(r);
  const last = records.at(-1);
  return {
    text,
    count: records.length,
    next:
      records.length < rows || last === undefined
        ? null
        : { occurredAt: Number(last.occurred_at), id: Number(last.id) },
  };
}
