/**
 * The "what changed" page: the feed of deletions, edits, view-once captures and saved links, each
 * with the message's text (an edit with its word diff) and a link to the message in its chat.
 */
import { html } from "hono/html";
import { mediaLine } from "../posts/media-line.ts";
import { CHANGE_KINDS, type ChangeItem, type ChangesPage } from "./changes-query.ts";
import { timeTag } from "./chats-page.ts";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";
import { deletionWords, messageHref } from "./transcript-page.ts";

export interface ChangesView {
  params: URLSearchParams;
  page: ChangesPage | null;
  problem: string | null;
}

const KIND_LABEL: Record<string, string> = {
  deleted: "Deleted",
  edited: "Edited",
  view_once: "View-once",
  saved: "Saved link",
};

function title(i: ChangeItem): string {
  if (i.kind === "deleted") return `Deleted: ${deletionWords(i.deletionKind)}`;
  if (i.kind === "edited") return i.version === null ? "Edited" : `Edited (version ${i.version})`;
  if (i.kind === "view_once")
    return i.type.endsWith("_expired") ? "View-once media expired" : "View-once media opened";
  return i.status === "success" ? "Link saved" : "Link not saved";
}

function item(i: ChangeItem): Markup {
  const where =
    i.chatId === null
      ? ""
      : html`<a href="/ui/chats/${i.chatId}"><bdi>${visible(i.chatName ?? String(i.chatId))}</bdi></a>`;
  const open =
    i.chatId !== null && i.messageId !== null && i.found
      ? html` · <a href="${messageHref(i.chatId, i.messageId)}">open in chat #${i.messageId}</a>`
      : i.messageId !== null
        ? html` · #${i.messageId}${i.found ? "" : " (not stored)"}`
        : "";
  const text =
    i.diff !== null
      ? html`<div class="diff">${i.diff.map((d) =>
          d.change === "removed"
            ? html`<del>${visible(d.text)}</del>`
            : d.change === "added"
              ? html`<ins>${visible(d.text)}</ins>`
              : visible(d.text),
        )}</div>`
      : i.text === ""
        ? ""
        : html`<div class="text">${visible(i.text)}${i.textCut > 0 ? html`<span class="more">… (${i.textCut} more characters)</span>` : ""}</div>`;
  return html`<li class="change change-${i.kind}${i.status === "success" ? "" : " failed"}">
<p class="meta"><strong>${title(i)}</strong> · ${timeTag(i.occurredAt)} · ${where}${i.senderName === null ? "" : html` · from <bdi>${visible(i.senderName)}</bdi>`}${open}</p>
${i.media === null ? "" : html`<p class="media-line">${visible(mediaLine(i.media, ""))}</p>`}
${text}
${i.link === null ? "" : html`<p class="mono">Link: <bdi>${visible(i.link)}</bdi></p>`}
${i.error === null ? "" : html`<p class="err"><bdi>${visible(i.error)}</bdi></p>`}
</li>`;
}

function linkWith(params: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  for (const k of ["before", "after"]) next.delete(k);
  for (const [k, v] of Object.entries(changes)) if (v !== null) next.set(k, v);
  return `/ui/changes?${next}`;
}

export function changesPage(view: ChangesView): Markup {
  const { params, page: p, problem } = view;
  const kinds = params.getAll("kind").flatMap((v) => v.split(","));
  const form = html`<form class="filters" method="get" action="/ui/changes">
<div class="fields">
<div><label for="f-kind">Kind</label><select id="f-kind" name="kind"><option value="">any</option>${CHANGE_KINDS.map(
    (k) => html`<option value="${k}"${kinds.includes(k) ? html` selected` : ""}>${KIND_LABEL[k]}</option>`,
  )}</select></div>
<div><label for="f-chat">Chat id</label><input id="f-chat" name="chat" value="${params.get("chat") ?? ""}" placeholder="-100…"></div>
</div>
<div class="actions"><button type="submit">Filter</button><a href="/ui/changes">Clear</a></div>
</form>`;
  const items = p?.items ?? [];
  const pager =
    p === null
      ? ""
      : html`<nav class="pager" aria-label="Pages">
<span>${p.newer === null ? "" : html`<a rel="prev" href="${linkWith(params, { after: String(p.newer) })}">← Newer</a>`}</span>
<span>${p.older === null ? "" : html`<a rel="next" href="${linkWith(params, { before: String(p.older) })}">Older →</a>`}</span>
</nav>`;
  return page(
    "What changed",
    html`<h1>What changed</h1>
${form}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
${items.length === 0 ? html`<p class="empty">${problem === null ? "Nothing changed." : ""}</p>` : html`<ol class="changes">${items.map(item)}</ol>`}
${pager}`,
    true,
  );
}
