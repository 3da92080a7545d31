/**
 * The events page: the filter form, counts per facet, a histogram over time, the rows newest or
 * oldest first, links to the pages before and after, and the list as CSV or JSON lines. Every value from the database is interpolated into Hono's `html`
 * template (escaped) inside `<bdi>` (an RTL override in a file name cannot reorder the page), and
 * long values are cut for the list (the API answers them whole).
 */
import { html } from "hono/html";
import type { EventRecord } from "../export/event-rows.ts";
import type { EventHistogram } from "./event-histogram.ts";
import { type EventPage, type EventSort, FACET_SAMPLE, type FacetCounts } from "./event-query.ts";
import { histogramSvg } from "./histogram-svg.ts";
import { type Markup, page } from "./layout.ts";

/** Characters of a value shown in a list cell before it is cut. */
export const CELL_CHARS = 300;

/** The form fields, in order, with their labels and hints. */
const FIELDS: { name: string; label: string; hint: string; more?: true }[] = [
  { name: "q", label: "Text", hint: "in path, error, details, type" },
  { name: "since", label: "Since", hint: "2026-11-01, 7d" },
  { name: "until", label: "Until", hint: "2026-11-02T08:30Z" },
  { name: "source", label: "Source", hint: "telegram, fs, system" },
  { name: "type", label: "Type", hint: "message.deleted, file.*" },
  { name: "status", label: "Status", hint: "error, warning" },
  { name: "chat", label: "Chat id", hint: "-100…", more: true },
  { name: "path", label: "Path starts with", hint: "/srv/docs/", more: true },
  { name: "project", label: "Project", hint: "", more: true },
  { name: "username", label: "Username", hint: "", more: true },
  { name: "correlation", label: "Correlation id", hint: "", more: true },
  { name: "sender", label: "Sender (user id)", hint: "123456789", more: true },
  { name: "limit", label: "Rows", hint: "100", more: true },
];

/** What the page shows. */
export interface EventsView {
  /** The query string as given, to refill the form and build links. */
  params: URLSearchParams;
  sort: EventSort;
  page: EventPage | null;
  facets: Record<string, FacetCounts> | null;
  histogram: EventHistogram | null;
  /** A bad parameter's message (the page then shows no rows). */
  problem: string | null;
}

/**
 * Characters that change how text around them looks without showing themselves: bidirectional
 * overrides and isolates (a file `invoice\u202Efdp.exe` reads as `invoiceexe.pdf`), zero-width
 * characters, the byte-order mark. An audit trail shows them, as their code point.
 */
export const INVISIBLE = /([\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF])/;

/** `s` with every invisible character written as `U+XXXX`, for plain text such as a page title. */
export function visibleText(s: string): string {
  return s.replace(
    new RegExp(INVISIBLE.source, "g"),
    (ch) => `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/** `s` as text with every invisible character shown as a marked `U+XXXX`. */
export function visible(s: string): Markup {
  const parts = s.split(INVISIBLE);
  return html`${parts.map((part, i) =>
    i % 2 === 1
      ? html`<span class="ctl" title="invisible character">U+${part.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}</span>`
      : part,
  )}`;
}

/** `text` cut to `CELL_CHARS` characters, saying how much more there is. */
function cut(text: string | number | null): Markup | string {
  if (text === null) return "";
  const s = String(text);
  if (s.length <= CELL_CHARS) return html`<bdi>${visible(s)}</bdi>`;
  return html`<bdi>${visible(s.slice(0, CELL_CHARS))}</bdi><span class="more">… (${s.length - CELL_CHARS} more characters)</span>`;
}

/** The events list at `params` with `name` set to `value` (and the page position reset). */
function linkWith(params: URLSearchParams, name: string, value: string): string {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  next.set(name, value);
  return `/ui/events?${next}`;
}

/** The events list at `params` with `changes` made (and the page position reset). */
function linkWithAll(params: URLSearchParams, changes: Record<string, string>): string {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  for (const [name, value] of Object.entries(changes)) next.set(name, value);
  return `/ui/events?${next}`;
}

/** `path` with the filter of `params` (no page position or size: an export has every row). */
function exportLink(path: string, params: URLSearchParams, extra = ""): string {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  next.delete("limit");
  for (const [name, value] of [...next]) if (value.trim() === "") next.delete(name);
  const query = `${next}${extra === "" ? "" : `${next.size > 0 ? "&" : ""}${extra}`}`;
  return query === "" ? path : `${path}?${query}`;
}

function pageLink(params: URLSearchParams, cursor: string): string {
  const next = new URLSearchParams(params);
  next.set("cursor", cursor);
  return `/ui/events?${next}`;
}

function row(e: EventRecord, params: URLSearchParams): Markup {
  const iso = new Date(Number(e.occurred_at)).toISOString();
  const where =
    e.chat_id !== null
      ? html`<a href="${linkWith(params, "chat", String(e.chat_id))}">${e.chat_id}</a>${e.message_id === null ? "" : html` #${e.message_id}`}`
      : cut(e.path);
  return html`<tr>
<td class="when" data-label="Time"><a href="/ui/events/${e.id}" title="Event ${e.id}: every column"><time datetime="${iso}">${iso}</time></a></td>
<td data-label="Source">${e.source}</td>
<td data-label="Type">${cut(e.type)}</td>
<td data-label="Status" class="status-${String(e.status)}">${e.status}</td>
<td data-label="Chat / path" class="mono">${where}</td>
<td data-label="Error" class="err">${cut(e.error)}</td>
</tr>`;
}

function facetList(title: string, name: string, counts: FacetCounts, params: URLSearchParams): Markup {
  return html`<h2>${title}</h2>
<ul>${counts.map(
    (f) =>
      html`<li><a href="${linkWith(params, name, f.value)}">${cut(f.value)}</a><span class="count">${f.count}</span></li>`,
  )}</ul>`;
}

function field(f: (typeof FIELDS)[number], params: URLSearchParams): Markup {
  return html`<div><label for="f-${f.name}">${f.label}</label><input id="f-${f.name}" name="${f.name}" value="${params.get(f.name) ?? ""}" placeholder="${f.hint}"></div>`;
}

function sortField(sort: EventSort): Markup {
  const option = (value: EventSort, label: string) =>
    html`<option value="${value}"${value === sort ? html` selected` : ""}>${label}</option>`;
  return html`<label class="order" for="f-sort">Order <select id="f-sort" name="sort">${option("newest", "Newest first")}${option("oldest", "Oldest first")}</select></label>`;
}

/** The filter form; the rarer filters fold away unless one of them is set (no script needed). */
function filterForm(params: URLSearchParams, sort: EventSort): Markup {
  const more = FIELDS.filter((f) => f.more);
  const open = more.some((f) => (params.get(f.name) ?? "") !== "");
  return html`<form class="filters" method="get" action="/ui/events">
<div class="fields">${FIELDS.filter((f) => !f.more).map((f) => field(f, params))}</div>
<details${open ? html` open` : ""}><summary>More filters</summary>
<div class="fields">${more.map((f) => field(f, params))}</div>
</details>
<div class="actions"><button type="submit">Filter</button>${sortField(sort)}<a href="/ui/events">Clear</a></div>
</form>`;
}

/** The whole events page. */
export function eventsPage(view: EventsView): Markup {
  const { params, sort, page: p, facets, histogram, problem } = view;
  const rows = p?.events ?? [];
  const newestFirst = sort === "newest";
  const otherSort = newestFirst ? "oldest" : "newest";
  const table =
    rows.length === 0
      ? html`<p class="empty">${problem === null ? "No events match." : ""}</p>`
      : html`<div class="table-wrap"><table>
<colgroup><col class="c-time"><col class="c-source"><col class="c-type"><col class="c-status"><col class="c-where"><col></colgroup>
<thead><tr><th><a href="${linkWith(params, "sort", otherSort)}" title="${newestFirst ? "Show oldest first" : "Show newest first"}">Time ${newestFirst ? "↓" : "↑"}</a></th><th>Source</th><th>Type</th><th>Status</th><th>Chat / path</th><th>Error</th></tr></thead>
<tbody>
${rows.map((e) => row(e, params))}
</tbody>
</table></div>`;
  const pager =
    p === null
      ? ""
      : html`<nav class="pager" aria-label="Pages">
<span>${p.previous === null ? "" : html`<a rel="prev" href="${pageLink(params, p.previous)}">${newestFirst ? "← Newer" : "← Older"}</a>`}</span>
<span>${p.next === null ? "" : html`<a rel="next" href="${pageLink(params, p.next)}">${newestFirst ? "Older →" : "Newer →"}</a>`}</span>
</nav>`;
  const side =
    facets === null
      ? ""
      : html`${facetList("Source", "source", facets.source ?? [], params)}${facetList("Status", "status", facets.status ?? [], params)}${facetList("Type", "type", facets.type ?? [], params)}<p class="facet-note">Counted among the newest ${FACET_SAMPLE.toLocaleString("en-US")} matching events.</p>`;
  return page(
    "Events",
    html`<h1>Events</h1>
${filterForm(params, sort)}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
<div class="layout">
<aside class="facets">${side}</aside>
<section>
${histogram === null ? "" : histogramSvg(histogram, (since, until) => linkWithAll(params, { since: new Date(since).toISOString(), until: new Date(until).toISOString() }))}
${
  p === null
    ? ""
    : html`<div class="list-head"><p class="summary">${rows.length} ${rows.length === 1 ? "event" : "events"} on this page, ${newestFirst ? "newest" : "oldest"} first.</p>
<p class="exports">Export every matching event: <a href="${exportLink("/api/events.csv", params)}" download>CSV</a> · <a href="${exportLink("/api/events.csv", params, "bom=1")}" download>CSV for Excel</a> · <a href="${exportLink("/api/events.jsonl", params)}" download>JSON lines</a></p></div>`
}
${table}
${pager}
</section>
</div>`,
    true,
  );
}
