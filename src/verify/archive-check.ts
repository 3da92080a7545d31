/**
 * The events archive (`archive/events-YYYYMMDD.jsonl.gz`): every file must decompress to the end
 * (each archiving run appends a gzip member) and every line must be a row with its id. The archive
 * is the last copy of expired events, so a damaged file is damage; one that cannot be read is
 * unchecked; one removed meanwhile (archive retention) is skipped.
 */
import { createReadStream, readdirSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { AreaResult, Finding } from "./findings.ts";

const ARCHIVE_FILE = /^events-\d{8}\.jsonl\.gz$/;

function isRow(line: string): boolean {
  try {
    const row = JSON.parse(line) as unknown;
    return typeof row === "object" && row !== null && typeof (row as { id?: unknown }).id === "number";
  } catch {
    return false;
  }
}

/** Counts the rows of decompressed text, line by line, remembering the first line that is not a row. */
class RowCounter {
  rows = 0;
  badLine: number | null = null;
  #partial = "";

  async consume(source: AsyncIterable<Buffer>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of source) this.#lines(decoder.decode(chunk, { stream: true }));
    this.#lines(`${decoder.decode()}\n`);
  }

  #lines(text: string): void {
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop()!;
    for (const line of parts) {
      if (line === "") continue;
      this.rows++;
      if (this.badLine === null && !isRow(line)) this.badLine = this.rows;
    }
  }
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? "";

/** Checks every archive file in `dir` (none is fine: nothing has expired yet). */
export async function checkArchive(dir: string): Promise<AreaResult> {
  const findings: Finding[] = [];
  const add = (severity: Finding["severity"], subject: string, problem: string) =>
    findings.push({ area: "archive", severity, subject, problem });
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((n) => ARCHIVE_FILE.test(n))
      .sort();
  } catch (err) {
    if (errno(err) !== "ENOENT")
      add("unchecked", dir, `cannot list it (${errno(err) || (err as Error).message})`);
  }
  let rows = 0;
  for (const name of names) {
    const counter = new RowCounter();
    try {
      await pipeline(createReadStream(path.join(dir, name)), createGunzip(), (source) =>
        counter.consume(source),
      );
      rows += counter.rows;
      if (counter.badLine !== null) add("damaged", name, `line ${counter.badLine} is not an event row`);
    } catch (err) {
      const code = errno(err);
      if (code === "ENOENT") continue; // removed by archive retention meanwhile
      if (code.startsWith("Z_") || code === "ERR_INVALID_STATE" || !code) {
        add("damaged", name, `does not decompress: ${(err as Error).message}`);
      } else add("unchecked", name, `cannot read it (${code})`);
    }
  }
  return {
    area: "archive",
    checked: rows,
    how: `${names.length} file${names.length === 1 ? "" : "s"}`,
    findings,
  };
}
