/** Full-text search: `/ui/search` and `/api/search`, the same parameters and results. */
import { Hono } from "hono";
import { FilterError } from "./event-query.ts";
import type { PageDeps } from "./page-deps.ts";
import { hitLink, searchPage } from "./search-page.ts";
import { parseSearchQuery, type SearchQuery } from "./search-query.ts";

export function searchRoutes({ reads, now }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/search", async (c) => {
    let query: SearchQuery;
    try {
      query = parseSearchQuery(new URL(c.req.url).searchParams, now());
      if (query.q === "") throw new FilterError("q", "required: the text to search for");
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const r = await reads.run("search", query);
    return c.json({
      hits: r.hits.map((h) => ({ ...h, link: hitLink(h) })),
      complete: r.complete,
      tooShort: r.tooShort,
      index: { ...r.index, building: r.index.backfillLeft > 0 },
    });
  });
  app.get("/ui/search", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let query: SearchQuery;
    try {
      query = parseSearchQuery(params, now());
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(searchPage({ params, result: null, problem: err.message }), 400);
    }
    const result = query.q === "" ? null : await reads.run("search", query);
    return c.html(searchPage({ params, result, problem: null }));
  });
  return app;
}
