/**
 * The chat view: a transcript like Telegram's, oldest at the top. Each message shows its sender,
 * time, the message it replies to (quoted, linked), its file inline (image, video, audio) or as a
 * download, its text with formatting, and what happened to it: deleted (when, and by whom as far as
 * the service can tell) or edited (every stored version, each with a word diff to the one before).
 */
import { html } from "hono/html";
import { formatBytes } from "../posts/format.ts";
import { mediaLine } from "../posts/media-line.ts";
import type { WordChange } from "../posts/word-diff.ts";
import { chatTitle } from "./chat-list-query.ts";
import { timeTag } from "./chats-page.ts";
import { visible, visibleText } from "./events-page.ts";
import { formattedHtml } from "./formatted-html.ts";
import { type Markup, page } from "./layout.ts";
import { mediaElementOf } from "./media-type.ts";
import type { TranscriptMessage, TranscriptPage, TranscriptRevision } from "./transcript-query.ts";

export interface TranscriptView {
  chatId: number;
  params: URLSearchParams;
  page: TranscriptPage | null;
  problem: string | null;
}

/** How a deletion happened, in words. */
export function deletionWords(kind: string | null): string {
  if (kind === "own") return "deleted by you (from another device)";
  if (kind === "auto_delete") return "removed by the auto-delete timer";
  return "deleted by someone in the chat";
}

/** The link to message `messageId` in its chat's transcript (the page centred on it). */
export function messageHref(chatId: number, messageId: number): string {
  return `/ui/chats/${chatId}?around=${messageId}#m${messageId}`;
}

function diffHtml(diff: WordChange[]): Markup {
  return html`${diff.map((d) =>
    d.change === "removed"
      ? html`<del>${visible(d.text)}</del>`
      : d.change === "added"
        ? html`<ins>${visible(d.text)}</ins>`
        : visible(d.text),
  )}`;
}

function revision(r: TranscriptRevision): Markup {
  const when = r.editDate ?? r.recordedAt;
  return html`<li>
<p class="meta">${r.version === 0 ? "Original" : `Version ${r.version}`} · ${timeTag(when)}${r.media ? html` · ${visible(mediaLine(r.media, ""))}` : ""}</p>
<div class="text">${formattedHtml(r.text, r.entities)}</div>
${r.version > 0 && r.diff !== null ? html`<div class="diff" aria-label="Changes from the version before">${diffHtml(r.diff)}</div>` : ""}
${r.version > 0 && r.diff === null ? html`<p class="muted">(too long to diff)</p>` : ""}
</li>`;
}

function mediaBlock(m: TranscriptMessage): Markup | string {
  if (m.media === null) return "";
  const f = m.file;
  const kept = f !== null && (f.status === "stored" || f.status === "vaulted");
  const line = visible(
    mediaLine(m.media, kept ? "" : f === null ? "not kept" : `not kept (${f.reason ?? f.status})`),
  );
  if (!kept || f === null) return html`<p class="media-line">${line}</p>`;
  const src = `/ui/media/${f.id}`;
  const size = f.size ? ` (${formatBytes(f.size)})` : "";
  switch (mediaElementOf(m.media)) {
    case "img":
      return html`<a class="media" href="${src}"><img src="${src}" alt="${m.media.kind} of message ${m.messageId}" loading="lazy"></a>`;
    case "video":
      return html`<video class="media" src="${src}" controls preload="metadata"></video>`;
    case "audio":
      return html`<audio class="media" src="${src}" controls preload="metadata"></audio>`;
    default:
      return html`<p class="media-line"><a href="${src}" download>Download</a> ${line}${size}</p>`;
  }
}

function message(chatId: number, m: TranscriptMessage, highlight: number | null): Markup {
  const classes = [
    "msg",
    m.outgoing ? "out" : "",
    m.deletedAt !== null ? "deleted" : "",
    m.messageId === highlight ? "highlight" : "",
  ]
    .filter((c) => c !== "")
    .join(" ");
  const reply = m.replyTo
    ? html`<a class="reply" href="${messageHref(chatId, m.replyTo.messageId)}">${
        m.replyTo.found
          ? html`<span class="who"><bdi>${visible(m.replyTo.senderName ?? "")}</bdi></span> <bdi>${visible(m.replyTo.snippet)}</bdi>${m.replyTo.snippet === "" && m.replyTo.mediaKind ? `[${m.replyTo.mediaKind}]` : ""}${m.replyTo.deleted ? " (deleted)" : ""}`
          : html`<span class="muted">Reply to message #${m.replyTo.messageId} (not stored)</span>`
      }</a>`
    : "";
  const edits = m.revisions.length;
  return html`<li id="m${m.messageId}" class="${classes}">
<p class="meta"><span class="who"><bdi>${visible(m.senderName ?? (m.outgoing ? "You" : ""))}</bdi></span> ${timeTag(m.date)} <a class="id" href="${messageHref(chatId, m.messageId)}">#${m.messageId}</a>${m.editDate !== null || m.revisions.length > 0 ? html` <span class="mark">edited</span>` : ""}${m.selfDestructing ? html` <span class="mark">view-once</span>` : ""}${m.ttlPeriod ? html` <span class="mark">auto-delete ${m.ttlPeriod} s</span>` : ""}</p>
${m.forwardedFrom !== null ? html`<p class="fwd">Forwarded${m.forwardedFrom === "" ? "" : html` from <bdi>${visible(m.forwardedFrom)}</bdi>`}</p>` : ""}
${reply}
${mediaBlock(m)}
${m.text === "" ? "" : html`<div class="text">${formattedHtml(m.text, m.entities)}</div>`}
${m.deletedAt !== null ? html`<p class="mark deleted-mark">Deleted ${timeTag(m.deletedAt)}: ${deletionWords(m.deletionKind)}</p>` : ""}
${edits > 0 ? html`<details class="history"><summary>Edited ${edits - 1}× · every version</summary><ol>${m.revisions.map(revision)}</ol></details>` : ""}
</li>`;
}

function pager(chatId: number, p: TranscriptPage): Markup {
  return html`<nav class="pager" aria-label="Pages">
<span>${p.older === null ? "" : html`<a rel="prev" href="/ui/chats/${chatId}?before=${p.older}">← Older</a>`}</span>
<span>${p.newer === null ? "" : html`<a rel="next" href="/ui/chats/${chatId}?after=${p.newer}">Newer →</a> · <a href="/ui/chats/${chatId}">Latest</a>`}</span>
</nav>`;
}

export function transcriptPage(view: TranscriptView): Markup {
  const { chatId, params, page: p, problem } = view;
  const chat = p?.chat ?? null;
  const title = chat ? chatTitle(chat) : `Chat ${chatId}`;
  const head = chat
    ? html`<p class="summary">${chat.type} · ${chat.messages} messages · ${chat.deleted} deleted · ${chat.edited} edited · ${chat.mediaKept} files kept · <a href="/ui/changes?chat=${chatId}">what changed</a></p>`
    : "";
  const jump = html`<form class="jump" method="get" action="/ui/chats/${chatId}">
<label for="f-date">Jump to date</label>
<input id="f-date" name="date" type="date" value="${params.get("date") ?? ""}">
<button type="submit">Go</button>
</form>`;
  const body =
    p === null || chat === null
      ? ""
      : html`${p.pastTheEnd ? html`<p class="muted">No message was sent on or after that day; these are the newest.</p>` : ""}
${pager(chatId, p)}
<ol class="transcript">${p.messages.map((m) => message(chatId, m, p.highlight))}</ol>
${pager(chatId, p)}`;
  return page(
    visibleText(title),
    html`<p><a href="/ui/chats">← Chats</a></p>
<h1><bdi>${visible(title)}</bdi></h1>
${head}
${jump}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
${body}`,
    true,
  );
}
