/**
 * Housekeeping task: log-chat posts delivered more than `OUTBOX_RETENTION_DAYS` ago leave the
 * outbox. They are copies of message text (kept in `messages` under its own retention), so the
 * outbox does not grow for ever with sensitive text.
 */
import type { Store } from "../store/db.ts";
import type { OutboxStore } from "../store/outbox.ts";
import type { HousekeepingTask, TaskContext, TaskCounts } from "./task.ts";

const CHUNK = 500;
const DAY_MS = 86_400_000;

/** The task; does nothing when `retentionDays` is 0 (keep forever). */
export function outboxRetentionTask(
  outbox: OutboxStore,
  store: Store,
  retentionDays: number,
): HousekeepingTask {
  return {
    name: "outbox",
    async run(ctx: TaskContext): Promise<TaskCounts> {
      if (retentionDays <= 0) return { posts: 0 };
      const before = ctx.now - retentionDays * DAY_MS;
      let removed = 0;
      while (!ctx.signal.aborted) {
        const n = outbox.purgeDelivered(before, CHUNK, store.transaction);
        removed += n;
        if (n === 0) break;
        await ctx.yieldToLoop();
      }
      return { posts: removed };
    },
  };
}
