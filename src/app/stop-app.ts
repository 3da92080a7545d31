/**
 * Stopping a running app: intake stops, work in flight gets at most `STOP_DRAIN_MS` to finish, then
 * the http server and the database close, whatever a part did on its way out. Part of the
 * composition root.
 */
import type { Config } from "../config.ts";
import type { Housekeeper } from "../housekeeping/housekeeper.ts";
import type { HttpServer } from "../http/server.ts";
import type { Logger } from "../log.ts";
import type { Reads } from "../web/reads.ts";
import type { AgentRecorderPart } from "./agent-recorder-part.ts";
import type { FileAuditPart } from "./file-audit-part.ts";
import type { SearchPart } from "./search-part.ts";
import type { StorePart } from "./store-part.ts";
import type { TelegramPart } from "./telegram-part.ts";

/** How long `stop()` waits for work in flight before closing the database anyway. */
export const STOP_DRAIN_MS = 8_000;

/** The parts of a running app that stop. */
export interface RunningParts {
  config: Config;
  log: Logger;
  data: StorePart;
  telegram: TelegramPart | undefined;
  files: FileAuditPart | undefined;
  /** The recorder of remote file agents, when NATS_URL is set. */
  agents: AgentRecorderPart | undefined;
  housekeeper: Housekeeper;
  http: HttpServer;
  /** The web UI's read worker. */
  uiReads: Reads;
  /** The search index's background steps. */
  search: SearchPart;
}

/** Stops every part, drains (bounded), closes http and the database. */
export async function stopApp(p: RunningParts): Promise<void> {
  const { log } = p;
  p.search.stop();
  // Every part stops and the database closes even when one part fails to stop cleanly.
  const drained = Promise.allSettled([
    p.housekeeper.stop(),
    p.files?.stop(),
    p.telegram?.detach(),
    p.agents?.stop(),
  ]).then((results) => {
    for (const r of results)
      if (r.status === "rejected") log.error({ err: r.reason }, "a part failed to stop");
    return true;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), STOP_DRAIN_MS);
  });
  if (!(await Promise.race([drained, timeout])))
    log.warn({ waitedMs: STOP_DRAIN_MS }, "work in flight did not finish in time; closing anyway");
  clearTimeout(timer);
  await p.http.close();
  await p.uiReads.close();
  p.data.close();
  log.info("stopped");
}
