/**
 * Shared pieces of the detail pages: a unified diff as coloured lines, a JSON value pretty-printed,
 * and a stored time as `<time>`. All text goes through Hono's `html` template (escaped) and
 * `visible` (invisible characters shown), so a diff of a file holding `<script>` stays text.
 */
import { html } from "hono/html";
import { visible } from "./events-page.ts";
import type { Markup } from "./layout.ts";

/** Characters of JSON or a diff above which it is folded (still all there: `<details>` opens it). */
export const FOLD_CHARS = 20_000;

/** The class of a unified diff line: added, removed, a hunk header, a file header or context. */
function lineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("===") || line.startsWith("Index:"))
    return "d-file";
  if (line.startsWith("@@")) return "d-hunk";
  if (line.startsWith("+")) return "d-add";
  if (line.startsWith("-")) return "d-del";
  return "d-ctx";
}

/** `diff` (unified, as the file audit records it in `details.diff`) with each line coloured by kind. */
export function diffView(diff: string): Markup {
  const lines = diff.replace(/\n$/, "").split("\n");
  const body = html`<pre class="diff">${lines.map(
    (line) => html`<span class="${lineClass(line)}">${visible(line)}</span>\n`,
  )}</pre>`;
  return folded(body, diff.length, `${lines.length.toLocaleString("en-US")} lines`);
}

/** `content` inside a `<details>` folded when it is longer than FOLD_CHARS, open otherwise. */
export function folded(content: Markup, chars: number, what: string): Markup {
  const big = chars > FOLD_CHARS;
  return html`<details class="fold"${big ? "" : html` open`}><summary>${what} (${chars.toLocaleString("en-US")} characters)${big ? " — large, folded: open to show it all" : ""}</summary>${content}</details>`;
}

/** `text` (a `details` column) pretty-printed when it is JSON, as it is otherwise (saying so). */
export function jsonView(text: string): Markup {
  let pretty: string;
  let note = "";
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    pretty = text;
    note = "not valid JSON: shown as stored";
  }
  const body = html`${note === "" ? "" : html`<p class="more">${note}</p>`}<pre class="json">${visible(pretty)}</pre>`;
  return folded(body, text.length, "JSON");
}

/** A time in ms as `<time>` (app.js shows it in the viewer's zone); empty for null. */
export function timeOf(ms: string | number | null | undefined): Markup | string {
  if (ms === null || ms === undefined) return "";
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = d.toISOString();
  return html`<time datetime="${iso}">${iso}</time>`;
}
