/**
 * The search page: the form, the state of the index while it is being built, and the results,
 * each linking to where it belongs (a message in its chat, an event's details). Snippets are
 * parts (search-snippet.ts) interpolated into Hono's escaping `html` template, matches inside
 * `<mark>`: text from the database is never markup, and each snippet sits in `<bdi>` so an RTL
 * override in a message cannot reorder the page.
 */
import { html } from "hono/html";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";
import { CANDIDATES, SCAN_BUDGET, type SearchHit, type SearchResult } from "./search-query.ts";
import type { SnippetPart } from "./search-snippet.ts";

/** What the page shows. */
export interface SearchView {
  params: URLSearchParams;
  result: SearchResult | null;
  problem: string | null;
}

/** Where a hit leads: the message in its chat's transcript, or the event's details. */
export function hitLink(h: SearchHit): string {
  if (h.kind === "event") return `/ui/events/${h.id}`;
  return `/ui/chats/${h.chatId}?around=${h.messageId}`;
}

const FIELDS: { name: string; label: string; hint: string }[] = [
  { name: "chat", label: "Chat id", hint: "-100…" },
  { name: "sender", label: "Sender id", hint: "" },
  { name: "source", label: "Source", hint: "telegram, fs, system" },
  { name: "since", label: "Since", hint: "2026-11-01, 7d" },
  { name: "until", label: "Until", hint: "2026-11-02T08:30Z" },
];

const checked = (params: URLSearchParams, name: string) =>
  /^(1|true|yes|on)$/i.test(params.get(name) ?? "") ? html` checked` : "";

function form(params: URLSearchParams): Markup {
  const sort = params.get("sort") === "newest" ? "newest" : "relevance";
  return html`<form class="filters search-form" method="get" action="/ui/search" role="search">
<div class="search-box"><label for="f-q">Search messages, every earlier version, file paths, diffs and errors</label>
<input id="f-q" name="q" type="search" value="${params.get("q") ?? ""}" placeholder="at least 3 characters; &quot;a phrase&quot;" autofocus></div>
<div class="fields">
${FIELDS.map((f) => html`<div><label for="f-${f.name}">${f.label}</label><input id="f-${f.name}" name="${f.name}" value="${params.get(f.name) ?? ""}" placeholder="${f.hint}"></div>`)}
<div><label for="f-sort">Order</label><select id="f-sort" name="sort">
<option value="relevance"${sort === "relevance" ? html` selected` : ""}>Best match</option>
<option value="newest"${sort === "newest" ? html` selected` : ""}>Newest first</option>
</select></div>
</div>
<div class="actions">
<label class="check"><input type="checkbox" name="deleted" value="1"${checked(params, "deleted")}> Deleted only</label>
<label class="check"><input type="checkbox" name="edited" value="1"${checked(params, "edited")}> Edited only</label>
<button type="submit">Search</button><a href="/ui/search">Clear</a>
</div>
</form>`;
}

function snippetMarkup(parts: SnippetPart[]): Markup {
  return html`<bdi class="snippet">${parts.map((p) => (p.mark ? html`<mark>${visible(p.text)}</mark>` : visible(p.text)))}</bdi>`;
}

function what(h: SearchHit): Markup {
  const time = new Date(h.at).toISOString();
  const when = html`<time datetime="${time}">${time}</time>`;
  if (h.kind === "event")
    return html`<span class="kind">${h.eventType}</span> <span class="status-${h.status ?? ""}">${h.status}</span> · ${h.field} · ${when}`;
  const chat = h.chatName ? html`<bdi>${visible(h.chatName)}</bdi>` : html`chat ${h.chatId}`;
  const sender = h.senderName
    ? html` · <bdi>${visible(h.senderName)}</bdi>`
    : h.senderId === null
      ? ""
      : html` · ${h.senderId}`;
  const badges = [
    h.version !== null
      ? html`<span class="badge old">earlier version: v${h.version} of ${h.revisionCount}</span>`
      : h.revisionCount > 0
        ? html`<span class="badge">edited (${h.revisionCount})</span>`
        : "",
    h.deletedAt !== null
      ? html`<span class="badge deleted">deleted${h.deletionKind && h.deletionKind !== "deleted" ? html` (${h.deletionKind})` : ""}</span>`
      : "",
    h.alsoInVersions.length > 0
      ? html`<span class="badge">also in v${h.alsoInVersions.join(", v")}</span>`
      : "",
  ];
  return html`${chat}${sender} · #${h.messageId} · ${when} ${badges}`;
}

function hit(h: SearchHit): Markup {
  return html`<li class="hit">
<a class="hit-link" href="${hitLink(h)}">${h.kind === "event" ? `Event ${h.id}` : h.version !== null ? "Earlier version of a message" : "Message"}</a>
<div class="hit-meta">${what(h)}</div>
<p class="hit-text${h.kind === "event" && h.field !== "error" ? " mono" : ""}">${snippetMarkup(h.snippet)}</p>
</li>`;
}

function indexNote(r: SearchResult): Markup | "" {
  const { percent, backfillLeft, queued } = r.index;
  if (backfillLeft > 0)
    return html`<p class="note" role="status">Index being built: ${percent}% — older rows are not found yet.</p>`;
  if (queued > 0)
    return html`<p class="note" role="status">${queued} recent rows are still being indexed.</p>`;
  return "";
}

function results(r: SearchResult): Markup {
  if (r.tooShort)
    return html`<p class="empty">Type at least 3 characters: shorter words are only checked alongside a longer one.</p>`;
  const incomplete = r.complete
    ? ""
    : html`<p class="note">Only the newest ${SCAN_BUDGET.toLocaleString("en-US")} matches of a kind were read: add a word or a filter to reach older ones.</p>`;
  if (r.hits.length === 0) return html`${indexNote(r)}${incomplete}<p class="empty">Nothing found.</p>`;
  return html`${indexNote(r)}<p class="summary">${r.hits.length} shown, ranked among the newest ${Math.max(CANDIDATES, r.hits.length)} matches of each kind.</p>${incomplete}
<ol class="hits">${r.hits.map(hit)}</ol>`;
}

/** The whole search page. */
export function searchPage(view: SearchView): Markup {
  const { params, result, problem } = view;
  return page(
    "Search",
    html`<h1>Search</h1>
${form(params)}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
<section class="search-results">${result === null ? "" : results(result)}</section>`,
    true,
  );
}
