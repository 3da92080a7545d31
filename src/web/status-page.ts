/**
 * The status page: /health's assessment (why the service is unhealthy, each part's state: Telegram
 * capture, the outbox, the watchers, the database), housekeeping, and the database's side (outbox
 * by status, watched roots as recorded, the newest event). Every value is escaped text.
 */
import { html } from "hono/html";
import { timeOf } from "./diff-view.ts";
import { visible } from "./events-page.ts";
import { type Markup, page } from "./layout.ts";
import type { StatusSnapshot } from "./page-deps.ts";
import type { StatusFacts, WatchRootRow } from "./status-query.ts";

/** What the page shows. */
export interface StatusView {
  health: StatusSnapshot | null;
  facts: StatusFacts;
  /** Seconds between reloads (app.js), 0 for none. */
  refresh: number;
  /** A bad parameter's message. */
  problem: string | null;
}

const NUMBER = new Intl.NumberFormat("en-US");
/** The facts whose `false` is a problem (coloured); `enabled: false` is a choice, not one. */
const GOOD_WHEN_TRUE = new Set(["ok", "connected", "authorized"]);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Bytes as B, KiB, MiB or GiB. */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** One value of a part's state: times as `<time>`, sizes readable, the rest as text. */
function value(key: string, v: unknown): Markup | string {
  if (v === null || v === undefined) return html`<span class="more">—</span>`;
  if (typeof v === "boolean")
    return GOOD_WHEN_TRUE.has(key)
      ? html`<span class="${v ? "ok" : "bad"}">${v ? "yes" : "no"}</span>`
      : v
        ? "yes"
        : "no";
  if (typeof v === "number")
    return key.endsWith("_bytes") ? `${bytes(v)} (${NUMBER.format(v)})` : NUMBER.format(v);
  if (typeof v === "string") return ISO.test(v) ? timeOf(Date.parse(v)) : html`<bdi>${visible(v)}</bdi>`;
  return html`<bdi>${visible(JSON.stringify(v))}</bdi>`;
}

function stateList(state: Record<string, unknown>, skip: readonly string[] = []): Markup {
  const entries = Object.entries(state).filter(([k]) => !skip.includes(k));
  return html`<dl class="columns">${entries.map(([k, v]) => html`<dt>${k.replaceAll("_", " ")}</dt><dd>${value(k, v)}</dd>`)}</dl>`;
}

const partOf = (h: StatusSnapshot, name: string): Record<string, unknown> | null => {
  const p = h.body[name];
  return p !== null && typeof p === "object" ? (p as Record<string, unknown>) : null;
};

function overview(h: StatusSnapshot): Markup {
  const ok = h.body.status === "ok";
  const b = h.body as Record<string, unknown>;
  return html`<section>
<p class="${ok ? "ok" : "bad"}" role="status"><strong>${ok ? "Healthy" : "Not healthy"}</strong> (/health answers ${h.httpStatus})</p>
${
  h.body.reasons.length === 0
    ? ""
    : html`<ul class="problem">${h.body.reasons.map((r) => html`<li><bdi>${visible(r)}</bdi></li>`)}</ul>`
}
${stateList(
  {
    started_at: b.started_at,
    uptime_secs: b.uptime_secs,
    last_error_at: b.last_error_at,
    last_error_msg: b.last_error_msg,
  },
  [],
)}
</section>`;
}

function housekeeping(h: StatusSnapshot): Markup {
  const hk = h.housekeeping;
  const usage = hk?.mediaUsage ?? null;
  return html`<section><h2>Housekeeping</h2>
<dl class="columns"><dt>last completed run</dt><dd>${value("last_housekeeping_at", h.body.last_housekeeping_at)}</dd>
<dt>media buffer</dt><dd>${usage === null ? html`<span class="more">not measured yet</span>` : `${bytes(usage.buffer)}`}</dd>
<dt>vault</dt><dd>${usage === null ? html`<span class="more">not measured yet</span>` : `${bytes(usage.vault)}`}</dd></dl>
</section>`;
}

function rootRow(
  root: string,
  live: Record<string, unknown> | undefined,
  row: WatchRootRow | undefined,
): Markup {
  return html`<tr>
<td data-label="Root" class="mono"><a href="/ui/events?${new URLSearchParams({ path: root })}"><bdi>${visible(root)}</bdi></a></td>
<td data-label="Watcher">${live ? value("state", live.state) : html`<span class="more">not watched now</span>`}${live?.error ? html` <span class="err"><bdi>${visible(String(live.error))}</bdi></span>` : ""}</td>
<td data-label="Recorded">${row ? row.status : "—"}${row?.mount_point ? " (mount point)" : ""}</td>
<td data-label="Baseline">${row ? timeOf(row.baseline_at) || "not yet" : "—"}</td>
<td data-label="Last scan">${row ? timeOf(row.last_scan_at) || "not yet" : "—"}</td>
</tr>`;
}

/** The watched roots: what the running audit says of each, beside what the database recorded. */
export function rootsTable(watchers: Record<string, unknown> | null, rows: WatchRootRow[]): Markup {
  const live = new Map<string, Record<string, unknown>>();
  const listed = Array.isArray(watchers?.roots) ? (watchers.roots as Record<string, unknown>[]) : [];
  for (const r of listed) live.set(String(r.root), r);
  const recorded = new Map(rows.map((r) => [r.root, r]));
  const all = [...new Set([...live.keys(), ...recorded.keys()])].sort();
  if (all.length === 0) return html`<p class="empty">No watched folders.</p>`;
  return html`<div class="table-wrap"><table class="auto">
<thead><tr><th>Root</th><th>Watcher</th><th>Recorded</th><th>Baseline</th><th>Last scan</th></tr></thead>
<tbody>${all.map((root) => rootRow(root, live.get(root), recorded.get(root)))}</tbody></table></div>`;
}

/** The whole status page. */
export function statusPage(v: StatusView): Markup {
  const h = v.health;
  const { facts } = v;
  const telegram = h ? partOf(h, "telegram") : null;
  const outbox = h ? partOf(h, "outbox") : null;
  const database = h ? partOf(h, "database") : null;
  return page(
    "Status",
    html`<h1>Status</h1>
${v.problem === null ? "" : html`<p class="problem" role="alert">${v.problem}</p>`}
${v.refresh > 0 ? html`<p class="more" data-refresh="${v.refresh}">Reloads every ${v.refresh} s (<a href="/ui/status?refresh=0">stop</a>).</p>` : html`<p class="more"><a href="/ui/status">Reload automatically</a></p>`}
${h === null ? html`<p class="problem" role="alert">The service's health is not available to this page.</p>` : overview(h)}
<section><h2>Telegram capture</h2>${telegram ? stateList(telegram) : html`<p class="more">unknown</p>`}</section>
<section><h2>Outbox</h2>
${outbox ? stateList(outbox) : ""}
<div class="cards">${Object.entries(facts.outbox).map(
      ([status, n]) =>
        html`<div class="card"><div class="label">${status}</div><div class="value">${NUMBER.format(n)}</div></div>`,
    )}</div>
${facts.oldestPendingAt === null ? "" : html`<p>Oldest pending post queued ${timeOf(facts.oldestPendingAt)}.</p>`}
</section>
${h ? housekeeping(h) : ""}
<section><h2>Watchers</h2>${rootsTable(h ? partOf(h, "watchers") : null, facts.roots)}</section>
<section><h2>Database</h2>${database ? stateList(database) : ""}
<p>Newest event: ${
      facts.newestEvent === null
        ? "none"
        : html`<a href="/ui/events/${facts.newestEvent.id}">#${facts.newestEvent.id}</a> ${facts.newestEvent.type} (${facts.newestEvent.source}), ${timeOf(facts.newestEvent.occurred_at)}`
    }; highest event id ${NUMBER.format(facts.lastEventId)}.</p></section>`,
    true,
  );
}
