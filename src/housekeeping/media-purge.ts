/**
 * The media purges as housekeeping steps: the buffer by `MEDIA_BUFFER_TTL_HOURS`, the deleted-media
 * store by `DELETED_MEDIA_TTL_DAYS` (off by default). Rows whose file is gone are marked `purged`,
 * so a later post says the file was purged instead of failing to open it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { purgeMediaBuffer } from "../media/purge-buffer.ts";
import { purgeVault } from "../media/vault/purge.ts";
import type { MediaFileStore } from "../store/media-files.ts";
import type { HousekeepingTask } from "./task.ts";

/** Removes buffered files older than the TTL. */
export function mediaBufferPurgeTask(
  files: MediaFileStore,
  mediaDir: string,
  ttlHours: number,
): HousekeepingTask {
  return {
    name: "media_buffer",
    async run({ now }) {
      const r = await purgeMediaBuffer(files, mediaDir, ttlHours, now);
      return { files: r.files, bytes: r.bytes };
    },
  };
}

/** Removes deleted-media files older than the TTL (0 keeps them forever). */
export function vaultPurgeTask(files: MediaFileStore, vaultDir: string, ttlDays: number): HousekeepingTask {
  return {
    name: "media_vault",
    async run({ now }) {
      if (ttlDays <= 0) return { files: 0, bytes: 0 };
      const r = await purgeVault(vaultDir, ttlDays, now, (names) => {
        const expiring = new Set(names);
        for (const row of files.vaulted())
          if (row.vaultFile && expiring.has(row.vaultFile)) files.update(row.id, { status: "purged" }, now);
      });
      // Rows whose file went some other way (by hand, or before this order was kept) say so too.
      for (const row of files.vaulted()) {
        if (row.vaultFile && !existsSync(path.join(vaultDir, row.vaultFile)))
          files.update(row.id, { status: "purged" }, now);
      }
      return { files: r.files, bytes: r.bytes };
    },
  };
}
