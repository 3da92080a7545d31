/**
 * The events histogram as inline SVG, drawn on the server: one bar per hour or day, each a link
 * that narrows the list to its bucket, its count in a `<title>` (shown on hover). Geometry is in
 * SVG attributes and colours come from the stylesheet's classes: the CSP (`style-src 'self'`)
 * refuses `style=` attributes, and the chart follows light and dark like the rest of the page.
 */
import { html } from "hono/html";
import type { EventHistogram } from "./event-histogram.ts";
import type { Markup } from "./layout.ts";

/** The drawing's own units; the SVG stretches to the page's width. */
const WIDTH = 1000;
const HEIGHT = 100;
/** Bar widths allowed at most: a twelfth of the chart. */
const MIN_SLOTS = 12;

const HOUR_MS = 3_600_000;
const sizeOf = (h: EventHistogram) => (h.bucket === "hour" ? HOUR_MS : 24 * HOUR_MS);

/** A bucket's start as people read it in UTC: `2026-11-01 09:00` or `2026-11-01`. */
function label(h: EventHistogram, start: number): string {
  const iso = new Date(start).toISOString();
  return h.bucket === "hour" ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} (UTC)`;
}

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

/**
 * The chart of `h`; `linkFor(since, until)` is the list narrowed to one bar's bucket. Empty when
 * there is nothing to draw.
 */
export function histogramSvg(h: EventHistogram, linkFor: (since: number, until: number) => string): Markup {
  if (h.bars.length === 0) return html``;
  const size = sizeOf(h);
  const max = Math.max(1, ...h.bars.map((b) => b.count));
  // A window of few buckets (a burst, counted partly) keeps bars narrow, drawn at the right end.
  const slots = Math.max(h.bars.length, MIN_SLOTS);
  const offset = slots - h.bars.length;
  const step = WIDTH / slots;
  const gap = step > 4 ? step * 0.15 : 0;
  const bars = h.bars.map((b, i) => {
    if (b.count === 0) return "";
    // A bar of one event still shows: at least 2 units high.
    const height = Math.max(2, Math.round((b.count / max) * HEIGHT * 100) / 100);
    const x = Math.round(((offset + i) * step + gap / 2) * 100) / 100;
    const width = Math.round((step - gap) * 100) / 100;
    return html`<a href="${linkFor(b.start, b.start + size)}" tabindex="-1"><rect class="bar" x="${x}" y="${HEIGHT - height}" width="${width}" height="${height}"><title>${label(h, b.start)}: ${plural(b.count, "event")}</title></rect></a>`;
  });
  const first = h.bars[0]!.start;
  const last = h.bars.at(-1)!.start;
  const per = h.bucket === "hour" ? "hour" : "day";
  const scope =
    h.from === null
      ? html`All ${plural(h.counted, "matching event")}, per ${per} (UTC).`
      : html`The newest ${plural(h.counted, "matching event")}, per ${per} (UTC), from <time datetime="${new Date(h.from).toISOString()}">${new Date(h.from).toISOString()}</time>; older matches are not drawn.`;
  return html`<figure class="histogram">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="Events per ${per}: ${plural(h.bars.length, per)}, at most ${plural(max, "event")} in one">
<line class="axis" x1="0" y1="${HEIGHT}" x2="${WIDTH}" y2="${HEIGHT}"></line>
${bars}
</svg>
<figcaption><span class="ends"><span>${label(h, first)}</span><span>${label(h, last)}</span></span>
<span class="scope">${scope} Busiest ${per}: ${plural(max, "event")}. A bar narrows the list to its ${per}.</span></figcaption>
</figure>`;
}
