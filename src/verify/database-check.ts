/**
 * The database's own consistency: SQLite's `quick_check` (or the slower, complete
 * `integrity_check`), and `foreign_key_check` (a media row whose message is gone, say).
 */
import type Database from "better-sqlite3";
import type { AreaResult, Finding } from "./findings.ts";

/** Checks the database open as `sqlite`; `full` runs integrity_check instead of quick_check. */
export function checkDatabase(sqlite: Database.Database, full: boolean): AreaResult {
  const check = full ? "integrity_check" : "quick_check";
  const findings: Finding[] = [];
  for (const line of sqlite.pragma(check, { simple: false }) as Record<string, string>[]) {
    const text = Object.values(line)[0];
    if (text !== "ok")
      findings.push({ area: "database", severity: "damaged", subject: check, problem: String(text) });
  }
  const orphans = sqlite.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
  for (const o of orphans) {
    findings.push({
      area: "database",
      severity: "damaged",
      subject: `${o.table} row ${o.rowid}`,
      problem: `refers to a missing ${o.parent} row`,
    });
  }
  return { area: "database", checked: 1, how: `${check} and foreign keys`, findings };
}
