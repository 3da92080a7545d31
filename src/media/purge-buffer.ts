/**
 * Purges the media buffer: files kept longer than `MEDIA_BUFFER_TTL_HOURS` (whose messages were
 * not deleted) are removed, and so are partial downloads left by a crash. For the housekeeping loop.
 */
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { MediaFileStore } from "../store/media-files.ts";

/** What a purge removed. */
export interface PurgeResult {
  files: number;
  bytes: number;
}

/** Removes buffered files older than `ttlHours` (0 keeps them forever); deletes in batches. */
export async function purgeMediaBuffer(
  files: MediaFileStore,
  mediaDir: string,
  ttlHours: number,
  now: number,
): Promise<PurgeResult> {
  const result: PurgeResult = { files: 0, bytes: 0 };
  if (ttlHours <= 0) return result;
  const before = now - ttlHours * 3_600_000;
  for (;;) {
    const batch = files.storedBefore(before, 500);
    if (batch.length === 0) break;
    for (const row of batch) {
      files.update(row.id, { status: "purged" }, now);
      if (row.blob && files.blobUsers(row.blob) === 0) {
        const file = path.join(mediaDir, row.blob);
        const size = await stat(file).then(
          (s) => s.size,
          () => 0,
        );
        await rm(file, { force: true });
        if (size > 0) {
          result.files++;
          result.bytes += size;
        }
      }
    }
  }
  for (const name of await readdir(mediaDir).catch(() => [] as string[])) {
    if (!name.endsWith(".part")) continue;
    const file = path.join(mediaDir, name);
    const s = await stat(file).catch(() => undefined);
    if (s && s.mtimeMs < before) await rm(file, { force: true });
  }
  return result;
}
