/**
 * Housekeeping task: `events` older than `EVENTS_RETENTION_DAYS` are appended to the archive and
 * only then deleted, chunk by chunk.
 */
import type { RetentionQueries } from "../store/retention.ts";
import { appendToArchive } from "./events-archive.ts";
import { eventsCutoff } from "./retention-policy.ts";
import type { HousekeepingTask, TaskContext, TaskCounts } from "./task.ts";

const CHUNK = 2000;

/** The task; does nothing when `retentionDays` is 0 (keep forever). */
export function eventsRetentionTask(
  queries: RetentionQueries,
  retentionDays: number,
  archiveDir: string,
): HousekeepingTask {
  return {
    name: "events",
    async run(ctx: TaskContext): Promise<TaskCounts> {
      const cutoff = eventsCutoff(retentionDays, ctx.now);
      let archived = 0;
      if (cutoff === null) return { events: 0 };
      while (!ctx.signal.aborted) {
        const rows = queries.expiredEvents(cutoff, CHUNK);
        if (rows.length === 0) break;
        await appendToArchive(archiveDir, ctx.now, rows);
        // Archived already: this delete is retried on its own so the rows are not archived twice.
        archived += await ctx.stored("deleting archived events", () =>
          queries.deleteEvents(rows.map((r) => r.id)),
        );
        if (rows.length < CHUNK) break;
        await ctx.yieldToLoop();
      }
      return { events: archived };
    },
  };
}
