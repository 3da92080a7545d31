/** "What changed": `/ui/changes` and `/api/changes`, the same filter and items. */
import { Hono } from "hono";
import { chatIdOf } from "../export/event-rows.ts";
import { changesPage } from "./changes-page.ts";
import {
  CHANGE_KINDS,
  CHANGES_PER_PAGE,
  type ChangeKind,
  type ChangesQuery,
  MAX_CHANGES_PER_PAGE,
} from "./changes-query.ts";
import { FilterError } from "./event-query.ts";
import type { PageDeps } from "./page-deps.ts";
import { onlyKnown, single, wholeNumber } from "./query-params.ts";

export const CHANGES_PARAMETERS = ["kind", "chat", "limit", "before", "after"] as const;

/** `params` as a feed query; throws `FilterError` naming the first bad parameter. */
export function parseChangesQuery(params: URLSearchParams): ChangesQuery {
  onlyKnown(params, CHANGES_PARAMETERS);
  const kinds = params
    .getAll("kind")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  for (const k of kinds)
    if (!(CHANGE_KINDS as readonly string[]).includes(k))
      throw new FilterError("kind", `"${k}" is not a kind of change (known: ${CHANGE_KINDS.join(", ")})`);
  const chatText = single(params, "chat");
  const chatId = chatText === null ? null : chatIdOf(chatText);
  if (chatText !== null && chatId === null) throw new FilterError("chat", `"${chatText}" is not a chat id`);
  const before = wholeNumber(params, "before", 0, Number.MAX_SAFE_INTEGER);
  const after = wholeNumber(params, "after", 0, Number.MAX_SAFE_INTEGER);
  if (before !== null && after !== null) throw new FilterError("after", "cannot be given with before");
  return {
    kinds: kinds as ChangeKind[],
    chatId,
    limit: wholeNumber(params, "limit", 1, MAX_CHANGES_PER_PAGE) ?? CHANGES_PER_PAGE,
    before,
    after,
  };
}

export function changesRoutes({ reads }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/changes", async (c) => {
    let query: ChangesQuery;
    try {
      query = parseChangesQuery(new URL(c.req.url).searchParams);
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    return c.json(await reads.run("changeFeed", query));
  });
  app.get("/ui/changes", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let query: ChangesQuery;
    try {
      query = parseChangesQuery(params);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(changesPage({ params, page: null, problem: err.message }), 400);
    }
    return c.html(changesPage({ params, page: await reads.run("changeFeed", query), problem: null }));
  });
  return app;
}
