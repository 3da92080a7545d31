/**
 * What `telegram-logger verify` found, and how it says so: one line per problem, one summary line
 * per area. Damage (a file missing, changed, cut short or failing authentication; a database
 * error) makes the command fail; notices (a file nothing refers to, a vault file under another
 * key) are told but do not. Pure, so the wording is tested without files.
 */

/** What verify checks. */
export type Area = "database" | "buffer" | "vault" | "archive";

/** Damage fails the run; a notice is only told. */
export type Severity = "damaged" | "notice";

/** One problem with one thing. */
export interface Finding {
  area: Area;
  severity: Severity;
  /** The file, row or check concerned. */
  subject: string;
  problem: string;
}

/** What was checked in one area. */
export interface AreaResult {
  area: Area;
  /** Files (or rows, for the archive) checked. */
  checked: number;
  /** Bytes read, when files were read. */
  bytes?: number;
  /** How thoroughly, when it can differ (no key, quick check). */
  how?: string;
  findings: Finding[];
}

/** A finding as printed. */
export function findingLine(f: Finding): string {
  return `${f.severity === "damaged" ? "DAMAGED" : "notice"}  ${f.area}: ${f.subject}: ${f.problem}`;
}

function size(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** The summary line of an area. */
export function summaryLine(r: AreaResult): string {
  const damaged = r.findings.filter((f) => f.severity === "damaged").length;
  const notices = r.findings.length - damaged;
  const unit = r.area === "archive" ? "row" : "file";
  const what = r.area === "database" ? "" : `: ${r.checked} ${unit}${r.checked === 1 ? "" : "s"}`;
  const read = r.bytes === undefined ? "" : `, ${size(r.bytes)}`;
  const how = r.how ? ` (${r.how})` : "";
  const verdict = damaged > 0 ? `${damaged} DAMAGED` : "ok";
  const told = notices > 0 ? `, ${notices} notice${notices === 1 ? "" : "s"}` : "";
  return `${r.area}${what}${read}${how}: ${verdict}${told}`;
}

/** Whether anything was damaged. */
export function anyDamage(results: readonly AreaResult[]): boolean {
  return results.some((r) => r.findings.some((f) => f.severity === "damaged"));
}
