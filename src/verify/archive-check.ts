/**
 * The events archive (`archive/events-YYYYMMDD.jsonl.gz`): every file must decompress to the end
 * (each archiving run appends a gzip member) and every line must be a row with its id. The archive
 * is the last copy of expired events, so a damaged file is damage.
 */
import { createReadStream, readdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
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

/** Rows of one archive file; throws on a gzip error, names the first line that is not a row. */
async function readArchive(file: string): Promise<{ rows: number; badLine: number | null }> {
  const gunzip = createGunzip();
  const input = createReadStream(file).pipe(gunzip);
  const failed = new Promise<never>((_, reject) => {
    gunzip.on("error", reject);
  });
  failed.catch(() => {});
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let rows = 0;
  let badLine: number | null = null;
  const reading = (async () => {
    for await (const line of lines) {
      if (line === "") continue;
      rows++;
      if (badLine === null && !isRow(line)) badLine = rows;
    }
  })();
  await Promise.race([reading, failed]);
  return { rows, badLine };
}

/** Checks every archive file in `dir` (none is fine: nothing has expired yet). */
export async function checkArchive(dir: string): Promise<AreaResult> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => ARCHIVE_FILE.test(n))
      .sort();
  } catch {
    names = [];
  }
  const findings: Finding[] = [];
  let rows = 0;
  for (const name of names) {
    try {
      const r = await readArchive(path.join(dir, name));
      rows += r.rows;
      if (r.badLine !== null)
        findings.push({
          area: "archive",
          severity: "damaged",
          subject: name,
          problem: `line ${r.badLine} is not an event row`,
        });
    } catch (err) {
      findings.push({
        area: "archive",
        severity: "damaged",
        subject: name,
        problem: `does not decompress: ${(err as Error).message}`,
      });
    }
  }
  return {
    area: "archive",
    checked: rows,
    how: `${names.length} file${names.length === 1 ? "" : "s"}`,
    findings,
  };
}
