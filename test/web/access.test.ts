/**
 * Who may read the web UI, asked over HTTP of the real app: without a credential nothing but the
 * login page; the login form trades the token for a session cookie; scripts use Bearer; wrong
 * tokens lock the address out; POSTs from other origins are refused; the security headers are on
 * every UI answer; /health and /metrics stay open and unchanged; the token never shows.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadConfig, secretValues } from "../../src/config.ts";
import { FREE_FAILURES } from "../../src/web/access.ts";
import { CONTENT_SECURITY_POLICY } from "../../src/web/web-ui.ts";
import { ask, bearer, login, startWeb, TOKEN } from "./support.ts";

describe("web UI access", () => {
  it("without a credential: /api answers 401 JSON, /ui redirects to the login page with next", async (t) => {
    const f = await startWeb(t);
    const api = await ask(f, "/api/events");
    assert.equal(api.status, 401);
    assert.match(api.headers.get("content-type") ?? "", /application\/json/);
    assert.match(api.json().error, /credential/);
    const page = await ask(f, "/ui/events?source=fs");
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/ui/login?next=%2Fui%2Fevents%3Fsource%3Dfs");
    assert.equal((await ask(f, "/")).headers.get("location"), "/ui/");
    const ui = await ask(f, "/ui/");
    assert.equal(ui.status, 303);
    assert.match(ui.headers.get("location") ?? "", /^\/ui\/login/);
  });

  it("the login form: a session cookie (HttpOnly, SameSite=Strict), then pages; logout ends it", async (t) => {
    const f = await startWeb(t);
    const form = await ask(f, "/ui/login?next=%2Fui%2Fevents%3Fstatus%3Derror");
    assert.equal(form.status, 200);
    assert.match(form.text, /<form method="post" action="\/ui\/login">/);
    assert.match(form.text, /<input id="token" name="token" type="password"/);
    assert.match(form.text, /name="next" value="\/ui\/events\?status=error"/);
    const r = await ask(f, "/ui/login", {
      form: { token: TOKEN, next: "/ui/events?status=error" },
      headers: { origin: f.url("") },
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/ui/events?status=error");
    const cookie = r.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^tl_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.ok(!cookie.includes(TOKEN));
    const session = cookie.split(";")[0]!;
    const page = await ask(f, "/ui/events", { headers: { cookie: session } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "no-store");
    assert.match(page.text, /<h1>Events<\/h1>/);
    assert.equal((await ask(f, "/api/events", { headers: { cookie: session } })).status, 200);
    const out = await ask(f, "/ui/logout", {
      method: "POST",
      headers: { cookie: session, origin: f.url("") },
    });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/ui/login");
    assert.equal((await ask(f, "/ui/events", { headers: { cookie: session } })).status, 303);
    assert.equal((await ask(f, "/api/events", { headers: { cookie: session } })).status, 401);
  });

  it("Secure cookie behind an HTTPS proxy; next never leads to another site", async (t) => {
    const f = await startWeb(t);
    const origin = { origin: f.url("") };
    const secure = await ask(f, "/ui/login", {
      form: { token: TOKEN, next: "/ui/events" },
      headers: { ...origin, "x-forwarded-proto": "https" },
    });
    assert.match(secure.headers.get("set-cookie") ?? "", /Secure/);
    for (const next of [
      "//evil.example/ui/",
      "https://evil.example/",
      "/\\evil.example",
      "/health",
      "javascript:alert(1)",
      "/ui/..//evil.example",
      "/ui/%2e%2e//evil.example",
      "/ui/.%2e//evil.example",
      "/ui/../health",
    ]) {
      const r = await ask(f, "/ui/login", { form: { token: TOKEN, next }, headers: origin });
      assert.equal(r.headers.get("location"), "/ui/events", next);
    }
    const huge = await ask(f, "/ui/login", { form: { token: "x".repeat(100_000) }, headers: origin });
    assert.equal(huge.status, 413, "a login body far larger than a form is refused unread");
  });

  it("scripts: Bearer token; a wrong one 401, and after repeated failures the address waits (429)", async (t) => {
    const f = await startWeb(t);
    const ok = await ask(f, "/api/events", { headers: bearer() });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.json()).sort(), ["events", "facets", "histogram", "next", "previous"]);
    for (let i = 1; i < FREE_FAILURES; i++) {
      const wrong = await ask(f, "/api/events", { headers: bearer("not-the-token-at-all") });
      assert.equal(wrong.status, 401);
      assert.ok(!wrong.text.includes(TOKEN));
    }
    assert.equal((await ask(f, "/api/events", { headers: bearer("still-not-the-token") })).status, 401);
    // Locked out now: even the right token waits, and says how long.
    const locked = await ask(f, "/api/events", { headers: bearer() });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get("retry-after")) >= 1);
    const form = await ask(f, "/ui/login", {
      form: { token: TOKEN, next: "/ui/events" },
      headers: { origin: f.url("") },
    });
    assert.equal(form.status, 429);
    assert.match(form.text, /Too many wrong tokens/);
  });

  it("a wrong token at the form: 401 with the form again, no cookie, the token not echoed", async (t) => {
    const f = await startWeb(t);
    const r = await ask(f, "/ui/login", {
      form: { token: "<b>guess</b>", next: "/ui/events" },
      headers: { origin: f.url("") },
    });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get("set-cookie"), null);
    assert.match(r.text, /That is not the token/);
    assert.ok(!r.text.includes("guess"));
  });

  it("CSRF: a POST from another origin, or with neither Origin nor Referer, is refused", async (t) => {
    const f = await startWeb(t);
    const form = { token: TOKEN, next: "/ui/events" };
    const foreign = await ask(f, "/ui/login", { form, headers: { origin: "http://evil.example" } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get("set-cookie"), null);
    assert.equal((await ask(f, "/ui/login", { form })).status, 403);
    // A current browser: Sec-Fetch-Site decides (with no-referrer its Origin is "null").
    const crossSite = { origin: "null", "sec-fetch-site": "cross-site" };
    assert.equal((await ask(f, "/ui/login", { form, headers: crossSite })).status, 403);
    const sameSite = { origin: f.url(""), "sec-fetch-site": "same-site" };
    assert.equal((await ask(f, "/ui/login", { form, headers: sameSite })).status, 403);
    const ours = { origin: "null", "sec-fetch-site": "same-origin" };
    assert.equal((await ask(f, "/ui/login", { form, headers: ours })).status, 303);
    const byReferer = await ask(f, "/ui/login", { form, headers: { referer: f.url("/ui/login") } });
    assert.equal(byReferer.status, 303);
    const session = await login(f);
    const out = await ask(f, "/ui/logout", {
      method: "POST",
      headers: { cookie: session, origin: "http://evil.example" },
    });
    assert.equal(out.status, 403);
    assert.equal(
      (await ask(f, "/ui/events", { headers: { cookie: session } })).status,
      200,
      "still logged in",
    );
  });

  it("security headers on every UI answer; /health and /metrics open and without them", async (t) => {
    const f = await startWeb(t);
    const session = await login(f);
    for (const [p, headers] of [
      ["/ui/login", {}],
      ["/ui/events", { cookie: session }],
      ["/api/events", bearer()],
      ["/api/events", {}],
      ["/ui/style.css", {}],
    ] as const) {
      const r = await ask(f, p, { headers });
      assert.equal(r.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY, p);
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", p);
      assert.equal(r.headers.get("referrer-policy"), "no-referrer", p);
    }
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'; style-src 'self'/);
    const health = await ask(f, "/health");
    assert.equal(health.status, 200, health.text);
    assert.equal(health.json().status, "ok");
    assert.equal(health.headers.get("content-security-policy"), null);
    const metrics = await ask(f, "/metrics");
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /# TYPE /);
    assert.equal((await ask(f, "/ui/app.js")).headers.get("content-type"), "text/javascript; charset=utf-8");
  });
});

describe("the UI token", () => {
  it("unset: created at first start in DATA_ROOT/db/ui-token (0600), reused after a restart", async (t) => {
    const first = await startWeb(t, { UI_TOKEN: "" });
    const file = path.join(first.dataRoot, "db", "ui-token");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, "utf8").trim();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await ask(first, "/api/events", { headers: bearer(token) })).status, 200);
    // The error log of the `run` command is built from secretValues before the file exists: the
    // generated token must be redacted all the same.
    assert.ok(secretValues(first.app.config).includes(token), "the generated token is a secret too");
    await first.stop();
    const again = await startWeb(t, { UI_TOKEN: "" }, first.base);
    assert.equal(readFileSync(file, "utf8").trim(), token);
    assert.equal((await ask(again, "/api/events", { headers: bearer(token) })).status, 200);
    assert.equal((await ask(again, "/api/events", { headers: bearer(TOKEN) })).status, 401);
  });

  it("is a secret: in secretValues, never in a page, a log line or /health; too short a refusal without it", async (t) => {
    assert.ok(secretValues(loadConfig({ WATCH_CONFIG: "/w.json", UI_TOKEN: TOKEN })).includes(TOKEN));
    assert.throws(
      () => loadConfig({ WATCH_CONFIG: "/w.json", UI_TOKEN: "short-secret" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.variable === "UI_TOKEN" &&
        /16/.test(err.message) &&
        !err.message.includes("short-secret"),
    );
    const f = await startWeb(t);
    const session = await login(f);
    const pages = [
      await ask(f, "/ui/login"),
      await ask(f, "/ui/events", { headers: { cookie: session } }),
      await ask(f, "/api/events", { headers: bearer() }),
      await ask(f, "/health"),
    ];
    for (const r of pages) assert.ok(!r.text.includes(TOKEN));
    await f.stop();
    assert.ok(f.logged.length > 0);
    assert.ok(!f.logged.join("").includes(TOKEN));
  });
});
