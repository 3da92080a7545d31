/**
 * The files pages: `/ui/files` (the watched roots with their state, the folders with most changes
 * in a time range, a form to open a file's history) and `/ui/files/history?path=…` (every event
 * of a file across its renames, newest first, with its diffs). Paths are text, escaped and shown
 * with their invisible characters.
 */
import { html } from "hono/html";
import type { EventRecord } from "../export/event-rows.ts";
import { barList } from "./charts.ts";
import { diffView, timeOf } from "./diff-view.ts";
import { historyLink } from "./event-detail-page.ts";
import { visible } from "./events-page.ts";
import type { FileHistory, FilesOverview } from "./files-query.ts";
import { type Markup, page } from "./layout.ts";
import { rootsTable } from "./status-page.ts";

const NUMBER = new Intl.NumberFormat("en-US");
const fmt = (n: number) => NUMBER.format(n);
const text = (s: string | number | null) => (s === null ? "" : html`<bdi>${visible(String(s))}</bdi>`);

/** What the files page shows. */
export interface FilesView {
  params: URLSearchParams;
  overview: FilesOverview | null;
  /** The running audit's view of its roots (/health's `watchers`), when the page can see it. */
  watchers: Record<string, unknown> | null;
  problem: string | null;
}

function historyForm(path: string): Markup {
  return html`<form class="inline-form" method="get" action="/ui/files/history">
<div class="grow"><label for="h-path">A file's history (full path)</label><input id="h-path" name="path" value="${path}" placeholder="/srv/docs/report.odt" required></div>
<div><button type="submit">Show history</button></div>
</form>`;
}

function rangeForm(params: URLSearchParams): Markup {
  const field = (name: string, label: string, hint: string) =>
    html`<div><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" value="${params.get(name) ?? ""}" placeholder="${hint}"></div>`;
  return html`<form class="inline-form" method="get" action="/ui/files">
${field("since", "Since", "7d (default), 2026-11-01")}${field("until", "Until", "now")}${field("top", "Folders", "20")}
<div><button type="submit">Show</button></div>
</form>`;
}

/** The events list of a folder's file changes. */
const folderEvents = (folder: string, params: URLSearchParams) => {
  const q = new URLSearchParams({ path: folder, type: "file.*", source: "fs" });
  for (const name of ["since", "until"]) {
    const v = params.get(name);
    if (v) q.set(name, v);
  }
  return `/ui/events?${q}`;
};

/** The files page. */
export function filesPage(v: FilesView): Markup {
  const o = v.overview;
  const folders =
    o === null
      ? ""
      : o.folders.length === 0
        ? html`<p class="empty">No file changes recorded in this range.</p>`
        : html`${barList(
            o.folders.map((f) => ({ label: f.folder, value: f.changes })),
            "File changes per folder",
          )}
<div class="table-wrap"><table class="auto"><thead><tr><th>Folder</th><th>Changes</th><th>Created</th><th>Modified</th><th>Deleted</th><th>Renamed</th><th>Last</th></tr></thead>
<tbody>${o.folders.map(
            (f) =>
              html`<tr><td data-label="Folder" class="mono"><a href="${folderEvents(f.folder, v.params)}">${text(f.folder)}</a></td><td data-label="Changes">${fmt(f.changes)}</td><td data-label="Created">${fmt(f.created)}</td><td data-label="Modified">${fmt(f.modified)}</td><td data-label="Deleted">${fmt(f.deleted)}</td><td data-label="Renamed">${fmt(f.renamed)}</td><td data-label="Last" class="when">${timeOf(f.lastAt)}</td></tr>`,
          )}</tbody></table></div>`;
  return page(
    "Files",
    html`<h1>Files</h1>
${historyForm("")}
<section><h2>Watched folders</h2>${o === null ? "" : rootsTable(v.watchers, o.roots)}</section>
<section><h2>Folders with most changes</h2>
${rangeForm(v.params)}
${v.problem === null ? "" : html`<p class="problem" role="alert">${v.problem}</p>`}
${folders}</section>`,
    true,
  );
}

function detailsOf(e: EventRecord): { diff?: unknown; diffSkipped?: unknown; oldPath?: unknown } {
  if (typeof e.details !== "string") return {};
  try {
    const v = JSON.parse(e.details);
    return v !== null && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

function historyEvent(e: EventRecord): Markup {
  const d = detailsOf(e);
  const renamed =
    e.type === "file.renamed" && typeof d.oldPath === "string"
      ? html`<div class="mono">${text(d.oldPath)} → ${text(e.path)}</div>`
      : html`<div class="mono">${text(e.path)}</div>`;
  return html`<li class="history-item">
<div><a href="/ui/events/${e.id}">${timeOf(e.occurred_at)}</a> · <strong>${text(e.type)}</strong> · <span class="status-${String(e.status)}">${e.status}</span>${e.file_size === null ? "" : html` · ${fmt(Number(e.file_size))} bytes`}${e.username === null ? "" : html` · ${text(e.username)}`}</div>
${renamed}
${e.error === null ? "" : html`<div class="err">${text(e.error)}</div>`}
${typeof d.diff === "string" ? diffView(d.diff) : d.diffSkipped === undefined ? "" : html`<div class="more">No diff: ${text(String(d.diffSkipped))}</div>`}
</li>`;
}

/** The history page of one path. */
export function historyPage(path: string, h: FileHistory | null, problem: string | null): Markup {
  const older =
    h?.older == null
      ? ""
      : html`<nav class="pager" aria-label="Pages"><span></span><span><a rel="next" href="/ui/files/history?${new URLSearchParams({ path, before: h.older })}">Older →</a></span></nav>`;
  const body =
    h === null
      ? ""
      : html`${
          h.names.length > 1
            ? html`<section><h2>Its names (${h.names.length}${h.namesCut ? "+, the chain is cut" : ""})</h2><ul>${h.names.map((n) => html`<li class="mono"><a href="${historyLink(n)}">${text(n)}</a></li>`)}</ul>
<h3>Renames</h3><ul>${h.renames.map((r) => html`<li>${timeOf(r.occurredAt)} <a href="/ui/events/${r.id}">${r.folder ? "folder renamed" : "renamed"}</a>: <span class="mono">${text(r.from)} → ${text(r.to)}</span></li>`)}</ul></section>`
            : ""
        }
<section><h2>Events, newest first</h2>${
          h.events.length === 0
            ? html`<p class="empty">Nothing recorded for this path.</p>`
            : html`<ol class="history">${h.events.map(historyEvent)}</ol>`
        }${older}</section>`;
  return page(
    "File history",
    html`<p><a href="/ui/files">← Files</a></p>
<h1>History of <span class="mono">${text(path)}</span></h1>
${historyForm(path)}
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
${body}`,
    true,
  );
}
