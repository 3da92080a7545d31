/**
 * The report pages: the `report` command's figures (the same ReportData) as a page, with inline
 * SVG charts (events per hour or per day, by source, the most active chats, where others deleted
 * most) and its tables. `/ui/reports` is the index: each kind at its default period and a form.
 */
import { html } from "hono/html";
import type { ReportKind } from "../model/report-kind.ts";
import { change } from "../posts/format.ts";
import type { ReportData } from "../report/gather.ts";
import { type Bar, barList, columnChart, svgText } from "./charts.ts";
import { timeOf } from "./diff-view.ts";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";
import type { HourCount, ReportResult } from "./report-query.ts";

const NUMBER = new Intl.NumberFormat("en-US");
const fmt = (n: number) => NUMBER.format(n);
const KIND_TITLE: Record<ReportKind, string> = { daily: "Daily", weekly: "Weekly", monthly: "Monthly" };
const PREVIOUS: Record<ReportKind, string> = {
  daily: "the day before",
  weekly: "the week before",
  monthly: "the month before",
};

/** How the page links to other periods and keeps its options. */
export interface ReportNav {
  kind: ReportKind;
  /** The query string of the shown report (utc, top), to keep in links. */
  params: URLSearchParams;
  /** The first days of the previous and next periods (null: the next has not begun). */
  previousDate: string;
  nextDate: string | null;
}

const text = (s: string | null) =>
  s === null ? html`<span class="more">unknown</span>` : html`<bdi>${visible(s)}</bdi>`;

/** The link to the `kind` report at `date`, with the options of `params`. */
export function reportLink(kind: ReportKind, params: URLSearchParams, date?: string): string {
  const next = new URLSearchParams(params);
  if (date === undefined) next.delete("date");
  else next.set("date", date);
  const q = next.toString();
  return `/ui/reports/${kind}${q === "" ? "" : `?${q}`}`;
}

function tabs(current: ReportKind | null, params: URLSearchParams): Markup {
  const keep = new URLSearchParams(params);
  keep.delete("date");
  return html`<nav class="tabs" aria-label="Reports">${(["daily", "weekly", "monthly"] as const).map(
    (k) =>
      html`<a href="${reportLink(k, keep)}"${k === current ? html` aria-current="page"` : ""}>${KIND_TITLE[k]}</a>`,
  )}</nav>`;
}

/** The form choosing a report's kind and date. */
function chooser(kind: ReportKind, params: URLSearchParams): Markup {
  return html`<form class="inline-form" method="get" action="/ui/reports/${kind}">
<div><label for="r-date">First day (monthly: any day of the month)</label><input id="r-date" name="date" type="date" value="${params.get("date") ?? ""}"></div>
<div><label for="r-top">Lines per list</label><input id="r-top" name="top" inputmode="numeric" value="${params.get("top") ?? ""}" placeholder="10"></div>
<div><label class="check"><input type="checkbox" name="utc" value="1"${params.get("utc") === "1" ? html` checked` : ""}> days in UTC</label></div>
<div><button type="submit">Show</button></div>
</form>`;
}

function card(label: string, value: number, note = ""): Markup {
  return html`<div class="card"><div class="label">${label}</div><div class="value">${fmt(value)}</div>${note === "" ? "" : html`<div class="label">${note}</div>`}</div>`;
}

function summary(d: ReportData): Markup {
  const errors = d.events.byStatus.error ?? 0;
  const fileChanges = d.files.byProject.reduce(
    (n, p) => n + p.created + p.modified + p.deleted + p.renamed,
    0,
  );
  const before = PREVIOUS[d.period.kind];
  return html`<div class="cards">
${card("events", d.events.total, `${before}: ${fmt(d.previous.total)} (${change(d.events.total, d.previous.total)})`)}
${card("errors", errors, `${before}: ${fmt(d.previous.errors)}`)}
${card("warnings", d.events.byStatus.warning ?? 0)}
${card("messages stored", d.messages.total, `received ${fmt(d.messages.received)}, sent ${fmt(d.messages.sent)}`)}
${card("messages deleted", d.deletions.total, `by others ${fmt(d.deletions.byKind.deleted)}, by you ${fmt(d.deletions.byKind.own)}, by timers ${fmt(d.deletions.byKind.auto_delete)}`)}
${card("messages edited", d.edits)}
${card("file changes", fileChanges, `in ${d.files.byProject.length} project(s)`)}
${card("chats concerned", d.affected.chats)}
${card("files concerned", d.affected.files)}
</div>`;
}

function hourLabel(at: number, utc: boolean): string {
  const d = new Date(at);
  return String(utc ? d.getUTCHours() : d.getHours()).padStart(2, "0");
}

function timeline(r: ReportResult): Markup {
  const { data, hours } = r;
  const utc = data.period.timeZone === "UTC";
  if (hours !== null) {
    const bars: Bar[] = hours.map((h: HourCount) => ({
      label: hourLabel(h.start, utc),
      value: h.events,
      part: h.errors,
      title: `${hourLabel(h.start, utc)}:00: ${fmt(h.events)} events, ${fmt(h.errors)} errors`,
    }));
    return html`<section><h2>Events per hour</h2>${columnChart(bars, "Events per hour (errors in the error colour)", 3)}</section>`;
  }
  const bars: Bar[] = data.days.map((d) => ({
    label: d.date.slice(5),
    value: d.events,
    part: d.errors,
    title: `${d.date}: ${fmt(d.events)} events, ${fmt(d.errors)} errors, ${fmt(d.warnings)} warnings`,
  }));
  return html`<section><h2>Events per day</h2>${columnChart(bars, "Events per day (errors in the error colour)", data.days.length > 10 ? 3 : 1)}
<div class="table-wrap"><table class="auto"><thead><tr><th>Date</th><th>Events</th><th>Errors</th><th>Warnings</th></tr></thead>
<tbody>${data.days.map((d) => html`<tr><td data-label="Date">${d.date}</td><td data-label="Events">${fmt(d.events)}</td><td data-label="Errors">${fmt(d.errors)}</td><td data-label="Warnings">${fmt(d.warnings)}</td></tr>`)}</tbody></table></div></section>`;
}

const chatLabel = (c: { chatId: number; name: string | null }) =>
  c.name === null ? String(c.chatId) : `${c.name} (${c.chatId})`;

function chats(d: ReportData): Markup {
  const active =
    d.activeChats.length === 0
      ? ""
      : html`<section><h2>Most active chats</h2>${barList(
          d.activeChats.map((c) => ({
            label: chatLabel(c),
            value: c.messages,
            title: `${chatLabel(c)}: ${fmt(c.messages)} messages (received ${fmt(c.received)}, sent ${fmt(c.sent)}), ${fmt(c.edits)} edits, ${fmt(c.deletedByOthers)} deleted by others`,
          })),
          "Messages per chat",
        )}
<div class="table-wrap"><table class="auto"><thead><tr><th>Chat</th><th>Messages</th><th>Received</th><th>Sent</th><th>Edits</th><th>Deleted by others</th></tr></thead>
<tbody>${d.activeChats.map((c) => html`<tr><td data-label="Chat"><a href="/ui/chats/${c.chatId}">${text(chatLabel(c))}</a></td><td data-label="Messages">${fmt(c.messages)}</td><td data-label="Received">${fmt(c.received)}</td><td data-label="Sent">${fmt(c.sent)}</td><td data-label="Edits">${fmt(c.edits)}</td><td data-label="Deleted by others">${fmt(c.deletedByOthers)}</td></tr>`)}</tbody></table></div></section>`;
  const deleted =
    d.deletions.topChats.length === 0
      ? ""
      : html`<section><h2>Where others deleted most</h2>${barList(
          d.deletions.topChats.map((c) => ({ label: chatLabel(c), value: c.count })),
          "Deletions by others per chat",
        )}</section>`;
  return html`${active}${deleted}`;
}

function types(d: ReportData): Markup | string {
  if (d.types.length === 0) return "";
  const statuses = ["success", "error", "warning", "skipped", "pending"];
  return html`<section><h2>Events by source</h2>${barList(
    Object.entries(d.events.bySource).map(([source, n]) => ({ label: source, value: n })),
    "Events by source",
  )}
<h2>Events by type</h2><div class="table-wrap"><table class="auto"><thead><tr><th>Source</th><th>Type</th><th>Total</th>${statuses.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody>${d.types.map(
    (t) =>
      html`<tr><td data-label="Source">${t.source}</td><td data-label="Type"><a href="/ui/events?${new URLSearchParams({ type: t.type, since: new Date(d.period.start).toISOString(), until: new Date(d.period.end).toISOString() })}">${text(t.type)}</a></td><td data-label="Total">${fmt(t.total)}</td>${statuses.map((s) => html`<td data-label="${s}">${fmt(t.byStatus[s] ?? 0)}</td>`)}</tr>`,
  )}</tbody></table></div></section>`;
}

function files(d: ReportData): Markup | string {
  const { byProject, topOwners } = d.files;
  if (byProject.length === 0 && topOwners.length === 0) return "";
  return html`<section><h2>File changes by project</h2><div class="table-wrap"><table class="auto">
<thead><tr><th>Project</th><th>Created</th><th>Modified</th><th>Deleted</th><th>Renamed</th><th>Problems</th></tr></thead>
<tbody>${byProject.map((p) => html`<tr><td data-label="Project">${p.project === "" ? html`<span class="more">none</span>` : text(p.project)}</td><td data-label="Created">${fmt(p.created)}</td><td data-label="Modified">${fmt(p.modified)}</td><td data-label="Deleted">${fmt(p.deleted)}</td><td data-label="Renamed">${fmt(p.renamed)}</td><td data-label="Problems">${fmt(p.problems)}</td></tr>`)}</tbody></table></div>
${
  topOwners.length === 0
    ? ""
    : html`<h2>By file owner</h2>${barList(
        topOwners.map((o) => ({ label: o.owner, value: o.count })),
        "File changes by owner",
      )}`
}
</section>`;
}

function problems(d: ReportData): Markup | string {
  const p = d.problems;
  if (p.top.length === 0) return "";
  return html`<section><h2>Errors and warnings (${fmt(p.distinct)} kinds${p.overflow > 0 ? html`, ${fmt(p.overflow)} more not grouped` : ""})</h2>
<div class="table-wrap"><table class="auto"><thead><tr><th>Status</th><th>Type</th><th>Count</th><th>Last</th><th>Message</th></tr></thead>
<tbody>${p.top.map((g) => html`<tr><td data-label="Status" class="status-${g.status}">${g.status}</td><td data-label="Type">${text(g.type)}</td><td data-label="Count">${fmt(g.count)}</td><td data-label="Last" class="when">${timeOf(g.lastAt)}</td><td data-label="Message" class="err" title="${svgText(g.example)}">${text(g.message)}</td></tr>`)}</tbody></table></div></section>`;
}

function durations(d: ReportData): Markup | string {
  if (d.durations.length === 0) return "";
  return html`<section><h2>Durations (ms)</h2><div class="table-wrap"><table class="auto"><thead><tr><th>Type</th><th>Count</th><th>Average</th><th>p95</th><th>p99</th><th>Max</th></tr></thead>
<tbody>${d.durations.map((x) => html`<tr><td data-label="Type">${text(x.type)}</td><td data-label="Count">${fmt(x.count)}</td><td data-label="Average">${fmt(x.avgMs)}</td><td data-label="p95">${fmt(x.p95Ms)}</td><td data-label="p99">${fmt(x.p99Ms)}</td><td data-label="Max">${fmt(x.maxMs)}</td></tr>`)}</tbody></table></div></section>`;
}

/** Whether the period holds nothing at all. */
export function nothingRecorded(d: ReportData): boolean {
  return d.events.total === 0 && d.messages.total === 0;
}

function title(d: ReportData): string {
  const { period } = d;
  const first = period.days[0]!.date;
  const last = period.days.at(-1)!.date;
  const span =
    period.kind === "monthly" ? first.slice(0, 7) : period.kind === "daily" ? first : `${first} to ${last}`;
  return `${KIND_TITLE[period.kind]} report, ${span}`;
}

/** The report page of `r`. */
export function reportPage(r: ReportResult, nav: ReportNav): Markup {
  const d = r.data;
  const { period } = d;
  const pager = html`<nav class="pager" aria-label="Periods">
<span><a rel="prev" href="${reportLink(nav.kind, nav.params, nav.previousDate)}">← ${PREVIOUS[nav.kind]}</a></span>
<span>${nav.nextDate === null ? "" : html`<a rel="next" href="${reportLink(nav.kind, nav.params, nav.nextDate)}">next →</a>`}</span>
</nav>`;
  const body = nothingRecorded(d)
    ? html`<p class="empty">Nothing recorded in this period.</p>`
    : html`${summary(d)}${timeline(r)}${chats(d)}${types(d)}${files(d)}${problems(d)}${durations(d)}`;
  return page(
    title(d),
    html`<h1>${title(d)}</h1>
${tabs(nav.kind, nav.params)}
${chooser(nav.kind, nav.params)}
<p class="summary">${timeOf(period.start)} to ${timeOf(period.end)}, days cut in ${period.timeZone}${d.complete ? "" : ", still running: so far"}. <a href="/api/reports/${nav.kind}?${nav.params}">As JSON</a></p>
${pager}
${body}`,
    true,
  );
}

/** A report page that could not be made: the form and the problem. */
export function reportProblemPage(kind: ReportKind | null, params: URLSearchParams, problem: string): Markup {
  return page(
    "Reports",
    html`<h1>Reports</h1>
${tabs(kind, params)}
${kind === null ? "" : chooser(kind, params)}
<p class="problem" role="alert">${problem}</p>`,
    true,
  );
}

/** The index: each kind of report at its default period. */
export function reportsIndexPage(defaults: { kind: ReportKind; date: string; what: string }[]): Markup {
  return page(
    "Reports",
    html`<h1>Reports</h1>
<p>The figures of <code>telegram-logger report</code>, as pages with charts.</p>
<ul>${defaults.map((x) => html`<li><a href="${reportLink(x.kind, new URLSearchParams(), x.date)}">${KIND_TITLE[x.kind]}</a>: ${x.what} (from ${x.date})</li>`)}</ul>`,
    true,
  );
}
