/**
 * Housekeeping task: deletes messages (and their revisions) older than their chat type's retention
 * (`PERSIST_TIME_IN_DAYS_*`), in adaptive chunks with a yield between chunks.
 */
import type { RetentionQueries } from "../store/retention.ts";
import { AdaptiveChunk } from "./chunk-size.ts";
import { messageRules, type RetentionDays } from "./retention-policy.ts";
import type { HousekeepingTask, TaskContext, TaskCounts } from "./task.ts";

/** The task; `days` as in `Config.retentionDays`. */
export function messageRetentionTask(queries: RetentionQueries, days: RetentionDays): HousekeepingTask {
  const chunk = new AdaptiveChunk();
  return {
    name: "messages",
    async run(ctx: TaskContext): Promise<TaskCounts> {
      const counts = { messages: 0, revisions: 0 };
      for (const rule of messageRules(days, ctx.now)) {
        while (!ctx.signal.aborted) {
          const size = chunk.size;
          const started = performance.now();
          const r = queries.purgeMessages(rule.chatTypes, rule.cutoff, size);
          chunk.observe(r.messages, performance.now() - started);
          counts.messages += r.messages;
          counts.revisions += r.revisions;
          if (r.messages < size) break;
          await ctx.yieldToLoop();
        }
      }
      return counts;
    },
  };
}
