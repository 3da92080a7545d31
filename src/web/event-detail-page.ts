/**
 * The event detail page: every column of one `events` row, `details` as pretty-printed JSON, a
 * file change's diff coloured, the message the event concerns with every version, and the events
 * of the same correlation id. Every value is escaped text (`html`), shown with its invisible
 * characters (`visible`) inside `<bdi>`; nothing is cut: long values fold away instead.
 */
import { html } from "hono/html";
import { EVENT_COLUMNS } from "../export/event-rows.ts";
import { diffView, jsonView, timeOf } from "./diff-view.ts";
import type { ConcernedMessage, EventDetail, RelatedEvent } from "./event-detail-query.ts";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";

const TIME_COLUMNS = new Set(["occurred_at", "recorded_at"]);

/** Text as the page shows it: escaped, invisible characters marked, isolated from its neighbours. */
const text = (v: string | number | null | undefined): Markup | string =>
  v === null || v === undefined
    ? html`<span class="more">null</span>`
    : html`<bdi>${visible(String(v))}</bdi>`;

/** The events list filtered on one value. */
const eventsWith = (name: string, value: string | number) =>
  `/ui/events?${new URLSearchParams({ [name]: String(value) })}`;

/** The chat view at a message (the chats page). */
export const chatLink = (chatId: string | number, messageId: string | number) =>
  `/ui/chats/${encodeURIComponent(String(chatId))}?around=${encodeURIComponent(String(messageId))}`;

/** A file's history page. */
export const historyLink = (path: string) => `/ui/files/history?${new URLSearchParams({ path })}`;

function cell(column: string, d: EventDetail): Markup | string {
  const e = d.event;
  const v = e[column as keyof typeof e];
  if (v === null) return text(null);
  if (TIME_COLUMNS.has(column)) return timeOf(v);
  switch (column) {
    case "details":
      return jsonView(String(v));
    case "type":
    case "source":
    case "status":
    case "project":
    case "username":
      return html`<a href="${eventsWith(column, v)}">${text(v)}</a>`;
    case "correlation_id":
      return html`<a href="${eventsWith("correlation", v)}">${text(v)}</a>`;
    case "chat_id":
      return html`<a href="${eventsWith("chat", v)}">${v}</a>`;
    case "path":
      return html`<a href="${historyLink(String(v))}">${text(v)}</a>`;
    default:
      return text(v);
  }
}

/** The diff in `details`, when the event is a file change that recorded one. */
function diffSection(details: string | number | null): Markup | string {
  if (typeof details !== "string") return "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return "";
  }
  if (parsed === null || typeof parsed !== "object") return "";
  const { diff, diffSkipped } = parsed as { diff?: unknown; diffSkipped?: unknown };
  if (typeof diff === "string") return html`<section><h2>Diff</h2>${diffView(diff)}</section>`;
  if (diffSkipped !== undefined)
    return html`<section><h2>Diff</h2><p class="more">No diff recorded: ${text(String(diffSkipped))}</p></section>`;
  return "";
}

function version(r: ConcernedMessage["revisions"][number]): Markup {
  return html`<li><div class="meta">Version ${r.version}${r.version === 0 ? " (original)" : ""} · edited ${timeOf(r.edit_date) || "—"} · recorded ${timeOf(r.recorded_at)}</div>
<div class="msg-text">${text(r.text)}</div>${r.media === null ? "" : html`<div class="more">media: ${text(r.media)}</div>`}</li>`;
}

function messageSection(m: ConcernedMessage | null, d: EventDetail): Markup | string {
  const e = d.event;
  if (e.chat_id === null || e.message_id === null) return "";
  if (m === null)
    return html`<section><h2>Message</h2><p class="more">Message ${e.message_id} of chat ${e.chat_id} is not stored (never seen, or purged by retention).</p>
<p><a href="${chatLink(e.chat_id, e.message_id)}">Open the chat at this message</a></p></section>`;
  const msg = m.message;
  const deleted =
    msg.deleted_at === null
      ? ""
      : html`<p class="status-error">Deleted ${timeOf(msg.deleted_at)}${msg.deletion_kind === null ? "" : html` (${text(msg.deletion_kind)})`}</p>`;
  return html`<section><h2>Message</h2>
<p>${m.chatName === null ? "" : html`${text(m.chatName)} · `}chat ${msg.chat_id} · message ${msg.message_id} · from ${text(msg.sender_id)} · sent ${timeOf(msg.date)}
· <a href="${chatLink(String(msg.chat_id), String(msg.message_id))}">Open in the chat</a></p>
${deleted}
<div class="msg-text">${text(msg.text)}</div>
${msg.media === null ? "" : html`<p class="more">media: ${text(msg.media)}</p>`}
${
  m.revisions.length === 0
    ? html`<p class="more">Never edited.</p>`
    : html`<h3>Every version (${m.revisions.length})</h3><ol class="versions">${m.revisions.map(version)}</ol>`
}
</section>`;
}

function relatedRow(r: RelatedEvent, current: number): Markup {
  const where =
    r.chat_id !== null
      ? html`${r.chat_id}${r.message_id === null ? "" : html` #${r.message_id}`}`
      : text(r.path ?? "");
  return html`<tr${r.id === current ? html` aria-current="true" class="current"` : ""}>
<td class="when" data-label="Time">${timeOf(r.occurred_at)}</td>
<td data-label="Event"><a href="/ui/events/${r.id}">#${r.id}</a></td>
<td data-label="Type">${text(r.type)}</td>
<td data-label="Status" class="status-${r.status}">${r.status}</td>
<td data-label="Chat / path" class="mono">${where}</td>
</tr>`;
}

function relatedSection(d: EventDetail): Markup | string {
  const id = d.event.correlation_id;
  if (id === null) return "";
  return html`<section><h2>Same correlation id (${d.related.length}${d.relatedMore ? "+" : ""})</h2>
<div class="table-wrap"><table class="auto"><thead><tr><th>Time</th><th>Event</th><th>Type</th><th>Status</th><th>Chat / path</th></tr></thead>
<tbody>${d.related.map((r) => relatedRow(r, Number(d.event.id)))}</tbody></table></div>
${d.relatedMore ? html`<p><a href="${eventsWith("correlation", id)}">All events of this correlation id</a></p>` : ""}
</section>`;
}

/** The detail page of `d`. */
export function eventDetailPage(d: EventDetail): Markup {
  const id = d.event.id;
  return page(
    `Event ${id}`,
    html`<p><a href="/ui/events">← Events</a></p>
<h1>Event #${id}: ${text(d.event.type)}</h1>
<dl class="columns">${EVENT_COLUMNS.map((c) => html`<dt>${c}</dt><dd>${cell(c, d)}</dd>`)}</dl>
${diffSection(d.event.details)}
${messageSection(d.message, d)}
${relatedSection(d)}`,
    true,
  );
}

/** The page for an id that is not an event, or not an id. */
export function eventProblemPage(problem: string): Markup {
  return page(
    "Event",
    html`<p><a href="/ui/events">← Events</a></p><h1>Event</h1><p class="problem" role="alert">${problem}</p>`,
    true,
  );
}
