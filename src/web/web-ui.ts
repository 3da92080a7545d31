/**
 * The audit UI: pages under `/ui/`, JSON under `/api/`, served by the service's Hono server on the
 * same port as /health and /metrics (src/app/ hands these routes to src/http/server.ts).
 *
 * Markup: Hono's `html` tagged template (`hono/html`) in plain .ts files. Node 24 strips types
 * from .ts only, not .tsx, so JSX would need a build step; `html` escapes every interpolated value,
 * which is what keeps hostile text (a file named `<script>…`) text. No inline script or style: one
 * stylesheet (/ui/style.css) and one small script (/ui/app.js, local times) from our own origin.
 *
 * Access (access.ts): every page and API call needs the token, as `Authorization: Bearer` or
 * through the login form's session cookie. Without one `/api/…` answers 401 JSON and `/ui/…`
 * redirects to the login page. Reads go through the UI's own read-only connection, so the UI never
 * takes a write lock and never makes ingest wait.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono, type Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Access, localNext, SESSION_COOKIE, SESSION_IDLE_MS, sameOrigin } from "./access.ts";
import { APP_JS, STYLE_CSS } from "./assets.ts";
import { changesRoutes } from "./changes-routes.ts";
import { chatsRoutes } from "./chats-routes.ts";
import { eventDetailRoutes } from "./event-detail-routes.ts";
import { eventsRoutes } from "./events-routes.ts";
import { exportRoutes } from "./export-routes.ts";
import { filesRoutes } from "./files-routes.ts";
import { loginPage } from "./layout.ts";
import { mediaRoutes } from "./media-routes.ts";
import type { MediaPlaces, PageDeps, StatusSnapshot } from "./page-deps.ts";
import { PAGES_CSS, PAGES_JS } from "./pages-style.ts";
import type { Reads } from "./reads.ts";
import { reportRoutes } from "./report-routes.ts";
import { searchRoutes } from "./search-routes.ts";
import { statusRoutes } from "./status-routes.ts";

/** What the UI needs from the running service. */
export interface WebUiOptions {
  /** The access token (UI_TOKEN or the token file); never shown, logged or echoed. */
  token: string;
  /** The UI's reads, run off the service's thread (read-worker.ts). */
  reads: Reads;
  now: () => number;
  /** The service's health for the status page (the app passes its /health assessment). */
  status?: () => StatusSnapshot | Promise<StatusSnapshot>;
  /** Where kept media files are (the chat view shows them). */
  media: MediaPlaces;
}

/** The Content-Security-Policy of every UI answer: nothing inline, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const PUBLIC_PATHS = new Set(["/ui/login", "/ui/style.css", "/ui/app.js"]);

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

function overHttps(c: Context): boolean {
  return (
    c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ||
    new URL(c.req.url).protocol === "https:"
  );
}

function fromOurOrigin(c: Context): boolean {
  return sameOrigin({
    fetchSite: c.req.header("sec-fetch-site"),
    origin: c.req.header("origin"),
    referer: c.req.header("referer"),
    host: c.req.header("host"),
    forwardedHost: c.req.header("x-forwarded-host"),
  });
}

/** The bearer token of the request, if it carries one. */
function bearer(c: Context): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  return m?.[1];
}

/** The UI's routes, to be mounted at the server's root. */
export function webUi(options: WebUiOptions): Hono {
  const { reads, now, media } = options;
  const access = new Access(options.token, now);
  const app = new Hono();

  // Only the UI's own paths: these routes are mounted at the root, beside /health and /metrics.
  const securityHeaders = async (c: Context, next: Next) => {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  };
  // Who is asking: a session cookie, or a bearer token (which counts towards the lock-out when wrong).
  const credential = async (c: Context, next: Next) => {
    const path = c.req.path;
    if (PUBLIC_PATHS.has(path)) return next();
    if (access.hasSession(getCookie(c, SESSION_COOKIE))) return next();
    const given = bearer(c);
    if (given !== undefined) {
      const address = clientAddress(c);
      const wait = access.lockedFor(address);
      if (wait > 0) return tooMany(c, wait);
      if (access.check(address, given)) return next();
      return c.json({ error: "wrong token" }, 401, { "WWW-Authenticate": 'Bearer realm="telegram-logger"' });
    }
    if (path === "/api" || path.startsWith("/api/"))
      return c.json({ error: "a credential is required: Authorization: Bearer <token>" }, 401, {
        "WWW-Authenticate": 'Bearer realm="telegram-logger"',
      });
    const url = new URL(c.req.url);
    return c.redirect(`/ui/login?next=${encodeURIComponent(localNext(`${url.pathname}${url.search}`))}`, 303);
  };
  app.use("/", securityHeaders);
  for (const path of ["/ui/*", "/api/*"]) app.use(path, securityHeaders, credential);

  app.get("/", (c) => c.redirect("/ui/", 302));
  app.get("/ui", (c) => c.redirect("/ui/events", 302));
  app.get("/ui/", (c) => c.redirect("/ui/events", 302));
  app.get("/ui/style.css", (c) =>
    c.body(STYLE_CSS + PAGES_CSS, 200, {
      "Content-Type": "text/css; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    }),
  );
  app.get("/ui/app.js", (c) =>
    c.body(APP_JS + PAGES_JS, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=3600",
    }),
  );

  app.get("/ui/login", (c) => c.html(loginPage(localNext(c.req.query("next")), null)));
  // Read before anyone is logged in: a login form is a few hundred bytes, so a large body is refused
  // unread instead of buffered.
  const formLimit = bodyLimit({
    maxSize: 8 * 1024,
    onError: (c) => c.text("refused: the form is too large", 413),
  });
  app.post("/ui/login", formLimit, async (c) => {
    if (!fromOurOrigin(c)) return c.text("refused: this form must be sent from this site's own pages", 403);
    const form = await c.req.parseBody();
    const next = localNext(typeof form.next === "string" ? form.next : undefined);
    const address = clientAddress(c);
    const wait = access.lockedFor(address);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return c.html(loginPage(next, `Too many wrong tokens: try again in ${seconds} s.`), 429, {
        "Retry-After": String(seconds),
      });
    }
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!access.check(address, token)) return c.html(loginPage(next, "That is not the token."), 401);
    setCookie(c, SESSION_COOKIE, access.openSession(), {
      path: "/",
      httpOnly: true,
      sameSite: "Strict",
      secure: overHttps(c),
      maxAge: SESSION_IDLE_MS / 1000,
    });
    return c.redirect(next, 303);
  });
  app.post("/ui/logout", (c) => {
    if (!fromOurOrigin(c)) return c.text("refused: this form must be sent from this site's own pages", 403);
    access.closeSession(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: overHttps(c) });
    return c.redirect("/ui/login", 303);
  });

  // Each page's routes, in their own files; the middleware above covers them all.
  const pages: PageDeps = { reads, now, media, ...(options.status ? { status: options.status } : {}) };
  app.route("/", eventsRoutes(pages));
  app.route("/", exportRoutes(pages));
  app.route("/", statusRoutes(pages));
  app.route("/", reportRoutes(pages));
  app.route("/", filesRoutes(pages));
  app.route("/", chatsRoutes(pages));
  app.route("/", mediaRoutes(pages));
  app.route("/", changesRoutes(pages));
  app.route("/", searchRoutes(pages));
  // Last: /ui/events/<anything> and /api/events/<anything> answer 400 for what is not an id, so
  // any more specific /…/events/… route must be mounted before this one.
  app.route("/", eventDetailRoutes(pages));
  return app;
}

function tooMany(c: Context, waitMs: number) {
  const seconds = Math.ceil(waitMs / 1000);
  return c.json({ error: `too many wrong tokens: try again in ${seconds} s` }, 429, {
    "Retry-After": String(seconds),
  });
}
