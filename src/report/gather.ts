/**
 * What a report says, read from the database in a few aggregate queries: counts by source, type
 * and status, messages received, deletions by chat, file changes by project and by user, errors and
 * warnings grouped, durations, and a line per day. Every query is bounded by the period on an
 * indexed column (`events.occurred_at`, `messages (chat_type, date)`), so a report of one day costs
 * that day's rows, not the table (bench/report.bench.ts). Rendering is src/report/render.ts.
 */
import type Database from "better-sqlite3";
import type { DeletionKind } from "../model/deletion.ts";
import { CHAT_TYPES } from "../model/message.ts";
import { EVENT_SOURCES, EVENT_STATUSES, FILE_CHANGE_TYPES } from "../store/events.ts";
import { activeChats, type ChatActivity, type ChatCount, topDeletedChats } from "./chats.ts";
import type { ReportPeriod } from "./period.ts";
import { type ProblemGroup, ProblemGroups, type ProblemRow } from "./problems.ts";
import { detail, IN_PERIOD } from "./sql.ts";

/** Counts keyed by a column's value. */
export type Counts = Record<string, number>;

/** Rows of one event type in the period, by status. */
export interface TypeCount {
  source: string;
  type: string;
  total: number;
  byStatus: Counts;
}

/** File changes of one project (the watch config's `project`; "" for none), by type. */
export interface ProjectFiles {
  project: string;
  created: number;
  modified: number;
  deleted: number;
  renamed: number;
  /** Skipped files and file-audit errors. */
  problems: number;
}

/** Timing of one event type, for the rows that carry a numeric `duration_ms`. */
export interface DurationStats {
  type: string;
  count: number;
  avgMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One day of the period. */
export interface DayCount {
  date: string;
  events: number;
  errors: number;
  warnings: number;
}

/** Everything a report shows; times in ms. */
export interface ReportData {
  period: ReportPeriod;
  generatedAt: number;
  /** False while the period is still running (a report of today). */
  complete: boolean;
  /** The oldest event the table holds: earlier ones were archived (EVENTS_RETENTION_DAYS). */
  oldestEvent: number | null;
  /** The oldest message the table holds: older ones were purged (PERSIST_TIME_IN_DAYS_*). */
  oldestMessage: number | null;
  events: { total: number; bySource: Counts; byStatus: Counts };
  /**
   * The period before, of the same length, to compare with; while this one runs, only up to the
   * same point (`until`), so today so far is set against yesterday until the same time.
   */
  previous: { start: number; end: number; until: number; total: number; errors: number };
  /** Distinct Telegram chats and files (paths) the period's events are about. */
  affected: { chats: number; files: number };
  types: TypeCount[];
  /** Telegram messages dated in the period and stored: received, sent by the owner, by chat type. */
  messages: { total: number; received: number; sent: number; byChatType: Counts };
  /** The chats with the most messages dated in the period. */
  activeChats: ChatActivity[];
  /** Stored messages deleted, by kind; the chats where others deleted most. */
  deletions: { total: number; byKind: Record<DeletionKind, number>; topChats: ChatCount[] };
  edits: number;
  /** File changes by project, and by the changed file's owner (inotify names no actor). */
  files: { byProject: ProjectFiles[]; topOwners: { owner: string; count: number }[] };
  problems: { top: ProblemGroup[]; distinct: number; overflow: number };
  durations: DurationStats[];
  days: DayCount[];
}

/** How much a report lists. */
export interface GatherOptions {
  /** Lines per top list (chats, users, problems). */
  top: number;
}

/** Characters of an error message read: enough to tell failures apart. */
const ERROR_TEXT_MAX = 2000;
/** Distinct problem groups held while merging: a flood of unique messages stays bounded. */
const PROBLEM_GROUPS_MAX = 10_000;
const FILE_CHANGES = ["created", "modified", "deleted", "renamed"] as const;
/** The file-change types as an SQL list (fixed strings of the code, never input). */
const FILE_CHANGE_LIST = FILE_CHANGE_TYPES.map((t) => `'${t}'`).join(", ");

const zeroCounts = (keys: readonly string[]): Counts => Object.fromEntries(keys.map((k) => [k, 0]));

function typeCounts(sqlite: Database.Database, range: { start: number; end: number }): TypeCount[] {
  const rows = sqlite
    .prepare<{ start: number; end: number }, { source: string; type: string; status: string; n: number }>(
      `SELECT source, type, status, count(*) AS n FROM events WHERE ${IN_PERIOD} GROUP BY source, type, status`,
    )
    .all(range);
  const byType = new Map<string, TypeCount>();
  for (const r of rows) {
    const key = `${r.source}\u0000${r.type}`;
    let t = byType.get(key);
    if (!t) {
      t = { source: r.source, type: r.type, total: 0, byStatus: {} };
      byType.set(key, t);
    }
    t.total += r.n;
    t.byStatus[r.status] = (t.byStatus[r.status] ?? 0) + r.n;
  }
  return [...byType.values()].sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
}

function messageCounts(sqlite: Database.Database, period: ReportPeriod): ReportData["messages"] {
  const byChatType = zeroCounts(CHAT_TYPES);
  let total = 0;
  let sent = 0;
  // One range per chat type, so the (chat_type, date) index is used rather than a table scan.
  const count = sqlite.prepare<[string, number, number], { n: number; sent: number | null }>(
    "SELECT count(*) AS n, sum(outgoing <> 0) AS sent FROM messages WHERE chat_type = ? AND date >= ? AND date < ?",
  );
  for (const chatType of CHAT_TYPES) {
    const r = count.get(chatType, period.start, period.end);
    byChatType[chatType] = r?.n ?? 0;
    total += r?.n ?? 0;
    sent += r?.sent ?? 0;
  }
  return { total, received: total - sent, sent, byChatType };
}

function oldestMessage(sqlite: Database.Database): number | null {
  const first = sqlite.prepare<[string], { at: number | null }>(
    "SELECT min(date) AS at FROM messages WHERE chat_type = ?",
  );
  const dates = CHAT_TYPES.map((t) => first.get(t)?.at ?? null).filter((d): d is number => d !== null);
  return dates.length === 0 ? null : Math.min(...dates);
}

function deletionKinds(sqlite: Database.Database, period: ReportPeriod): Record<DeletionKind, number> {
  const kinds: Record<DeletionKind, number> = { deleted: 0, own: 0, auto_delete: 0 };
  const rows = sqlite
    .prepare<{ start: number; end: number }, { kind: string | null; n: number }>(
      `SELECT ${detail("deletion")} AS kind, count(*) AS n FROM events
        WHERE ${IN_PERIOD} AND +type = 'message.deleted' AND status = 'success' GROUP BY 1`,
    )
    .all({ start: period.start, end: period.end });
  for (const r of rows) {
    const kind = r.kind === "own" || r.kind === "auto_delete" ? r.kind : "deleted";
    kinds[kind] += r.n;
  }
  return kinds;
}

function affected(sqlite: Database.Database, period: ReportPeriod): ReportData["affected"] {
  return sqlite
    .prepare<{ start: number; end: number }, { chats: number; files: number }>(
      `SELECT count(DISTINCT chat_id) AS chats, count(DISTINCT CASE WHEN source = 'fs' THEN path END) AS files
         FROM events WHERE ${IN_PERIOD}`,
    )
    .get({ start: period.start, end: period.end })!;
}

function fileChanges(sqlite: Database.Database, period: ReportPeriod, top: number): ReportData["files"] {
  const rows = sqlite
    .prepare<{ start: number; end: number }, { project: string; type: string; n: number }>(
      `SELECT coalesce(project, '') AS project, type, count(*) AS n FROM events
        WHERE ${IN_PERIOD} AND source = 'fs' GROUP BY 1, 2`,
    )
    .all({ start: period.start, end: period.end });
  const byProject = new Map<string, ProjectFiles>();
  for (const r of rows) {
    let p = byProject.get(r.project);
    if (!p) {
      p = { project: r.project, created: 0, modified: 0, deleted: 0, renamed: 0, problems: 0 };
      byProject.set(r.project, p);
    }
    const change = r.type.slice("file.".length);
    if (r.type.startsWith("file.") && (FILE_CHANGES as readonly string[]).includes(change))
      p[change as (typeof FILE_CHANGES)[number]] += r.n;
    else if (r.type === "file.skipped" || r.type === "file.error") p.problems += r.n;
  }
  const topOwners = sqlite
    .prepare<{ start: number; end: number; top: number }, { owner: string; count: number }>(
      `SELECT CAST(${detail("owner")} AS TEXT) AS owner, count(*) AS count FROM events
        WHERE ${IN_PERIOD} AND source = 'fs' AND +type IN (${FILE_CHANGE_LIST})
        GROUP BY 1 HAVING owner IS NOT NULL AND owner <> '' ORDER BY count DESC, owner LIMIT @top`,
    )
    .all({ start: period.start, end: period.end, top });
  const changed = (p: ProjectFiles) => p.created + p.modified + p.deleted + p.renamed + p.problems;
  return {
    byProject: [...byProject.values()]
      .filter((p) => changed(p) > 0)
      .sort((a, b) => changed(b) - changed(a) || a.project.localeCompare(b.project)),
    topOwners,
  };
}

function problems(sqlite: Database.Database, period: ReportPeriod, top: number): ReportData["problems"] {
  const groups = new ProblemGroups(PROBLEM_GROUPS_MAX);
  const rows = sqlite
    .prepare<{ start: number; end: number }, ProblemRow>(
      // Grouped on the message's start (a dumped request can be megabytes); the most frequent
      // first, so a bounded ProblemGroups keeps those.
      `SELECT status, type, substr(CAST(error AS TEXT), 1, ${ERROR_TEXT_MAX}) AS error, count(*) AS n,
              max(occurred_at) AS last_at FROM events
        WHERE ${IN_PERIOD} AND status IN ('error', 'warning') GROUP BY 1, 2, 3 ORDER BY n DESC`,
    )
    .iterate({ start: period.start, end: period.end });
  for (const row of rows) groups.add(row);
  return { top: groups.top(top), distinct: groups.distinct, overflow: groups.overflow };
}

function durations(sqlite: Database.Database, period: ReportPeriod): DurationStats[] {
  const numeric = "typeof(duration_ms) IN ('integer', 'real')";
  const stats = sqlite
    .prepare<{ start: number; end: number }, { type: string; count: number; avgMs: number; maxMs: number }>(
      `SELECT type, count(*) AS count, avg(duration_ms) AS avgMs, max(duration_ms) AS maxMs FROM events
        WHERE ${IN_PERIOD} AND ${numeric} GROUP BY type ORDER BY type`,
    )
    .all({ start: period.start, end: period.end });
  // Nearest rank: the smallest duration at or above the given share of the rows.
  const rank = sqlite.prepare<{ start: number; end: number; type: string; offset: number }, { d: number }>(
    `SELECT duration_ms AS d FROM events
      WHERE ${IN_PERIOD} AND +type = @type AND ${numeric}
      ORDER BY duration_ms LIMIT 1 OFFSET @offset`,
  );
  const percentile = (type: string, count: number, share: number) =>
    rank.get({ start: period.start, end: period.end, type, offset: Math.ceil(share * count) - 1 })?.d ?? 0;
  return stats.map((s) => ({
    type: s.type,
    count: s.count,
    avgMs: Math.round(s.avgMs),
    p95Ms: percentile(s.type, s.count, 0.95),
    p99Ms: percentile(s.type, s.count, 0.99),
    maxMs: s.maxMs,
  }));
}

/** Events, errors and warnings in [start, end). */
function countIn(sqlite: Database.Database, start: number, end: number) {
  const r = sqlite
    .prepare<
      { start: number; end: number },
      { events: number; errors: number | null; warnings: number | null }
    >(
      `SELECT count(*) AS events, sum(status = 'error') AS errors, sum(status = 'warning') AS warnings
         FROM events WHERE ${IN_PERIOD}`,
    )
    .get({ start, end })!;
  return { events: r.events, errors: r.errors ?? 0, warnings: r.warnings ?? 0 };
}

function dayCounts(sqlite: Database.Database, period: ReportPeriod): DayCount[] {
  return period.days.map((d) => ({ date: d.date, ...countIn(sqlite, d.start, d.end) }));
}

/**
 * Reads the report of `period` (and the totals of `previous`) from `sqlite`. Runs in one read
 * transaction, so every figure comes from the same snapshot even while the service writes.
 */
export function gatherReport(
  sqlite: Database.Database,
  period: ReportPeriod,
  previous: ReportPeriod,
  now: number,
  options: GatherOptions,
): ReportData {
  const read = sqlite.transaction((): ReportData => {
    const types = typeCounts(sqlite, period);
    const bySource = zeroCounts(EVENT_SOURCES);
    const byStatus = zeroCounts(EVENT_STATUSES);
    let total = 0;
    for (const t of types) {
      total += t.total;
      bySource[t.source] = (bySource[t.source] ?? 0) + t.total;
      for (const [status, n] of Object.entries(t.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
    }
    const countOf = (type: string, status?: string) =>
      types
        .filter((t) => t.type === type)
        .reduce((n, t) => n + (status === undefined ? t.total : (t.byStatus[status] ?? 0)), 0);
    const byKind = deletionKinds(sqlite, period);
    const complete = period.end <= now;
    // While the period runs, the one before is counted up to the same point only.
    const until = complete
      ? previous.end
      : Math.min(previous.end, previous.start + Math.max(0, now - period.start));
    const before = countIn(sqlite, previous.start, until);
    const oldest = sqlite
      .prepare<[], { at: number | null }>("SELECT min(occurred_at) AS at FROM events")
      .get();
    return {
      period,
      generatedAt: now,
      complete,
      oldestEvent: oldest?.at ?? null,
      oldestMessage: oldestMessage(sqlite),
      events: { total, bySource, byStatus },
      previous: {
        start: previous.start,
        end: previous.end,
        until,
        total: before.events,
        errors: before.errors,
      },
      affected: affected(sqlite, period),
      types,
      messages: messageCounts(sqlite, period),
      activeChats: activeChats(sqlite, period, options.top),
      deletions: {
        total: Object.values(byKind).reduce((n, k) => n + k, 0),
        byKind,
        topChats: topDeletedChats(sqlite, period, options.top),
      },
      edits: countOf("message.edited", "success"),
      files: fileChanges(sqlite, period, options.top),
      problems: problems(sqlite, period, options.top),
      durations: durations(sqlite, period),
      days: dayCounts(sqlite, period),
    };
  });
  return read.deferred();
}
