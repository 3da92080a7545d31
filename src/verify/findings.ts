/**
 * What `telegram-logger verify` found, and how it says so: one line per problem, one summary line
 * per area. Damage (a file missing, changed, cut short or failing authentication; a database
 * error) makes the command fail; notices (a file nothing refers to, a vault file under another
 * key) are told but do not. Pure, so the wording is tested without files.
 */

/** What verify checks. */
export type Area = "database" | "buffer" | "vault" | "archive";

/**
 * Damage fails the run; "unchecked" (a file that cannot be read, a row without a checksum) means
 * verify cannot vouch for it, which fails the run too, with its own status; a notice is only told.
 */
export type Severity = "damaged" | "unchecked" | "notice";

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
  const label = f.severity === "damaged" ? "DAMAGED" : f.severity === "unchecked" ? "UNCHECKED" : "notice";
  return `${label}  ${f.area}: ${f.subject}: ${f.problem}`;
}

function size(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** The summary line of an area. */
export function summaryLine(r: AreaResult): string {
  const damaged = r.findings.filter((f) => f.severity === "damaged").length;
  const unchecked = r.findings.filter((f) => f.severity === "unchecked").length;
  const notices = r.findings.length - damaged - unchecked;
  const unit = r.area === "archive" ? "row" : "file";
  const what = r.area === "database" ? "" : `: ${r.checked} ${unit}${r.checked === 1 ? "" : "s"}`;
  const read = r.bytes === undefined ? "" : `, ${size(r.bytes)}`;
  const how = r.how ? ` (${r.how})` : "";
  const verdict =
    [damaged > 0 ? `${damaged} DAMAGED` : "", unchecked > 0 ? `${unchecked} UNCHECKED` : ""]
      .filter((x) => x !== "")
      .join(", ") || "ok";
  const told = notices > 0 ? `, ${notices} notice${notices === 1 ? "" : "s"}` : "";
  return `${r.area}${what}${read}${how}: ${verdict}${told}`;
}

/** The worst finding of a run: damage, then what could not be checked; null when all is well. */
export function worstOf(results: readonly AreaResult[]): "damaged" | "unchecked" | null {
  const all = results.flatMap((r) => r.findings);
  if (all.some((f) => f.severity === "damaged")) return "damaged";
  if (all.some((f) => f.severity === "unchecked")) return "unchecked";
  return null;
}
