/**
 * The chat list page: a filter form (type, name), sort links, and a table of chats with their
 * counts and last activity, each linking to its transcript.
 */
import { html } from "hono/html";
import { CHAT_TYPES } from "../model/message.ts";
import { type ChatListPage, type ChatSummary, chatTitle } from "./chat-list-query.ts";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";

export interface ChatsView {
  params: URLSearchParams;
  page: ChatListPage | null;
  problem: string | null;
}

function linkWith(params: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  next.delete("offset");
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  const qs = next.toString();
  return qs === "" ? "/ui/chats" : `/ui/chats?${qs}`;
}

/** A time as `<time>` (app.js shows it in the viewer's zone). */
export function timeTag(ms: number): Markup {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
}

function row(c: ChatSummary): Markup {
  return html`<tr>
<td data-label="Chat"><a href="/ui/chats/${c.chatId}"><bdi>${visible(chatTitle(c))}</bdi></a>${c.username ? html` <span class="muted">@${c.username}</span>` : ""}</td>
<td data-label="Type">${c.type}</td>
<td data-label="Messages" class="num">${c.messages}</td>
<td data-label="Deleted" class="num">${c.deleted === 0 ? "0" : html`<a href="/ui/changes?chat=${c.chatId}&kind=deleted">${c.deleted}</a>`}</td>
<td data-label="Edited" class="num">${c.edited === 0 ? "0" : html`<a href="/ui/changes?chat=${c.chatId}&kind=edited">${c.edited}</a>`}</td>
<td data-label="Media kept" class="num">${c.mediaKept}</td>
<td data-label="Last activity" class="when"><a href="/ui/chats/${c.chatId}?around=${c.lastMessageId}">${timeTag(c.lastDate)}</a></td>
</tr>`;
}

export function chatsPage(view: ChatsView): Markup {
  const { params, page: p, problem } = view;
  const sort = params.get("sort") === "name" ? "name" : "activity";
  const types = params.getAll("type").flatMap((v) => v.split(","));
  const form = html`<form class="filters" method="get" action="/ui/chats">
<div class="fields">
<div><label for="f-q">Name</label><input id="f-q" name="q" value="${params.get("q") ?? ""}" placeholder="name, @username or id"></div>
<div><label for="f-type">Type</label><select id="f-type" name="type"><option value="">any</option>${CHAT_TYPES.map(
    (t) => html`<option value="${t}"${types.includes(t) ? html` selected` : ""}>${t}</option>`,
  )}</select></div>
</div>
<input type="hidden" name="sort" value="${sort}">
<div class="actions"><button type="submit">Filter</button><a href="/ui/chats">Clear</a></div>
</form>`;
  const sorter = html`<p class="summary">Sort by:
${sort === "activity" ? html`<strong>last activity</strong>` : html`<a href="${linkWith(params, { sort: null })}">last activity</a>`} ·
${sort === "name" ? html`<strong>name</strong>` : html`<a href="${linkWith(params, { sort: "name" })}">name</a>`}</p>`;
  const chats = p?.chats ?? [];
  const table =
    chats.length === 0
      ? html`<p class="empty">${problem === null ? "No chats match." : ""}</p>`
      : html`<div class="table-wrap"><table class="chats">
<colgroup><col><col class="c-type"><col class="c-num"><col class="c-num"><col class="c-num"><col class="c-num"><col class="c-time"></colgroup>
<thead><tr><th>Chat</th><th>Type</th><th class="num">Messages</th><th class="num">Deleted</th><th class="num">Edited</th><th class="num">Media kept</th><th>Last activity</th></tr></thead>
<tbody>${chats.map(row)}</tbody></table></div>`;
  const next =
    p?.next == null
      ? ""
      : html`<nav class="pager" aria-label="Pages"><span></span><a rel="next" href="${(() => {
          const n = new URLSearchParams(params);
          n.set("offset", String(p.next));
          return `/ui/chats?${n}`;
        })()}">More →</a></nav>`;
  return page(
    "Chats",
    html`<h1>Chats</h1>
${form}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
${p === null ? "" : html`<p class="summary">${p.total} ${p.total === 1 ? "chat" : "chats"}.</p>`}
${p === null ? "" : sorter}
${table}
${next}`,
    true,
  );
}
