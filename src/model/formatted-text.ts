/**
 * Text with formatting entities, built up piece by piece. Posts are assembled from a header we
 * write and bodies recovered from Telegram; appending a body shifts its entities by the UTF-16
 * length of everything before it, which is how Telegram counts offsets.
 */
import type { StoredEntity } from "./entities.ts";

/** A post body: text plus entities whose offsets are UTF-16 code units into `text`. */
export interface FormattedText {
  text: string;
  entities: StoredEntity[];
}

/** Accumulates text and entities; offsets stay right whatever characters come before. */
export class TextBuilder {
  #text = "";
  readonly #entities: StoredEntity[] = [];

  /** Appends plain text, optionally covered by one entity (`{_: "MessageEntityBold"}` ...). */
  add(text: string, entity?: Omit<StoredEntity, "offset" | "length">): this {
    if (entity && text.length > 0)
      this.#entities.push({ ...entity, offset: this.#text.length, length: text.length });
    this.#text += text;
    return this;
  }

  /** Appends recovered text with its own entities, shifted to where it lands. */
  addFormatted(body: FormattedText): this {
    const shift = this.#text.length;
    for (const e of body.entities) this.#entities.push({ ...e, offset: e.offset + shift });
    this.#text += body.text;
    return this;
  }

  /** Appends a line break unless the text is empty or already ends with one. */
  newline(): this {
    if (this.#text.length > 0 && !this.#text.endsWith("\n")) this.#text += "\n";
    return this;
  }

  get length(): number {
    return this.#text.length;
  }

  build(): FormattedText {
    return { text: this.#text, entities: this.#entities.map((e) => ({ ...e })) };
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Where to cut `text` so the first part has at most `limit` UTF-16 units, preferring line/word ends. */
function cutPoint(text: string, start: number, limit: number): number {
  const hardEnd = start + limit;
  if (hardEnd >= text.length) return text.length;
  const window = text.slice(start, hardEnd);
  const minGood = Math.floor(limit * 0.5);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(sep);
    if (at >= minGood) return start + at + sep.length;
  }
  // No good boundary: cut hard, but never between the two halves of a surrogate pair.
  return isHighSurrogate(text.charCodeAt(hardEnd - 1)) ? hardEnd - 1 : hardEnd;
}

/**
 * Splits a post into parts of at most `limit` UTF-16 units (Telegram: 4096 for messages, 1024 for
 * captions). Entities crossing a cut are clipped into both parts; offsets are rebased per part.
 */
export function splitFormatted(body: FormattedText, limit: number): FormattedText[] {
  if (limit < 2) throw new RangeError("limit must be at least 2");
  if (body.text.length <= limit) return [body];
  const parts: FormattedText[] = [];
  let start = 0;
  while (start < body.text.length) {
    const end = cutPoint(body.text, start, limit);
    const entities: StoredEntity[] = [];
    for (const e of body.entities) {
      const from = Math.max(e.offset, start);
      const to = Math.min(e.offset + e.length, end);
      if (to > from) entities.push({ ...e, offset: from - start, length: to - from });
    }
    parts.push({ text: body.text.slice(start, end), entities });
    start = end;
  }
  return parts;
}

/** Shortens to at most `limit` UTF-16 units with an ellipsis, without splitting a surrogate pair. */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The first part of a post (at most `limit` units) and everything after it, as one text. */
export function splitHead(body: FormattedText, limit: number): [FormattedText, FormattedText] {
  if (body.text.length <= limit) return [body, { text: "", entities: [] }];
  const [head] = splitFormatted(body, limit);
  const cut = head!.text.length;
  const entities: StoredEntity[] = [];
  for (const e of body.entities) {
    const from = Math.max(e.offset, cut);
    const to = e.offset + e.length;
    if (to > from) entities.push({ ...e, offset: from - cut, length: to - from });
  }
  return [head!, { text: body.text.slice(cut), entities }];
}
