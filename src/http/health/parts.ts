/**
 * The rules for each part of the service, as pure functions of what the part knows.
 * `src/app/operations.ts` builds `HealthPart`s from these with the live sources.
 */
import type { PartReport } from "./model.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const secs = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** How long Telegram may be disconnected or unauthorized before health says so. */
export const TELEGRAM_GRACE_MS = 60_000;

/** What the Telegram part knows. */
export interface TelegramFacts {
  connected: boolean;
  /** From the last authorization probe; null before the first answer. */
  authorized: boolean | null;
  lastUpdateAt: number | null;
  /** When capture started: the reference for a stall before the first update. */
  startedAt: number;
}

/**
 * Telegram: disconnected/unauthorized for over a minute (`badSince`: since when it has been), or
 * connected but silent for longer than `stallSecs`.
 */
export function telegramReport(
  f: TelegramFacts,
  badSince: number | null,
  now: number,
  stallSecs: number,
): PartReport {
  const problems: string[] = [];
  if (badSince !== null && now - badSince > TELEGRAM_GRACE_MS) {
    const what = !f.connected ? "disconnected" : "not authorized (session revoked? log in again)";
    problems.push(`${what} for ${secs(now - badSince)} s`);
  }
  const quietMs = now - (f.lastUpdateAt ?? f.startedAt);
  if (f.connected && stallSecs > 0 && quietMs > stallSecs * 1000) {
    problems.push(`connected but no update for ${secs(quietMs)} s (limit ${stallSecs} s): stalled?`);
  }
  return {
    state: {
      enabled: true,
      connected: f.connected,
      authorized: f.authorized,
      last_update_at: iso(f.lastUpdateAt),
      seconds_since_last_update: f.lastUpdateAt === null ? null : secs(now - f.lastUpdateAt),
    },
    problems,
  };
}

/** The Telegram part when the service runs without Telegram. */
export function telegramDisabledReport(): PartReport {
  return { state: { enabled: false }, problems: [] };
}

/** What the outbox part knows. */
export interface OutboxFacts {
  pending: number;
  failed: number;
  oldestPendingAt: number | null;
  /** The earliest `not_before` among pending posts (due since then when in the past). */
  earliestDueAt: number | null;
  lastSentAt: number | null;
  /** FloodWait end (0 when not waiting). */
  floodWaitUntil: number;
}

/**
 * Outbox: stuck when a post has been due for longer than `stuckSecs` and nothing was sent in that
 * time, unless Telegram told us to wait (FloodWait), which is expected and reported as such.
 */
export function outboxReport(f: OutboxFacts, now: number, stuckSecs: number): PartReport {
  const waiting = f.floodWaitUntil > now;
  const dueFor = f.earliestDueAt !== null && f.earliestDueAt <= now ? now - f.earliestDueAt : 0;
  const sentAgo = f.lastSentAt === null ? Number.POSITIVE_INFINITY : now - f.lastSentAt;
  const problems: string[] = [];
  if (f.pending > 0 && !waiting && dueFor > stuckSecs * 1000 && sentAgo > stuckSecs * 1000) {
    problems.push(
      `stuck: a post has been due for ${secs(dueFor)} s and nothing was sent (limit ${stuckSecs} s)`,
    );
  }
  return {
    state: {
      pending: f.pending,
      failed: f.failed,
      oldest_pending_age_secs: f.oldestPendingAt === null ? null : secs(now - f.oldestPendingAt),
      last_sent_at: iso(f.lastSentAt),
      flood_wait_until: waiting ? iso(f.floodWaitUntil) : null,
    },
    problems,
  };
}

/** The state of one watched root, as the file audit reports it. */
export interface WatchRootStatus {
  root: string;
  state: "starting" | "ready" | "offline" | "failed";
  /** Why it is offline or failed (no file contents). */
  error?: string;
}

/** Watchers: a failed root is a problem; an offline one (network share away) is only reported. */
export function watchersReport(roots: readonly WatchRootStatus[] | null): PartReport {
  if (roots === null) return { state: { enabled: false, roots: [] }, problems: [] };
  return {
    state: {
      enabled: true,
      roots: roots.map((r) => ({ root: r.root, state: r.state, ...(r.error ? { error: r.error } : {}) })),
    },
    problems: roots
      .filter((r) => r.state === "failed")
      .map((r) => `watch root ${r.root} failed${r.error ? `: ${r.error}` : ""}`),
  };
}

/** What the database part knows. */
export interface DatabaseFacts {
  ok: boolean;
  sizeBytes: number;
  walBytes: number;
  error?: string;
}

/** Database: not answering a trivial read is a problem. */
export function databaseReport(f: DatabaseFacts): PartReport {
  return {
    state: {
      ok: f.ok,
      size_bytes: f.sizeBytes,
      wal_bytes: f.walBytes,
      ...(f.error ? { error: f.error } : {}),
    },
    problems: f.ok ? [] : [`not answering: ${f.error ?? "unknown error"}`],
  };
}
