/**
 * Keeps the search index (store/search-index.ts) up to date in the background: small steps on the
 * writer connection, each its own short transaction, paced so that ingest keeps the connection
 * most of the time. Part of the composition root.
 *
 * Pacing: a step indexes at most `STEP_ROWS` rows (~3–10 ms). While something else writes (ingest
 * is busy: the connection's change count moved by others within `QUIET_MS`; a burst spends most
 * of its time mapping updates between writes, so "since the previous step" is not enough) it
 * takes one step per `MAX_LAG_MS` (enough for a steady trickle; a burst does not notice it; any
 * larger share measured 16–95 % ingest cost here, as the steps ran between a burst's writes), and
 * 5 % of the thread (`BEHIND_FACTOR`) once `HIGH_WATER` rows wait. With nothing else writing it sleeps
 * `IDLE_FACTOR`× a step's time between steps (catching up), and `POLL_MS` when there was nothing
 * to do. Rows that existed before the index (a migrated database)
 * go through the same steps, newest first, with progress in the log.
 */
import type { Logger } from "../log.ts";
import type { Store } from "../store/db.ts";
import { SearchIndexer, searchIndexProgress } from "../store/search-index.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";

const STEP_ROWS = 128;
const BEHIND_FACTOR = 19;
/** While ingest is busy, one step at least this often, so a steady trickle is still indexed. */
const MAX_LAG_MS = 5_000;
/** Queued rows beyond which indexing takes a larger share while ingest is busy: bounds the lag. */
const HIGH_WATER = 50_000;
const IDLE_FACTOR = 1;
const POLL_MS = 250;
/** How long after another write the writer counts as busy. */
const QUIET_MS = 1_000;
const RETRY_MS = 1_000;
const FAILED_MS = 30_000;
/** How often building progress is logged at most (and every 10 %). */
const PROGRESS_EVERY_MS = 15_000;

/** The running indexer. */
export interface SearchPart {
  stop(): void;
}

/** Starts indexing in the background; `stop()` before the database closes. */
export function startSearchIndexing(store: Store, log: Logger): SearchPart {
  const indexer = new SearchIndexer(store.sqlite);
  const changes = store.sqlite.prepare("SELECT total_changes()").pluck();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let changesAfterStep = -1;
  let lastOtherWrite = Number.NEGATIVE_INFINITY;
  let lastBusyStep = performance.now();
  const start = searchIndexProgress(store.sqlite);
  const building = { active: start.backfillLeft > 0, since: Date.now(), loggedAt: 0, loggedPercent: -1 };
  if (building.active)
    log.info(
      { rows: start.backfillLeft, percent: start.percent },
      "search index: indexing rows stored before it existed, in the background; search answers meanwhile with what is indexed",
    );

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const logProgress = () => {
    const p = searchIndexProgress(store.sqlite);
    const now = Date.now();
    if (p.backfillLeft === 0) {
      building.active = false;
      log.info({ ms: now - building.since }, "search index: built");
      return;
    }
    if (p.percent >= building.loggedPercent + 10 || now - building.loggedAt >= PROGRESS_EVERY_MS) {
      building.loggedAt = now;
      building.loggedPercent = p.percent;
      log.info({ percent: p.percent, rowsLeft: p.backfillLeft }, `search index: ${p.percent}% built`);
    }
  };
  function tick(): void {
    if (stopped) return;
    const seen = changes.get() as number;
    // Ingest spends most of a burst mapping updates between its writes: "busy" is a write by
    // someone else within the last QUIET_MS, not only since the previous step.
    if (changesAfterStep !== -1 && seen !== changesAfterStep) lastOtherWrite = performance.now();
    const busy = performance.now() - lastOtherWrite < QUIET_MS;
    if (
      busy &&
      performance.now() - lastBusyStep < MAX_LAG_MS &&
      searchIndexProgress(store.sqlite).queued < HIGH_WATER
    ) {
      changesAfterStep = seen;
      schedule(POLL_MS);
      return;
    }
    if (busy) lastBusyStep = performance.now();
    const t0 = performance.now();
    let more: boolean;
    try {
      more = store.transaction(() => indexer.step(STEP_ROWS)).more;
    } catch (err) {
      if (isTransientStorageError(err)) schedule(RETRY_MS);
      else {
        log.error({ err }, "search index: a step failed; retrying later");
        schedule(FAILED_MS);
      }
      return;
    }
    const ms = performance.now() - t0;
    changesAfterStep = changes.get() as number;
    if (building.active) logProgress();
    if (!more) schedule(POLL_MS);
    else if (!busy) schedule(Math.max(1, ms * IDLE_FACTOR));
    else schedule(Math.max(POLL_MS, ms * BEHIND_FACTOR));
  }
  schedule(0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
