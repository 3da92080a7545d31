/**
 * Housekeeping task: measures how many bytes the media buffer and the vault hold, for the
 * `telegram_logger_media_bytes` metric. Walking the folders once per run keeps scrapes cheap.
 */
import { opendir, stat } from "node:fs/promises";
import path from "node:path";
import type { HousekeepingTask, TaskContext } from "./task.ts";

/** Total size of the regular files under `dir` (0 when it does not exist). */
async function folderBytes(dir: string, ctx?: Pick<TaskContext, "yieldToLoop">): Promise<number> {
  let total = 0;
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(d);
    } catch {
      return;
    }
    for await (const entry of handle) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile())
        total += await stat(p).then(
          (s) => s.size,
          () => 0,
        );
      if (++seen % 1000 === 0) await ctx?.yieldToLoop();
    }
  };
  await walk(dir);
  return total;
}

/** Where the measured sizes are kept for the metrics. */
export interface MediaUsage {
  buffer: number;
  vault: number;
}

/** The task: updates `into.current` with the sizes of `bufferDir` and `vaultDir`. */
export function mediaUsageTask(
  bufferDir: string,
  vaultDir: string,
  into: { current: MediaUsage | null },
): HousekeepingTask {
  return {
    name: "media_usage",
    async run(ctx) {
      into.current = { buffer: await folderBytes(bufferDir, ctx), vault: await folderBytes(vaultDir, ctx) };
      return {};
    },
  };
}
