/**
 * Housekeeping task: archive files (`events-YYYYMMDD.jsonl.gz`, events-archive.ts) are removed
 * `ARCHIVE_RETENTION_DAYS` after the day they were written, so the cold copy of the trail has an
 * end too (off by default: the archive is the last copy of expired events). Only files named by the
 * archive are touched; anything else in the folder is the owner's.
 */
import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { HousekeepingTask, TaskContext, TaskCounts } from "./task.ts";

const DAY_MS = 86_400_000;
const ARCHIVE_NAME = /^events-(\d{4})(\d{2})(\d{2})\.jsonl\.gz$/;

/**
 * The archive files among `names` whose last write ended more than `retentionDays` days before
 * `now`: a file of day D may be written until D ends, so it goes `retentionDays` days after that.
 */
export function expiredArchiveFiles(names: readonly string[], retentionDays: number, now: number): string[] {
  if (retentionDays <= 0) return [];
  return names.filter((name) => {
    const m = ARCHIVE_NAME.exec(name);
    if (!m) return false;
    const dayStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return dayStart + DAY_MS + retentionDays * DAY_MS <= now;
  });
}

/** The task; does nothing when `retentionDays` is 0 (keep forever). */
export function archiveRetentionTask(archiveDir: string, retentionDays: number): HousekeepingTask {
  return {
    name: "archive",
    async run(ctx: TaskContext): Promise<TaskCounts> {
      if (retentionDays <= 0) return { files: 0, bytes: 0 };
      let names: string[];
      try {
        names = await readdir(archiveDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return { files: 0, bytes: 0 };
        throw err;
      }
      let files = 0;
      let bytes = 0;
      for (const name of expiredArchiveFiles(names, retentionDays, ctx.now)) {
        if (ctx.signal.aborted) break;
        const file = path.join(archiveDir, name);
        const size = (await stat(file)).size;
        await unlink(file);
        files++;
        bytes += size;
      }
      return { files, bytes };
    },
  };
}
