/**
 * A report as plain text, for a terminal or the body of a mail a cron job sends, and as JSON for
 * tools (times as ISO 8601 UTC, every figure of ReportData). Pure: gather.ts reads, this writes.
 */

import { change } from "../posts/format.ts";
import { PERIOD_BEFORE, type ReportFigures } from "../posts/report-caption.ts";
import type { ReportData } from "./gather.ts";
import { civilDateOf, formatCivil } from "./period.ts";

const NUMBER = new Intl.NumberFormat("en-US");
const fmt = (n: number) => NUMBER.format(n);
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Line breaks and other whitespace controls: shown as a space. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Other controls (ESC starts terminal escape sequences) and bidirectional overrides: shown as �. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` safe to print on one line of a terminal or a mail: chat names, file owners and error
 * messages come from other people, and a name holding a newline, an escape sequence or a
 * right-to-left override could break the table, rewrite the terminal or disguise itself.
 */
function printable(text: string): string {
  return text.replace(BREAKS, " ").replace(CONTROLS, "\uFFFD");
}

/**
 * Lines of a table: the header, then rows; columns padded, numbers right-aligned, text made
 * `printable`.
 */
export function table(header: string[], rows: (string | number)[][], indent = "  "): string[] {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : printable(c))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `${indent}${r
      .map((c, i) => (numeric[i] ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join("  ")
      .trimEnd()}`;
  return [line(header), ...cells.map(line)];
}

/** `part` of `whole` as a percentage with one decimal ("0.0" when `whole` is 0). */
function percent(part: number, whole: number): string {
  return whole === 0 ? "0.0" : ((part / whole) * 100).toFixed(1);
}

/** A chat as a reader knows it: its name and id, or its id alone. */
function chatName(c: { chatId: number; name: string | null }): string {
  return c.name === null ? String(c.chatId) : `${c.name} (${c.chatId})`;
}

function clock(ms: number, utc: boolean): string {
  const d = new Date(ms);
  const [h, m] = utc ? [d.getUTCHours(), d.getUTCMinutes()] : [d.getHours(), d.getMinutes()];
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

function moment(ms: number, utc: boolean): string {
  return `${formatCivil(civilDateOf(ms, utc))} ${clock(ms, utc)}`;
}

function title(data: ReportData): string {
  const { period } = data;
  const first = period.days[0]!;
  const utc = period.timeZone === "UTC";
  const weekday = (ms: number) => WEEKDAYS[utc ? new Date(ms).getUTCDay() : new Date(ms).getDay()];
  const last = period.days.at(-1)!.date;
  const [year, month] = first.date.split("-").map(Number) as [number, number];
  const span =
    period.kind === "daily"
      ? `${weekday(first.start)} ${first.date}`
      : period.kind === "monthly"
        ? `${MONTHS[month - 1]} ${year}, ${first.date} to ${last}`
        : `${first.date} to ${last}`;
  const running = data.complete ? "" : `, so far (until ${clock(data.generatedAt, utc)})`;
  return `telegram-logger ${period.kind} report: ${span} (${period.timeZone})${running}`;
}

function summary(data: ReportData): string[] {
  const { events, messages, deletions, files, previous } = data;
  const utc = data.period.timeZone === "UTC";
  const when = data.period.kind === "daily" ? clock(previous.until, utc) : moment(previous.until, utc);
  const cut = previous.until < previous.end ? ` until ${when}` : "";
  const before = `${PERIOD_BEFORE[data.period.kind]}${cut}`;
  const errors = events.byStatus.error ?? 0;
  const rate = events.total === 0 ? "" : `${percent(errors, events.total)}% of events; `;
  const chatTypes = Object.entries(messages.byChatType)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${fmt(n)}`)
    .join(", ");
  const { deleted, own, auto_delete } = deletions.byKind;
  const kinds = [
    deleted > 0 ? `${fmt(deleted)} by others` : "",
    own > 0 ? `${fmt(own)} by you` : "",
    auto_delete > 0 ? `${fmt(auto_delete)} by auto-delete timers` : "",
  ].filter((k) => k !== "");
  const fileChanges = files.byProject.reduce((n, p) => n + p.created + p.modified + p.deleted + p.renamed, 0);
  const rows: (string | number)[][] = [
    ["events", events.total, `${before}: ${fmt(previous.total)} (${change(events.total, previous.total)})`],
    ["errors", errors, `${rate}${before}: ${fmt(previous.errors)}`],
    ["warnings", events.byStatus.warning ?? 0, ""],
    ["messages stored", messages.total, chatTypes],
    ["  received", messages.received, ""],
    ["  sent", messages.sent, "by you"],
    [
      "messages deleted",
      deletions.total,
      kinds.length > 0 ? `recovered to the log chat: ${kinds.join(", ")}` : "",
    ],
    ["messages edited", data.edits, ""],
    [
      "file changes",
      fileChanges,
      files.byProject.length > 0 ? `in ${files.byProject.length} project(s)` : "",
    ],
    ["chats concerned", data.affected.chats, ""],
    ["files concerned", data.affected.files, ""],
  ];
  return ["Summary", ...table(["", "count", ""], rows).slice(1)];
}

/** Lines saying which figures may be short because older rows are gone. */
function notices(data: ReportData, utc: boolean): string[] {
  const lines: string[] = [];
  if (data.oldestEvent === null) lines.push("The database holds no events yet.");
  else if (data.oldestEvent > data.previous.start) {
    const which = data.oldestEvent > data.period.start ? "this period" : "the period before (the comparison)";
    lines.push(
      `The oldest event kept is from ${moment(data.oldestEvent, utc)}, so ${which} may lack events:`,
      "older ones were archived (EVENTS_RETENTION_DAYS) or happened before the service ran.",
    );
  }
  if (data.oldestMessage !== null && data.oldestMessage > data.period.start)
    lines.push(
      `The oldest message kept is from ${moment(data.oldestMessage, utc)}: older ones were removed`,
      "(PERSIST_TIME_IN_DAYS_*) or came before the service ran.",
    );
  return lines.length === 0 ? [] : [...lines, ""];
}

function section(heading: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : ["", heading, ...lines];
}

/** The figures the log chat's caption of a posted report shows (posts/report-caption.ts words them). */
export function captionFigures(data: ReportData): ReportFigures {
  const { events, messages, deletions, files, previous } = data;
  return {
    title: title(data),
    kind: data.period.kind,
    events: events.total,
    previousEvents: previous.total,
    errors: events.byStatus.error ?? 0,
    messages: messages.total,
    deletions: deletions.total,
    edits: data.edits,
    fileChanges: files.byProject.reduce((n, p) => n + p.created + p.modified + p.deleted + p.renamed, 0),
    projects: files.byProject.length,
  };
}

/** The report as text, sections without content left out. */
export function renderText(data: ReportData): string {
  const utc = data.period.timeZone === "UTC";
  const out = [title(data), `Generated ${moment(data.generatedAt, utc)}`, ""];
  out.push(...notices(data, utc), ...summary(data));
  if (data.period.days.length > 1)
    out.push(
      ...section(
        "By day",
        table(
          ["date", "events", "errors", "warnings"],
          data.days.map((d) => [d.date, d.events, d.errors, d.warnings]),
        ),
      ),
    );
  const statuses = ["success", "error", "warning", "skipped", "pending"];
  out.push(
    ...section(
      "Events by type",
      data.types.length === 0
        ? []
        : table(
            ["type", "total", ...statuses, "error %"],
            data.types.map((t) => [
              t.type,
              t.total,
              ...statuses.map((s) => t.byStatus[s] ?? 0),
              percent(t.byStatus.error ?? 0, t.total),
            ]),
          ),
    ),
  );
  const active = data.activeChats;
  out.push(
    ...section(
      "Most active chats (messages stored, most first)",
      active.length === 0
        ? []
        : table(
            ["messages", "received", "sent", "edited", "deleted by others", "chat"],
            active.map((c) => [c.messages, c.received, c.sent, c.edits, c.deletedByOthers, chatName(c)]),
          ),
    ),
  );
  const chats = data.deletions.topChats;
  out.push(
    ...section(
      "Messages deleted by others, by chat (most first)",
      chats.length === 0
        ? []
        : table(
            ["deleted", "chat"],
            chats.map((c) => [c.count, chatName(c)]),
          ),
    ),
  );
  const projects = data.files.byProject;
  out.push(
    ...section(
      "File changes by project",
      projects.length === 0
        ? []
        : table(
            ["project", "created", "modified", "deleted", "renamed", "skipped/errors"],
            projects.map((p) => [
              p.project || "(none)",
              p.created,
              p.modified,
              p.deleted,
              p.renamed,
              p.problems,
            ]),
          ),
    ),
  );
  out.push(
    ...section(
      "File changes by file owner (most first)",
      data.files.topOwners.length === 0
        ? []
        : table(
            ["changes", "owner"],
            data.files.topOwners.map((u) => [u.count, u.owner]),
          ),
    ),
  );
  const problems = data.problems;
  const more = problems.overflow > 0 ? `, and ${fmt(problems.overflow)} more not grouped` : "";
  out.push(
    ...section(
      `Errors and warnings (${fmt(problems.top.length)} of ${fmt(problems.distinct)} kinds, most frequent first${more})`,
      problems.top.length === 0
        ? []
        : table(
            ["count", "last", "status", "type", "message"],
            problems.top.map((p) => [
              p.count,
              data.period.kind === "daily" ? clock(p.lastAt, utc) : moment(p.lastAt, utc),
              p.status,
              p.type,
              p.message,
            ]),
          ),
    ),
  );
  out.push(
    ...section(
      "Durations (ms)",
      data.durations.length === 0
        ? []
        : table(
            ["type", "count", "avg", "p95", "p99", "max"],
            data.durations.map((d) => [d.type, d.count, d.avgMs, d.p95Ms, d.p99Ms, d.maxMs]),
          ),
    ),
  );
  return `${out.join("\n")}\n`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The report as one JSON document: ReportData with times as ISO 8601 UTC strings. */
export function renderJson(data: ReportData): string {
  const { period } = data;
  const document = {
    kind: period.kind,
    timeZone: period.timeZone,
    start: iso(period.start),
    end: iso(period.end),
    generatedAt: iso(data.generatedAt),
    complete: data.complete,
    oldestEvent: data.oldestEvent === null ? null : iso(data.oldestEvent),
    oldestMessage: data.oldestMessage === null ? null : iso(data.oldestMessage),
    events: data.events,
    previous: {
      ...data.previous,
      start: iso(data.previous.start),
      end: iso(data.previous.end),
      until: iso(data.previous.until),
    },
    affected: data.affected,
    messages: data.messages,
    activeChats: data.activeChats,
    deletions: data.deletions,
    edits: data.edits,
    files: data.files,
    types: data.types,
    problems: { ...data.problems, top: data.problems.top.map((p) => ({ ...p, lastAt: iso(p.lastAt) })) },
    durations: data.durations,
    days: data.days,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
