/**
 * The real app with the web UI, for tests: the file audit alone (an empty watched folder, no
 * Telegram), a real SQLite file in a temporary folder, a real HTTP server on a free port. Events
 * are seeded through the store's `EventStore`, as the service records them; tests talk HTTP with
 * `fetch` and never follow redirects themselves, so every answer is asserted as the server gave it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { type App, startApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { tempDir } from "../support/tmp.ts";

/** A token long enough for UI_TOKEN. */
export const TOKEN = "web-test-token-0123456789";

/** A running app with its UI, and what it logged. */
export interface WebFixture {
  app: App;
  dataRoot: string;
  base: string;
  /** Every log line so far. */
  logged: string[];
  url(p: string): string;
  /** Records `events` (in one transaction) and returns their ids. */
  seed(events: NewEvent[]): number[];
  stop(): Promise<void>;
}

/** Starts the app; `env` adds settings (UI_TOKEN is TOKEN unless `env.UI_TOKEN` is "" for none). */
export async function startWeb(
  t: TestContext,
  env: Record<string, string> = {},
  base = tempDir(t, "tl-web-"),
): Promise<WebFixture> {
  const watched = path.join(base, "watched");
  mkdirSync(watched, { recursive: true });
  const watchConfig = path.join(base, "watch.json");
  writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: watched, project: "web" }] }));
  const dataRoot = path.join(base, "data");
  const logged: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logged.push(line) },
  });
  const app = await startApp({
    config: loadConfig({
      DATA_ROOT: dataRoot,
      WATCH_CONFIG: watchConfig,
      HEALTH_PORT: "0",
      HOUSEKEEPING_INTERVAL_SECS: "86400",
      UI_TOKEN: TOKEN,
      ...env,
    }),
    logger,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  t.after(stop);
  const events = new EventStore(app.store.db);
  return {
    app,
    dataRoot,
    base,
    logged,
    url: (p) => `http://127.0.0.1:${app.http.port}${p}`,
    seed: (list) => app.store.db.transaction(() => list.map((e) => events.record(e, e.occurredAt))),
    stop,
  };
}

/** What a request answered. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the test asserts on whatever JSON the server answered
  json(): any;
}

/** A request as a browser or script sends it; redirects are returned, not followed. */
export async function ask(
  f: WebFixture,
  p: string,
  init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  }
  const res = await fetch(f.url(p), {
    method: init.method ?? (body ? "POST" : "GET"),
    headers,
    body,
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** The bearer header of `token`. */
export const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

/** Logs in through the form as a browser on the UI's own origin would; returns the Cookie header. */
export async function login(f: WebFixture, token = TOKEN): Promise<string> {
  const r = await ask(f, "/ui/login", {
    form: { token, next: "/ui/events" },
    headers: { origin: f.url("") },
  });
  if (r.status !== 303) throw new Error(`login answered ${r.status}: ${r.text}`);
  const cookie = r.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0]!;
}
