/**
 * `/api/events.csv` and `/api/events.jsonl`: the events list's filter (every parameter of
 * `/api/events` but `cursor` and `limit`: an export has every matching row) as a file, streamed.
 * Rows come oldest first, as from the `export` command, unless `sort=newest`; `bom=1` starts a CSV
 * with a UTF-8 byte-order mark, like the command's `--bom` (Excel then reads non-Latin text).
 *
 * The body is a stream pulled by the connection: each pull asks the read worker for the next chunk
 * (event-export.ts), so a slow client holds one chunk in memory, not the export.
 */
import { type Context, Hono } from "hono";
import { csvHeader, type ExportFormat } from "../export/event-rows.ts";
import type { ExportPosition } from "./event-export.ts";
import { type EventQuery, FilterError, parseEventQuery } from "./event-query.ts";
import type { PageDeps } from "./page-deps.ts";
import type { Reads } from "./reads.ts";

/** UTF-8 byte-order mark, as the `export` command's `--bom` writes it. */
const BOM = "\uFEFF";

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};

/** What an export was asked for. */
interface ExportRequest {
  query: EventQuery;
  bom: boolean;
}

/** The export's query string; throws `FilterError` naming the first bad parameter. */
export function parseExportRequest(
  search: URLSearchParams,
  format: ExportFormat,
  now: number,
): ExportRequest {
  const params = new URLSearchParams(search);
  for (const name of ["cursor", "limit"])
    if (params.has(name)) throw new FilterError(name, "not for an export: it has every matching row");
  const bomValues = params.getAll("bom");
  params.delete("bom");
  if (bomValues.length > 1) throw new FilterError("bom", "given more than once");
  const bomText = bomValues[0]?.trim() ?? "";
  if (!["", "0", "1", "true", "false"].includes(bomText)) throw new FilterError("bom", "expected 1 or 0");
  const bom = bomText === "1" || bomText === "true";
  if (bom && format !== "csv") throw new FilterError("bom", "only for CSV (events.csv)");
  if (!params.getAll("sort").some((v) => v.trim() !== "")) params.set("sort", "oldest");
  return { query: parseEventQuery(params, now), bom };
}

/** The export as a byte stream, read chunk by chunk as the connection takes it. */
function exportStream(
  reads: Reads,
  format: ExportFormat,
  request: ExportRequest,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: ExportPosition | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started && format === "csv")
          controller.enqueue(encoder.encode(`${request.bom ? BOM : ""}${csvHeader()}`));
        started = true;
        const chunk = await reads.run("eventExportChunk", { query: request.query, format, after });
        if (chunk.text !== "") controller.enqueue(encoder.encode(chunk.text));
        after = chunk.next;
        if (after === null) controller.close();
      },
    },
    // One chunk queued ahead at most: the next is read only once the connection has taken this one.
    { highWaterMark: 0 },
  );
}

/** The routes of the events export. */
export function exportRoutes({ reads, now }: PageDeps): Hono {
  const app = new Hono();
  const answer = (c: Context, format: ExportFormat) => {
    let request: ExportRequest;
    try {
      request = parseExportRequest(new URL(c.req.url).searchParams, format, now());
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const day = new Date(now()).toISOString().slice(0, 10);
    return c.body(exportStream(reads, format, request), 200, {
      "Content-Type": CONTENT_TYPE[format],
      "Content-Disposition": `attachment; filename="events-${day}.${format}"`,
    });
  };
  app.get("/api/events.csv", (c) => answer(c, "csv"));
  app.get("/api/events.jsonl", (c) => answer(c, "jsonl"));
  return app;
}
