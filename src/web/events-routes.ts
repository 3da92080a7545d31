/** The events list: `/ui/events` and `/api/events`, the same filter and rows. */
import { Hono } from "hono";
import { type EventQuery, FilterError, parseEventQuery } from "./event-query.ts";
import { eventsPage } from "./events-page.ts";
import type { PageDeps } from "./page-deps.ts";

export function eventsRoutes({ reads, now }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/events", async (c) => {
    let query: EventQuery;
    try {
      query = parseEventQuery(new URL(c.req.url).searchParams, now());
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    // The facets depend on the filter alone: counted for its first page, not again for each page.
    const [p, facets] = await Promise.all([
      reads.run("eventPage", query),
      query.cursor === null ? reads.run("eventFacets", query) : null,
    ]);
    return c.json({ events: p.events, next: p.older, newer: p.newer, facets });
  });
  app.get("/ui/events", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let query: EventQuery;
    try {
      query = parseEventQuery(params, now());
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(eventsPage({ params, page: null, facets: null, problem: err.message }), 400);
    }
    const [page, facets] = await Promise.all([
      reads.run("eventPage", query),
      query.cursor === null ? reads.run("eventFacets", query) : null,
    ]);
    const view = { params, page, facets, problem: null };
    return c.html(eventsPage(view));
  });
  return app;
}
