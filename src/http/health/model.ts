/**
 * What /health answers, decided by pure functions so every rule is tested without a server.
 *
 * The service is a set of parts (Telegram, outbox, watchers, database, ...). Each part reports its
 * state and the problems it sees; `assessHealth` adds the service-wide rules (a recent error,
 * stale housekeeping) and turns the lot into one JSON body and a 200 or 503.
 */
import type { LastError } from "./error-log.ts";

/** One part's view of itself: `state` is shown as-is, any `problems` make the service unhealthy. */
export interface PartReport {
  state: Record<string, unknown>;
  problems: string[];
}

/**
 * A part of the service as health sees it. `report` must be quick and must not wait on anything
 * (cached values, in-memory state, or reads that give up fast): a probe answers within a second.
 */
export interface HealthPart {
  /** The key of the part in the health body: `telegram`, `outbox`, `watchers`, `database`, `media`. */
  readonly name: string;
  report(now: number): PartReport;
}

/** Service-wide inputs to the assessment. */
export interface HealthInputs {
  now: number;
  startedAt: number;
  /** When housekeeping last completed a run successfully. */
  lastHousekeepingAt: number | null;
  lastError: LastError | null;
  errorWindowSecs: number;
  housekeepingStaleSecs: number;
  parts: ReadonlyArray<{ name: string; report: PartReport }>;
}

/** The JSON body of /health. */
export interface HealthBody {
  status: "ok" | "error";
  /** Why the status is `error`; empty when ok. */
  reasons: string[];
  started_at: string;
  uptime_secs: number;
  last_housekeeping_at: string | null;
  last_error_at: string | null;
  last_error_msg: string | null;
  [part: string]: unknown;
}

/** The assessment: HTTP status and body. */
export interface HealthReport {
  httpStatus: 200 | 503;
  body: HealthBody;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Applies every health rule; see the module comment. */
export function assessHealth(i: HealthInputs): HealthReport {
  const reasons: string[] = [];
  if (i.lastError && i.now - i.lastError.at <= i.errorWindowSecs * 1000) {
    const ago = Math.max(0, Math.round((i.now - i.lastError.at) / 1000));
    reasons.push(`an error was logged ${ago} s ago (window ${i.errorWindowSecs} s): ${i.lastError.message}`);
  }
  // Before the first run completes, the clock starts at process start: a housekeeping loop that
  // never completes is caught too (the Python logger's check could never fire).
  const since = i.lastHousekeepingAt ?? i.startedAt;
  const age = Math.floor((i.now - since) / 1000);
  if (age > i.housekeepingStaleSecs) {
    const what = i.lastHousekeepingAt === null ? "has not completed since start" : "last completed";
    reasons.push(`housekeeping ${what} ${age} s ago (limit ${i.housekeepingStaleSecs} s)`);
  }
  const body: HealthBody = {
    status: "ok",
    reasons,
    started_at: iso(i.startedAt)!,
    uptime_secs: Math.floor((i.now - i.startedAt) / 1000),
    last_housekeeping_at: iso(i.lastHousekeepingAt),
    last_error_at: iso(i.lastError?.at ?? null),
    last_error_msg: i.lastError?.message ?? null,
  };
  for (const part of i.parts) {
    body[part.name] = part.report.state;
    for (const p of part.report.problems) reasons.push(`${part.name}: ${p}`);
  }
  body.status = reasons.length === 0 ? "ok" : "error";
  return { httpStatus: reasons.length === 0 ? 200 : 503, body };
}

/** A part's report, or — when it cannot read its state (database busy, ...) — a report saying so. */
export function reportSafely(part: HealthPart, now: number): PartReport {
  try {
    return part.report(now);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    return { state: { error: code }, problems: [`could not read its state (${code})`] };
  }
}
