/**
 * Cold storage for expired `events`: gzip-compressed JSON lines under `DATA_ROOT/archive/`, one file
 * per UTC day of archiving (`events-YYYYMMDD.jsonl.gz`). Each chunk is appended as its own gzip
 * member (a file of concatenated members is valid gzip: `zcat` and `gunzip` read it whole) and
 * flushed to disk before the rows are deleted, so a crash can at worst archive a chunk twice (each
 * line carries the row's `id`), never lose one. Files are 0600 in a 0700 folder: they hold the
 * audit trail.
 */
import { open } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { ensurePrivateDir } from "../store/db.ts";
import type { ArchivedEvent } from "../store/retention.ts";

const gzipAsync = promisify(gzip);

/** The archive file for rows archived at `now`. */
function archiveFileFor(dir: string, now: number): string {
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, "");
  return path.join(dir, `events-${day}.jsonl.gz`);
}

/** JSON lines for `rows`, one object per row with the table's column names. */
function toJsonLines(rows: readonly ArchivedEvent[]): string {
  let out = "";
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

/** Appends rows to the archive and makes them durable before returning. */
export async function appendToArchive(
  dir: string,
  now: number,
  rows: readonly ArchivedEvent[],
): Promise<string> {
  ensurePrivateDir(dir);
  const file = archiveFileFor(dir, now);
  // Compressed on the thread pool: the event loop stays free.
  const member = await gzipAsync(Buffer.from(toJsonLines(rows), "utf8"));
  const fh = await open(file, "a", 0o600);
  try {
    await fh.write(member);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return file;
}
