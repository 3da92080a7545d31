/**
 * What a report says, read from the database in a few aggregate queries: counts by source, type
 * and status, messages received, deletions by chat, file changes by project and by user, errors and
 * warnings grouped, durations, and a line per day. Every query is bounded by the period on an
 * indexed column (`events.occurred_at`, `messages (chat_type, date)`), so a report of one day costs
 * that day's rows, not the table (bench/report.bench.ts). Rendering is src/report/render.ts.
 */
import type Database from "better-sqlite3";
import { EVENT_SOURCES, EVENT_STATUSES } from "../store/events.ts";
import type { ReportPeriod } from "./period.ts";
import { type ProblemGroup, ProblemGroups, type ProblemRow } from "./problems.ts";

/** Counts keyed by a column's value. */
export type Counts = Record<string, number>;

/** Rows of one event type in the period, by status. */
export interface TypeCount {
  source: string;
  type: string;
  total: number;
  byStatus: Counts;
}

/** A chat and how many of its messages were deleted. */
export interface ChatCount {
  chatId: number;
  /** The chat's name as last seen, when known. */
  name: string | null;
  count: number;
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

/** Timing of one event type, for the rows that carry `duration_ms`. */
export interface DurationStats {
  type: string;
  count: number;
  avgMs: number;
  p95Ms: number;
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
  events: { total: number; bySource: Counts; byStatus: Counts };
  /** The period before, of the same length, to compare with. */
  previous: { start: number; end: number; total: number; errors: number };
  types: TypeCount[];
  /** Telegram messages sent in the period and stored, by chat type. */
  messages: { total: number; byChatType: Counts };
  deletions: { total: number; topChats: ChatCount[] };
  edits: number;
  files: { byProject: ProjectFiles[]; topUsers: { username: string; count: number }[] };
  problems: { top: ProblemGroup[]; distinct: number; overflow: number };
  durations: DurationStats[];
  days: DayCount[];
}

/** How much a report lists. */
export interface GatherOptions {
  /** Lines per top list (chats, users, problems). */
  top: number;
}

/** Distinct problem groups held while merging: a flood of unique messages stays bounded. */
const PROBLEM_GROUPS_MAX = 10_000;
/** Chat types a stored message can have (the `messages_type_date` index starts with it). */
const CHAT_TYPES = ["user", "bot", "self", "group", "supergroup", "channel"];
const FILE_CHANGES = ["created", "modified", "deleted", "renamed"] as const;

const zeroCounts = (keys: readonly string[]): Counts => Object.fromEntries(keys.map((k) => [k, 0]));
const IN_PERIOD = "occurred_at >= @start AND occurred_at < @end";

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
  // One range per chat type, so the (chat_type, date) index is used rather than a table scan.
  const count = sqlite.prepare<[string, number, number], { n: number }>(
    "SELECT count(*) AS n FROM messages WHERE chat_type = ? AND date >= ? AND date < ?",
  );
  for (const chatType of CHAT_TYPES) {
    const n = count.get(chatType, period.start, period.end)?.n ?? 0;
    byChatType[chatType] = n;
    total += n;
  }
  return { total, byChatType };
}

function topDeletedChats(sqlite: Database.Database, period: ReportPeriod, top: number): ChatCount[] {
  return sqlite
    .prepare<{ start: number; end: number; top: number }, ChatCount>(
      `SELECT e.chat_id AS chatId, p.name AS name, e.n AS count
         FROM (SELECT chat_id, count(*) AS n FROM events
                WHERE ${IN_PERIOD} AND type = 'message.deleted' AND status = 'success'
                  AND chat_id IS NOT NULL
                GROUP BY chat_id ORDER BY n DESC, chat_id LIMIT @top) AS e
         LEFT JOIN peers AS p ON p.peer_id = e.chat_id
        ORDER BY e.n DESC, e.chat_id`,
    )
    .all({ start: period.start, end: period.end, top })
    .map((c) => ({ ...c, name: c.name === null || c.name === "" ? null : c.name }));
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
  const topUsers = sqlite
    .prepare<{ start: number; end: number; top: number }, { username: string; count: number }>(
      `SELECT username, count(*) AS count FROM events
        WHERE ${IN_PERIOD} AND source = 'fs' AND username IS NOT NULL AND username <> ''
          AND type IN ('file.created', 'file.modified', 'file.deleted', 'file.renamed')
        GROUP BY username ORDER BY count DESC, username LIMIT @top`,
    )
    .all({ start: period.start, end: period.end, top });
  const changed = (p: ProjectFiles) => p.created + p.modified + p.deleted + p.renamed + p.problems;
  return {
    byProject: [...byProject.values()]
      .filter((p) => changed(p) > 0)
      .sort((a, b) => changed(b) - changed(a) || a.project.localeCompare(b.project)),
    topUsers,
  };
}

function problems(sqlite: Database.Database, period: ReportPeriod, top: number): ReportData["problems"] {
  const groups = new ProblemGroups(PROBLEM_GROUPS_MAX);
  const rows = sqlite
    .prepare<{ start: number; end: number }, ProblemRow>(
      `SELECT status, type, error, count(*) AS n, max(occurred_at) AS last_at FROM events
        WHERE ${IN_PERIOD} AND status IN ('error', 'warning') GROUP BY status, type, error`,
    )
    .iterate({ start: period.start, end: period.end });
  for (const row of rows) groups.add(row);
  return { top: groups.top(top), distinct: groups.distinct, overflow: groups.overflow };
}

function durations(sqlite: Database.Database, period: ReportPeriod): DurationStats[] {
  const stats = sqlite
    .prepare<{ start: number; end: number }, Omit<DurationStats, "p95Ms">>(
      `SELECT type, count(*) AS count, avg(duration_ms) AS avgMs, max(duration_ms) AS maxMs FROM events
        WHERE ${IN_PERIOD} AND duration_ms IS NOT NULL GROUP BY type ORDER BY type`,
    )
    .all({ start: period.start, end: period.end });
  // Nearest rank: the smallest duration at or above 95% of the rows.
  const rank = sqlite.prepare<{ start: number; end: number; type: string; offset: number }, { d: number }>(
    `SELECT duration_ms AS d FROM events
      WHERE ${IN_PERIOD} AND type = @type AND duration_ms IS NOT NULL
      ORDER BY duration_ms LIMIT 1 OFFSET @offset`,
  );
  return stats.map((s) => ({
    ...s,
    avgMs: Math.round(s.avgMs),
    p95Ms:
      rank.get({ start: period.start, end: period.end, type: s.type, offset: Math.ceil(0.95 * s.count) - 1 })
        ?.d ?? s.maxMs,
  }));
}

function dayCounts(sqlite: Database.Database, period: ReportPeriod): DayCount[] {
  const count = sqlite.prepare<
    { start: number; end: number },
    { events: number; errors: number | null; warnings: number | null }
  >(
    `SELECT count(*) AS events, sum(status = 'error') AS errors, sum(status = 'warning') AS warnings
       FROM events WHERE ${IN_PERIOD}`,
  );
  return period.days.map((d) => {
    const r = count.get({ start: d.start, end: d.end })!;
    return { date: d.date, events: r.events, errors: r.errors ?? 0, warnings: r.warnings ?? 0 };
  });
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
    const before = dayCounts(sqlite, {
      ...previous,
      days: [{ date: "", start: previous.start, end: previous.end }],
    })[0]!;
    const oldest = sqlite
      .prepare<[], { at: number | null }>("SELECT min(occurred_at) AS at FROM events")
      .get();
    return {
      period,
      generatedAt: now,
      complete: period.end <= now,
      oldestEvent: oldest?.at ?? null,
      events: { total, bySource, byStatus },
      previous: { start: previous.start, end: previous.end, total: before.events, errors: before.errors },
      types,
      messages: messageCounts(sqlite, period),
      deletions: {
        total: countOf("message.deleted", "success"),
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
