/**
 * The stylesheet's and the script's parts for the detail, files, reports and status pages, served after STYLE_CSS in
 * the same /ui/style.css and after APP_JS in /ui/app.js (web-ui.ts joins them): kept apart so each page group edits its own rules.
 */
export const PAGES_CSS = `
dl.columns { display: grid; grid-template-columns: 10rem 1fr; gap: 0.2rem 1rem; margin: 0 0 1rem; }
dl.columns dt { color: var(--muted); font-family: ui-monospace, monospace; font-size: 0.85rem; }
dl.columns dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
section { margin: 1.25rem 0; }
h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
h3 { font-size: 0.95rem; margin: 0.75rem 0 0.4rem; }
pre.json, pre.diff { margin: 0.4rem 0; padding: 0.5rem 0.75rem; background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; overflow: auto; max-height: 70vh; white-space: pre-wrap; overflow-wrap: anywhere;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
pre.diff span { display: block; }
.d-add { color: var(--ok); background: color-mix(in srgb, var(--ok) 12%, transparent); }
.d-del { color: var(--error); background: color-mix(in srgb, var(--error) 12%, transparent); }
.d-hunk { color: var(--accent); }
.d-file { color: var(--muted); font-weight: 600; }
details.fold summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
.msg-text { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.5rem 0.75rem; border-left: 3px solid var(--line);
  margin: 0.4rem 0; max-height: 60vh; overflow: auto; }
ol.versions { padding-left: 1.25rem; }
ol.versions .meta { color: var(--muted); font-size: 0.85rem; }
table.auto { table-layout: auto; }
tr.current { background: var(--panel); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 0.75rem; margin: 0 0 1rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.8rem; background: var(--panel); min-width: 0; }
.card .label { color: var(--muted); font-size: 0.8rem; }
.card .value { font-size: 1.3rem; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.ok { color: var(--ok); }
.bad { color: var(--error); }
.chart-wrap { overflow-x: auto; max-width: 100%; }
svg.chart { width: 100%; height: auto; max-width: 60rem; min-width: 34rem; display: block; }
svg.chart .bar { fill: var(--accent); }
svg.chart .bar-err { fill: var(--error); }
svg.chart text { fill: var(--muted); font: 11px system-ui, sans-serif; }
svg.chart .axis { stroke: var(--line); }
.inline-form { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: end; margin-bottom: 1rem; }
.inline-form > div { min-width: 10rem; }
.inline-form label.check { display: flex; align-items: center; gap: 0.4rem; color: var(--fg); font-size: 0.9rem; padding-bottom: 0.4rem; }
.inline-form label.check input { width: auto; }
.inline-form .grow { flex: 1; min-width: 14rem; }
ol.history { list-style: none; padding: 0; margin: 0; }
ol.history > li { border-bottom: 1px solid var(--line); padding: 0.5rem 0; overflow-wrap: anywhere; }
.tabs { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-bottom: 0.75rem; }
.tabs a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: none; }
@media (max-width: 760px) {
  dl.columns { grid-template-columns: 1fr; }
  dl.columns dd { margin-bottom: 0.4rem; }
}
`;

/**
 * /ui/app.js's part: a page holding `[data-refresh="N"]` (the status page) reloads every N seconds,
 * waiting while the tab is hidden so a background tab costs nothing.
 */
export const PAGES_JS = `
document.addEventListener("DOMContentLoaded", function () {
  var el = document.querySelector("[data-refresh]");
  if (!el) return;
  var secs = Number(el.getAttribute("data-refresh"));
  if (!(secs >= 5)) return;
  setTimeout(function reload() {
    if (!document.hidden) return location.reload();
    document.addEventListener("visibilitychange", reload, { once: true });
  }, secs * 1000);
});
`;
