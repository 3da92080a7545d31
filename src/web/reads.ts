/**
 * Every read the UI makes, by name. Pages and API routes never touch SQLite themselves: they ask
 * `Reads.run(name, input)`, and the read runs on a worker thread with its own read-only
 * connection (`read-worker.ts`). A facet count or a search over millions of rows takes tens to
 * hundreds of milliseconds; on the service's thread that would stall ingest and /health.
 *
 * A read is a plain function `(sqlite, input) => result` whose input and result survive
 * structured cloning (no functions, no class instances). To add one, add it to `READS`.
 */
import type Database from "better-sqlite3";
import { changeFeed } from "./changes-query.ts";
import { chatList } from "./chat-list-query.ts";
import { eventDetail } from "./event-detail-query.ts";
import { eventExportChunk } from "./event-export.ts";
import { eventHistogram } from "./event-histogram.ts";
import { eventFacets, eventPage } from "./event-query.ts";
import { fileHistory, filesOverview } from "./files-query.ts";
import { mediaFile } from "./media-query.ts";
import { reportFigures } from "./report-query.ts";
import { search } from "./search-query.ts";
import { statusFacts } from "./status-query.ts";
import { chatTranscript } from "./transcript-query.ts";

/** The table of reads the worker can run. */
export const READS = {
  eventPage,
  eventFacets,
  eventHistogram,
  eventExportChunk,
  eventDetail,
  statusFacts,
  reportFigures,
  filesOverview,
  fileHistory,
  chatList,
  chatTranscript,
  mediaFile,
  changeFeed,
  search,
} satisfies Record<string, (sqlite: Database.Database, input: never) => unknown>;

export type ReadName = keyof typeof READS;
export type ReadInput<N extends ReadName> = Parameters<(typeof READS)[N]>[1];
export type ReadResult<N extends ReadName> = ReturnType<(typeof READS)[N]>;

/** Runs the UI's reads off the service's thread. */
export interface Reads {
  run<N extends ReadName>(name: N, input: ReadInput<N>): Promise<ReadResult<N>>;
  close(): Promise<void>;
}

/** Runs read `name` on `sqlite` in this thread (the worker's side, and tools such as benchmarks). */
export function runRead<N extends ReadName>(
  sqlite: Database.Database,
  name: N,
  input: ReadInput<N>,
): ReadResult<N> {
  const read = READS[name] as (sqlite: Database.Database, input: ReadInput<N>) => ReadResult<N>;
  return read(sqlite, input);
}
