/** One event: `/ui/events/<id>` and `/api/events/<id>` (404 for an unknown id, 400 for a non-id). */
import { Hono } from "hono";
import { eventDetailPage, eventProblemPage } from "./event-detail-page.ts";
import type { PageDeps } from "./page-deps.ts";

/** An event id as given in the path: a positive whole number SQLite can hold exactly. */
export function eventIdOf(text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null;
  const id = Number(text);
  return id >= 1 ? id : null;
}

const NOT_AN_ID = "id: expected an event id (a whole number from 1)";

export function eventDetailRoutes({ reads }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/events/:id", async (c) => {
    const id = eventIdOf(c.req.param("id"));
    if (id === null) return c.json({ error: NOT_AN_ID, parameter: "id" }, 400);
    const detail = await reads.run("eventDetail", { id });
    if (detail === null) return c.json({ error: `no event ${id}` }, 404);
    return c.json(detail);
  });
  app.get("/ui/events/:id", async (c) => {
    const id = eventIdOf(c.req.param("id"));
    if (id === null) return c.html(eventProblemPage(NOT_AN_ID), 400);
    const detail = await reads.run("eventDetail", { id });
    if (detail === null) return c.html(eventProblemPage(`There is no event ${id}.`), 404);
    return c.html(eventDetailPage(detail));
  });
  return app;
}
