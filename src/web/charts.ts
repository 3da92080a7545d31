/**
 * Charts as inline SVG, drawn on the server: no script, no library, nothing inline that the CSP
 * would refuse (colours come from the stylesheet's classes). Labels and titles are interpolated by
 * Hono's `html` (escaped), so a chat named `</svg><script>` is a label like any other. At phone
 * width a chart keeps a readable size and scrolls sideways in its own box.
 */
import { html } from "hono/html";
import type { Markup } from "./layout.ts";

/** One bar: its label, its value, and an optional part of it drawn in the error colour. */
export interface Bar {
  label: string;
  value: number;
  /** A part of `value` (errors among events), drawn over the bar. */
  part?: number;
  /** What hovering the bar says; `label: value` when absent. */
  title?: string;
}

const NUMBER = new Intl.NumberFormat("en-US");

/** Bidirectional overrides and isolates, zero-width characters, the byte-order mark. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * `s` as an SVG label: SVG text holds no markup, so an invisible character (a right-to-left
 * override that would reverse the label) is written as its code point instead.
 */
export function svgText(s: string): string {
  return s.replace(
    INVISIBLE,
    (ch) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`,
  );
}

/** A label cut to `max` characters (the title keeps it whole). */
const short = (s: string, max: number) => {
  const t = svgText(s);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * Vertical bars, one per item (hours of a day, days of a month), with every `labelEvery`-th label
 * under them. `caption` names the chart for screen readers.
 */
export function columnChart(bars: readonly Bar[], caption: string, labelEvery = 1): Markup {
  const width = 720;
  const height = 180;
  const top = 12;
  const bottom = 22;
  const left = 40;
  const plot = height - top - bottom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = (width - left) / Math.max(1, bars.length);
  const barWidth = Math.max(1, step * 0.8);
  const y = (v: number) => top + plot - (v / max) * plot;
  return html`<div class="chart-wrap"><svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${caption}">
<title>${caption}</title>
<line class="axis" x1="${left}" y1="${top + plot}" x2="${width}" y2="${top + plot}"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end">${NUMBER.format(max)}</text>
<text x="${left - 6}" y="${top + plot}" text-anchor="end">0</text>
${bars.map((b, i) => {
  const x = left + i * step + (step - barWidth) / 2;
  const title = svgText(b.title ?? `${b.label}: ${NUMBER.format(b.value)}`);
  return html`<g><title>${title}</title>
<rect class="bar" x="${x.toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + plot - y(b.value)).toFixed(1)}"/>
${b.part ? html`<rect class="bar-err" x="${x.toFixed(1)}" y="${y(b.part).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top + plot - y(b.part)).toFixed(1)}"/>` : ""}
${i % labelEvery === 0 ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${short(b.label, 10)}</text>` : ""}</g>`;
})}
</svg></div>`;
}

/** Horizontal bars, one row per item (chats, sources), the label left of its bar and the value after it. */
export function barList(bars: readonly Bar[], caption: string): Markup {
  const width = 720;
  const row = 22;
  const labelWidth = 220;
  const valueWidth = 70;
  const height = Math.max(row, bars.length * row) + 4;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = width - labelWidth - valueWidth;
  return html`<div class="chart-wrap"><svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${caption}">
<title>${caption}</title>
${bars.map((b, i) => {
  const y = i * row + 4;
  const w = Math.max(b.value > 0 ? 1 : 0, (b.value / max) * span);
  const title = svgText(b.title ?? `${b.label}: ${NUMBER.format(b.value)}`);
  return html`<g><title>${title}</title>
<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${short(b.label, 32)}</text>
<rect class="bar" x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${row - 6}"/>
${b.part ? html`<rect class="bar-err" x="${labelWidth}" y="${y}" width="${((b.part / max) * span).toFixed(1)}" height="${row - 6}"/>` : ""}
<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 13}">${NUMBER.format(b.value)}</text></g>`;
})}
</svg></div>`;
}
