/**
 * The UI's two static files, served from /ui/style.css and /ui/app.js (the CSP allows scripts and
 * styles from our own origin only, never inline). No build step: they are written here as they are
 * sent. The script only shows `<time>` elements in the viewer's own time zone, keeping UTC on hover;
 * every page works without it.
 */

/** /ui/style.css: light and dark (prefers-color-scheme), readable at phone width. */
export const STYLE_CSS = `:root {
  color-scheme: light dark;
  --bg: #fbfbfa; --fg: #1d1d1f; --muted: #5f6368; --line: #dadce0; --panel: #f1f3f4;
  --accent: #1a5fb4; --error: #b3261e; --warning: #8a5a00; --ok: #1e6b35;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17181a; --fg: #e6e6e6; --muted: #a0a4a8; --line: #3a3d41; --panel: #222427;
    --accent: #8ab4f8; --error: #f2b8b5; --warning: #f0c36d; --ok: #8fd19e;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem;
  padding: 0.6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
.brand { font-weight: 600; color: var(--fg); text-decoration: none; }
.top nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; flex: 1; }
.top nav a { white-space: nowrap; }
.logout { margin: 0; }
main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 1.3rem; margin: 0 0 0.75rem; }
button { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); cursor: pointer; }
input, select { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); width: 100%; }
label { display: block; font-size: 0.82rem; color: var(--muted); margin-bottom: 0.15rem; }
.login { max-width: 24rem; margin: 3rem auto; }
.login form { display: grid; gap: 0.6rem; }
.problem { color: var(--error); border: 1px solid var(--error); border-radius: 6px; padding: 0.5rem 0.75rem;
  overflow-wrap: anywhere; }
.filters { margin-bottom: 1rem; }
.filters .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: 0.6rem; }
.filters details { margin: 0.5rem 0; }
.filters summary { cursor: pointer; color: var(--accent); }
.filters details .fields { margin-top: 0.5rem; }
.filters .actions { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; margin-top: 0.6rem; }
.filters .order { display: flex; align-items: center; gap: 0.4rem; margin: 0; font-size: 0.9rem; }
.filters .order select { width: auto; }
.layout { display: grid; grid-template-columns: 14rem 1fr; gap: 1.25rem; align-items: start; }
.facets h2 { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted);
  margin: 0.9rem 0 0.3rem; }
.facets ul { list-style: none; margin: 0; padding: 0; }
.facets li { display: flex; justify-content: space-between; gap: 0.5rem; padding: 0.1rem 0; }
.facet-note { font-size: 0.8rem; color: var(--muted); margin-top: 1rem; }
.facets li a { overflow-wrap: anywhere; }
.count { color: var(--muted); font-variant-numeric: tabular-nums; }
.summary { color: var(--muted); margin: 0 0 0.5rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.c-time { width: 14rem; } col.c-source { width: 5.5rem; } col.c-type { width: 11rem; }
col.c-status { width: 5.5rem; } col.c-where { width: 22%; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); }
th { font-size: 0.8rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
td { overflow-wrap: anywhere; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
bdi { unicode-bidi: isolate; }
.ctl { font-family: ui-monospace, monospace; font-size: 0.75em; padding: 0 0.2em; margin: 0 0.1em;
  border: 1px solid var(--warning); border-radius: 3px; color: var(--warning); }
.status-error { color: var(--error); font-weight: 600; }
.status-warning { color: var(--warning); font-weight: 600; }
.status-success { color: var(--ok); }
.err { color: var(--error); }
.more { color: var(--muted); font-style: italic; }
.histogram { margin: 0 0 1rem; }
.histogram svg { display: block; width: 100%; height: 6rem; }
.histogram .bar { fill: var(--accent); }
.histogram a:hover .bar { fill: var(--fg); }
.histogram .axis { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
.histogram figcaption { font-size: 0.8rem; color: var(--muted); }
.histogram .ends { display: flex; justify-content: space-between; gap: 1rem; font-variant-numeric: tabular-nums; }
.histogram .scope { display: block; margin-top: 0.2rem; }
.list-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.25rem 1rem; align-items: baseline; }
.list-head p { margin: 0 0 0.5rem; }
.exports { font-size: 0.9rem; }
th a { color: inherit; text-decoration: none; }
th a:hover { text-decoration: underline; }
.pager { display: flex; justify-content: space-between; margin: 1rem 0; }
.empty { padding: 2rem 0; color: var(--muted); }
.muted { color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
col.c-num { width: 6.5rem; }
table.chats col.c-time { width: 13rem; }
.jump { display: flex; gap: 0.5rem; align-items: end; flex-wrap: wrap; margin: 0.5rem 0 1rem; }
.jump input { width: auto; }
.transcript, .changes { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.6rem; }
.msg, .change { border: 1px solid var(--line); border-radius: 10px; padding: 0.5rem 0.75rem; background: var(--panel);
  max-width: 46rem; min-width: 0; overflow-wrap: anywhere; }
.msg.out { margin-left: auto; }
.msg.deleted { border-color: var(--error); }
.msg.highlight { outline: 3px solid var(--accent); outline-offset: 1px; }
.msg .meta, .change .meta { margin: 0 0 0.25rem; font-size: 0.85rem; color: var(--muted); }
.msg .who { font-weight: 600; color: var(--fg); }
.msg .id { color: var(--muted); }
.mark { font-size: 0.8rem; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3em; }
.deleted-mark { color: var(--error); border: 0; padding: 0; margin: 0.3rem 0 0; }
.text { white-space: pre-wrap; margin: 0.2rem 0; }
.text code.pre { display: block; white-space: pre; overflow-x: auto; padding: 0.4rem; border-radius: 6px;
  background: var(--bg); }
.text .quote { display: block; border-left: 3px solid var(--accent); padding-left: 0.5rem; }
.spoiler { background: var(--muted); color: transparent; border-radius: 3px; }
.spoiler:hover, .spoiler:focus { color: inherit; background: transparent; }
.target { color: var(--muted); font-size: 0.85em; }
.reply { display: block; border-left: 3px solid var(--accent); padding: 0.1rem 0.5rem; margin: 0.2rem 0;
  text-decoration: none; color: var(--fg); font-size: 0.9rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fwd { margin: 0; font-size: 0.85rem; color: var(--muted); font-style: italic; }
.media { display: block; max-width: 100%; max-height: 24rem; margin: 0.3rem 0; border-radius: 6px; }
.media img { max-width: 100%; max-height: 24rem; border-radius: 6px; }
audio.media { width: 100%; }
.media-line { margin: 0.2rem 0; font-size: 0.9rem; }
.history summary { cursor: pointer; color: var(--accent); font-size: 0.85rem; }
.history ol { margin: 0.3rem 0 0; padding-left: 0.6rem; list-style: none; border-left: 2px solid var(--line); }
.history li { margin-bottom: 0.4rem; }
.diff { white-space: pre-wrap; margin: 0.2rem 0; }
del { color: var(--error); }
ins { color: var(--ok); text-decoration: none; font-weight: 600; }
.change.failed { border-color: var(--error); }
.search-box { margin-bottom: 0.6rem; }
.search-box input { font-size: 1.05rem; }
.search-form .check { display: inline-flex; align-items: center; gap: 0.35rem; margin: 0; font-size: 0.9rem; color: var(--fg); }
.search-form .check input { width: auto; }
.search-results .note { color: var(--warning); margin: 0 0 0.5rem; }
.hits { list-style: none; margin: 0; padding: 0; }
.hit { padding: 0.6rem 0; border-bottom: 1px solid var(--line); }
.hit-meta { font-size: 0.85rem; color: var(--muted); overflow-wrap: anywhere; }
.hit-text { margin: 0.25rem 0 0; overflow-wrap: anywhere; white-space: pre-wrap; }
bdi.snippet mark { background: #ffe58f; color: #1d1d1f; border-radius: 2px; }
.badge { display: inline-block; font-size: 0.75rem; padding: 0 0.4em; border: 1px solid var(--line); border-radius: 4px; }
.badge.deleted { color: var(--error); border-color: var(--error); }
.badge.old { color: var(--warning); border-color: var(--warning); }
@media (max-width: 760px) {
  main { padding: 0.6rem; }
  .top { padding: 0.5rem 0.6rem; }
  .top nav { order: 3; flex-basis: 100%; gap: 0.2rem 0.9rem; }
  .logout { margin-left: auto; }
  .layout { grid-template-columns: 1fr; }
  .facets { order: 2; }
  .filters .fields { grid-template-columns: 1fr 1fr; }
  table, thead, tbody, tr, td { display: block; }
  colgroup { display: none; }
  td:empty { display: none; }
  td.when { white-space: normal; }
  td.num { text-align: left; }
  thead { display: none; }
  tr { border-bottom: 1px solid var(--line); padding: 0.4rem 0; }
  td { border: 0; padding: 0.1rem 0; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 0.8rem;
    font-family: system-ui, sans-serif; }
}
`;

/** /ui/app.js: `<time>` shown in the viewer's time zone; UTC stays in the title (hover). */
export const APP_JS = `"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (isNaN(d.getTime())) return;
    el.title = el.getAttribute("datetime") + " (UTC)";
    el.textContent = fmt.format(d);
  });
  var mark = document.querySelector(".msg.highlight");
  if (mark && !location.hash) mark.scrollIntoView({ block: "center" });
});
`;
