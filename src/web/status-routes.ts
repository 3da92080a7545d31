/** The service's status: `/ui/status` and `/api/status` (health, capture, outbox, housekeeping, watchers). */
import { Hono } from "hono";
import type { PageDeps } from "./page-deps.ts";
import { statusPage } from "./status-page.ts";

/** Seconds between the page's reloads unless `refresh` says otherwise. */
export const DEFAULT_REFRESH_SECS = 30;

/** `refresh` as seconds: 0 (off) or 5 to 3600; null when it is not. */
function refreshOf(params: URLSearchParams): number | null {
  const text = params.get("refresh");
  if (text === null || text.trim() === "") return DEFAULT_REFRESH_SECS;
  if (!/^\d{1,4}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n === 0 || (n >= 5 && n <= 3600) ? n : null;
}

function unknownParameter(params: URLSearchParams, known: readonly string[]): string | null {
  for (const name of params.keys()) if (!known.includes(name)) return name;
  return null;
}

export function statusRoutes({ reads, status }: PageDeps): Hono {
  const app = new Hono();
  const gather = async () => {
    const [health, facts] = await Promise.all([status ? status() : null, reads.run("statusFacts", {})]);
    return { health, facts };
  };
  app.get("/api/status", async (c) => {
    const unknown = unknownParameter(new URL(c.req.url).searchParams, []);
    if (unknown !== null) return c.json({ error: `${unknown}: unknown parameter`, parameter: unknown }, 400);
    const { health, facts } = await gather();
    return c.json({ healthy: health === null ? null : health.httpStatus === 200, health, database: facts });
  });
  app.get("/ui/status", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const unknown = unknownParameter(params, ["refresh"]);
    const refresh = refreshOf(params);
    const { health, facts } = await gather();
    if (unknown !== null || refresh === null) {
      const problem =
        unknown !== null
          ? `${unknown}: unknown parameter (known: refresh)`
          : "refresh: expected 0 or 5 to 3600 seconds";
      return c.html(statusPage({ health, facts, refresh: 0, problem }), 400);
    }
    return c.html(statusPage({ health, facts, refresh, problem: null }));
  });
  return app;
}
