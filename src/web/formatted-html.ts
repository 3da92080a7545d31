/**
 * A message's text with its formatting entities as HTML, the way Telegram shows it: bold, italic,
 * underline, strike, spoiler, code, pre, quotes, and links. Entities may nest and overlap (their
 * offsets are UTF-16 units, as JavaScript strings count), so the text is cut at every entity edge
 * and each piece is wrapped in the tags of the entities covering it.
 *
 * Text stays text: every piece goes through Hono's escaping and `visible` (bidi overrides and
 * zero-width characters shown as their code points). A link is made only for http(s), tg and
 * mailto URLs (`safeHref`), so `javascript:` or `data:` in a message never becomes a link; a
 * text link (`MessageEntityTextUrl`) also shows its target beside its text, since the text of a
 * link is whatever its sender wanted the reader to believe.
 */
import { html } from "hono/html";
import type { StoredEntity } from "../model/entities.ts";
import { visible } from "./events-page.ts";
import type { Markup } from "./layout.ts";

const LINK_PROTOCOLS = new Set(["http:", "https:", "tg:", "mailto:"]);

/** `url` as a link target when it is http(s), tg or mailto; null otherwise (shown as text only). */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  return LINK_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
}

/** The target of a URL the text itself spells (`example.org/x` means https). */
function urlInText(text: string): string | null {
  const t = text.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(t)) return safeHref(t);
  return safeHref(`https://${t}`);
}

/** Where an entity links to, if it is a link with a safe target. */
function hrefOf(e: StoredEntity, text: string): string | null {
  switch (e._) {
    case "MessageEntityUrl":
      return urlInText(text);
    case "MessageEntityTextUrl":
      return e.url ? safeHref(e.url) : null;
    case "MessageEntityEmail":
      return safeHref(`mailto:${text.trim()}`);
    case "MessageEntityMention":
      return /^@[A-Za-z0-9_]{3,32}$/.test(text) ? `https://t.me/${text.slice(1)}` : null;
    case "MessageEntityMentionName":
    case "InputMessageEntityMentionName":
      return e.userId && /^\d+$/.test(e.userId) ? `tg://user?id=${e.userId}` : null;
    default:
      return null;
  }
}

/** `inner` wrapped in the markup of entity `e` (`whole` is the entity's whole text). */
function wrap(e: StoredEntity, inner: Markup, whole: string): Markup {
  switch (e._) {
    case "MessageEntityBold":
      return html`<strong>${inner}</strong>`;
    case "MessageEntityItalic":
      return html`<em>${inner}</em>`;
    case "MessageEntityUnderline":
      return html`<u>${inner}</u>`;
    case "MessageEntityStrike":
      return html`<s>${inner}</s>`;
    case "MessageEntitySpoiler":
      return html`<span class="spoiler">${inner}</span>`;
    case "MessageEntityCode":
      return html`<code>${inner}</code>`;
    case "MessageEntityPre":
      return html`<code class="pre"${e.language ? html` data-language="${e.language}"` : ""}>${inner}</code>`;
    case "MessageEntityBlockquote":
      return html`<span class="quote">${inner}</span>`;
    case "MessageEntityHashtag":
    case "MessageEntityCashtag":
    case "MessageEntityBotCommand":
    case "MessageEntityPhone":
    case "MessageEntityBankCard":
      return html`<span class="tag">${inner}</span>`;
    default: {
      const href = hrefOf(e, whole);
      if (href === null) return inner;
      return html`<a href="${href}" rel="noopener noreferrer nofollow" target="_blank">${inner}</a>`;
    }
  }
}

/** Entities with offsets and lengths clamped to `text` (stored rows may hold anything). */
function clamped(text: string, entities: readonly StoredEntity[]): StoredEntity[] {
  return entities
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .map((e) => {
      const offset = Math.max(0, Math.min(e.offset, text.length));
      return { ...e, offset, length: Math.max(0, Math.min(e.length, text.length - offset)) };
    })
    .filter((e) => e.length > 0)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** `text` with `entities` rendered as HTML; every character of `text` appears, escaped. */
export function formattedHtml(text: string, entities: readonly StoredEntity[]): Markup {
  const list = clamped(text, entities);
  if (list.length === 0) return visible(text);
  const cuts = new Set([0, text.length]);
  for (const e of list) {
    cuts.add(e.offset);
    cuts.add(e.offset + e.length);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Markup[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!;
    const to = points[i + 1]!;
    const covering = list.filter((e) => e.offset <= from && e.offset + e.length >= to);
    let inner: Markup = visible(text.slice(from, to));
    for (let k = covering.length - 1; k >= 0; k--) {
      const e = covering[k]!;
      inner = wrap(e, inner, text.slice(e.offset, e.offset + e.length));
    }
    pieces.push(inner);
    // A text link's target, after its last piece: what it really opens.
    for (const e of list)
      if (e._ === "MessageEntityTextUrl" && e.offset + e.length === to && e.url)
        pieces.push(html`<span class="target"> (<bdi>${visible(e.url)}</bdi>)</span>`);
  }
  return html`${pieces}`;
}
