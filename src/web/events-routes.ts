/** The events list: `/ui/events` and `/api/events`, the same filter and rows. */
import { Hono } from "hono";
import { type EventQuery, FilterError, parseEventQuery } from "./event-query.ts";
import { eventsPage } from "./events-page.ts";
import type { PageDeps } from "./page-deps.ts";
import type { Reads } from "./reads.ts";

/** A page of `query`, with its facets and histogram on the first page (they depend on the filter alone). */
async function readList(reads: Reads, query: EventQuery) {
  const first = query.cursor === null;
  const [page, facets, histogram] = await Promise.all([
    reads.run("eventPage", query),
    first ? reads.run("eventFacets", query) : null,
    first ? reads.run("eventHistogram", query) : null,
  ]);
  return { page, facets, histogram };
}

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
    const { page, facets, histogram } = await readList(reads, query);
    return c.json({ events: page.events, next: page.next, previous: page.previous, facets, histogram });
  });
  app.get("/ui/events", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let query: EventQuery;
    try {
      query = parseEventQuery(params, now());
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(
        eventsPage({
          params,
          sort: "newest",
          page: null,
          facets: null,
          histogram: null,
          problem: err.message,
        }),
        400,
      );
    }
    const list = await readList(reads, query);
    return c.html(eventsPage({ params, sort: query.sort, ...list, problem: null }));
  });
  return app;
}
