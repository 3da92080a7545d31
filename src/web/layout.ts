/**
 * The page shell every UI page shares, and the login page. Markup is built with Hono's `html`
 * tagged template: every interpolated string is HTML-escaped, so text from the database can only
 * ever be text. Nothing here inlines a script or a style (the CSP forbids both).
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** A piece of markup (already escaped). */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The pages in the navigation, in order. */
const NAV: readonly (readonly [string, string])[] = [
  ["/ui/events", "Events"],
  ["/ui/search", "Search"],
  ["/ui/chats", "Chats"],
  ["/ui/changes", "What changed"],
  ["/ui/files", "Files"],
  ["/ui/reports", "Reports"],
  ["/ui/status", "Status"],
];

/** A whole page: `title`, the navigation (with logout when `signedIn`), `main` as the content. */
export function page(title: string, main: Markup, signedIn: boolean): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · telegram-logger</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/style.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/ui/events">telegram-logger</a>
${
  signedIn
    ? html`<nav>${NAV.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>
<form class="logout" method="post" action="/ui/logout"><button type="submit">Log out</button></form>`
    : ""
}
</header>
<main>
${main}
</main>
</body>
</html>`;
}

/** The login form; `next` is where a successful login goes, `problem` a message to show. */
export function loginPage(next: string, problem: string | null): Markup {
  return page(
    "Log in",
    html`<section class="login">
<h1>Log in</h1>
<p>Enter the UI token (<code>UI_TOKEN</code>, or the one <code>telegram-logger ui-url</code> prints).</p>
${problem === null ? "" : html`<p class="problem" role="alert">${problem}</p>`}
<form method="post" action="/ui/login">
<input type="hidden" name="next" value="${next}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
</section>`,
    false,
  );
}
