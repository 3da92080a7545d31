/**
 * Matching and highlighting a search's terms in a found row's text, the way the index matches
 * them (trigram, case-insensitive over Unicode: ПРИВЕТ = привет, ЇЖАК = їжак). The index is
 * contentless (store/search-index.ts), so snippets are cut here from the row the query reads
 * anyway. A snippet is data — a list of parts, some marked — never markup: the page renders each
 * part through Hono's escaping `html` template, the JSON carries the list as is. Text in a
 * message can therefore never become a tag, whatever characters it holds.
 */

/** A piece of a snippet; `mark` when it is a match. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

/** Characters of context kept before the first match. */
const BEFORE = 60;
/** Characters a snippet holds at most. */
const LENGTH = 240;

/**
 * `text` in lower case with every character where it was: a character whose lower case has
 * another length (rare: İ) is kept as it is, so indexes into the result are indexes into `text`.
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = "";
  for (const ch of text) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out;
}

/** Whether `text` holds every term (terms folded with `foldCase`). */
export function holdsAll(text: string, foldedTerms: readonly string[]): boolean {
  const folded = foldCase(text);
  return foldedTerms.every((t) => folded.includes(t));
}

/** How often each term occurs in `text`. */
export function occurrences(text: string, foldedTerms: readonly string[]): number[] {
  const folded = foldCase(text);
  return foldedTerms.map((t) => {
    let n = 0;
    for (let at = folded.indexOf(t); at !== -1 && t !== ""; at = folded.indexOf(t, at + t.length)) n++;
    return n;
  });
}

/** Where the terms occur in `folded`, as sorted, merged [start, end) ranges. */
function matchRanges(folded: string, foldedTerms: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const t of foldedTerms) {
    if (t === "") continue;
    for (let at = folded.indexOf(t); at !== -1; at = folded.indexOf(t, at + t.length))
      ranges.push([at, at + t.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Moves `i` off the second half of a surrogate pair, so a cut never splits a character. */
function charBoundary(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
}

/**
 * The part of `text` around its first match, with every match in it marked; "…" where text was
 * cut. With no match (a row found through a filter token only) it is the start of the text.
 */
export function snippet(text: string, foldedTerms: readonly string[]): SnippetPart[] {
  const ranges = matchRanges(foldCase(text), foldedTerms);
  const first = ranges[0]?.[0] ?? 0;
  const start = first <= BEFORE ? 0 : charBoundary(text, first - BEFORE);
  const end = Math.min(text.length, charBoundary(text, Math.min(text.length, start + LENGTH)));
  const parts: SnippetPart[] = [];
  const plain = (from: number, to: number) => {
    if (to > from) parts.push({ text: text.slice(from, to), mark: false });
  };
  let at = start;
  for (const [s, e] of ranges) {
    if (e <= start) continue;
    if (s >= end) break;
    const from = Math.max(s, start);
    const to = Math.min(e, end);
    plain(at, from);
    parts.push({ text: text.slice(from, to), mark: true });
    at = to;
  }
  plain(at, end);
  if (start > 0) parts.unshift({ text: "…", mark: false });
  if (end < text.length) parts.push({ text: "…", mark: false });
  return parts;
}
