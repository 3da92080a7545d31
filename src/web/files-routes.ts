/**
 * Files: `/ui/files` + `/api/files` (watched roots, folders with most changes in `since`..`until`,
 * top `top`) and `/ui/files/history?path=…` + `/api/files/history` (a file's events across renames,
 * `limit` per page, `before` the position of the next older page). `path` is only compared with
 * stored paths, never opened.
 */
import { Hono } from "hono";
import { notAWhen, parseWhen } from "../export/event-rows.ts";
import { filesPage, historyPage } from "./files-page.ts";
import type { FilesInput, HistoryInput } from "./files-query.ts";
import type { PageDeps } from "./page-deps.ts";

/** The range the folders are counted over when `since` is not given. */
export const DEFAULT_SINCE = "7d";
const TOP_DEFAULT = 20;
const TOP_MAX = 200;
const HISTORY_LIMIT = 100;
const HISTORY_MAX = 500;
/** Longest path taken: far above PATH_MAX, so a real path always fits. */
const PATH_MAX_CHARS = 8192;

/** A bad parameter (the 400 names it). */
class FilesParamError extends Error {
  readonly parameter: string;
  constructor(parameter: string, problem: string) {
    super(`${parameter}: ${problem}`);
    this.parameter = parameter;
  }
}

function single(params: URLSearchParams, name: string, known: readonly string[]): string | null {
  for (const key of params.keys())
    if (!known.includes(key))
      throw new FilesParamError(key, `unknown parameter (known: ${known.join(", ")})`);
  const all = params.getAll(name).filter((v) => v.trim() !== "");
  if (all.length > 1) throw new FilesParamError(name, "given more than once");
  return all[0]?.trim() ?? null;
}

function count(text: string | null, name: string, fallback: number, max: number): number {
  if (text === null) return fallback;
  const n = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new FilesParamError(name, `expected a whole number from 1 to ${max}`);
  return n;
}

/** The files page's query; throws FilesParamError. */
export function parseFilesQuery(params: URLSearchParams, now: number): FilesInput {
  const known = ["since", "until", "top"];
  const when = (name: string, fallback: string | null) => {
    const text = single(params, name, known) ?? fallback;
    if (text === null) return null;
    const at = parseWhen(text, now);
    if (at === null) throw new FilesParamError(name, notAWhen(text));
    return at;
  };
  const since = when("since", DEFAULT_SINCE);
  const until = when("until", null);
  if (since !== null && until !== null && since >= until)
    throw new FilesParamError("since", "must be before until");
  return { since, until, top: count(single(params, "top", known), "top", TOP_DEFAULT, TOP_MAX) };
}

/** The history page's query; throws FilesParamError. */
export function parseHistoryQuery(params: URLSearchParams): HistoryInput {
  const known = ["path", "limit", "before"];
  // Taken as given (not trimmed): a file name may end with a space.
  const paths = params.getAll("path").filter((p) => p !== "");
  single(params, "limit", known);
  if (paths.length === 0) throw new FilesParamError("path", "required: the full path of a file");
  if (paths.length > 1) throw new FilesParamError("path", "given more than once");
  const path = paths[0]!;
  if (path.length > PATH_MAX_CHARS)
    throw new FilesParamError("path", `longer than ${PATH_MAX_CHARS} characters`);
  const beforeText = single(params, "before", known);
  let before: HistoryInput["before"] = null;
  if (beforeText !== null) {
    const m = /^(-?\d{1,16})\.(\d{1,16})$/.exec(beforeText);
    if (!m) throw new FilesParamError("before", "not a position this server gave out");
    before = { occurredAt: Number(m[1]), id: Number(m[2]) };
  }
  return { path, limit: count(single(params, "limit", known), "limit", HISTORY_LIMIT, HISTORY_MAX), before };
}

export function filesRoutes({ reads, now, status }: PageDeps): Hono {
  const app = new Hono();
  const watchers = async () => {
    if (!status) return null;
    const part = (await status()).body.watchers;
    return part !== null && typeof part === "object" ? (part as Record<string, unknown>) : null;
  };
  app.get("/api/files", async (c) => {
    let input: FilesInput;
    try {
      input = parseFilesQuery(new URL(c.req.url).searchParams, now());
    } catch (err) {
      if (err instanceof FilesParamError)
        return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const [overview, live] = await Promise.all([reads.run("filesOverview", input), watchers()]);
    return c.json({ ...overview, watchers: live });
  });
  app.get("/ui/files", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let input: FilesInput;
    try {
      input = parseFilesQuery(params, now());
    } catch (err) {
      if (!(err instanceof FilesParamError)) throw err;
      const [overview, live] = await Promise.all([
        reads.run("filesOverview", { since: now(), until: null, top: 1 }),
        watchers(),
      ]);
      return c.html(
        filesPage({ params, overview: { ...overview, folders: [] }, watchers: live, problem: err.message }),
        400,
      );
    }
    const [overview, live] = await Promise.all([reads.run("filesOverview", input), watchers()]);
    return c.html(filesPage({ params, overview, watchers: live, problem: null }));
  });
  app.get("/api/files/history", async (c) => {
    let input: HistoryInput;
    try {
      input = parseHistoryQuery(new URL(c.req.url).searchParams);
    } catch (err) {
      if (err instanceof FilesParamError)
        return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    return c.json(await reads.run("fileHistory", input));
  });
  app.get("/ui/files/history", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let input: HistoryInput;
    try {
      input = parseHistoryQuery(params);
    } catch (err) {
      if (!(err instanceof FilesParamError)) throw err;
      return c.html(historyPage(params.get("path") ?? "", null, err.message), 400);
    }
    return c.html(historyPage(input.path, await reads.run("fileHistory", input), null));
  });
  return app;
}
