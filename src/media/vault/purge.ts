/**
 * Removes vault files older than a retention period (DELETED_MEDIA_TTL_DAYS; 0 keeps them
 * forever), for the housekeeping loop. Only kept files (`*.tlv` encrypted, `*.bin` plain — both can be
 * there when ENCRYPT_DELETED_MEDIA changed — and the Python logger's `*.enc` a migrating user may
 * have copied in) and the stores' own leftover temporary files are touched;
 * anything else in the folder is left alone. The choice is a pure function of a listing.
 */
import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";

/** One file of the vault folder as seen by `selectExpired`. */
export interface VaultListing {
  name: string;
  mtimeMs: number;
  size: number;
}

/** What a purge removed. */
export interface PurgeResult {
  files: number;
  bytes: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A temporary file this old was left by a crash (a write takes seconds, not hours). */
const STALE_TEMP_MS = DAY_MS;
const VAULT_FILE = /^[0-9a-f]{32}\.(?:tlv|bin)$|\.enc$/i;
const TEMP_FILE = /^\.[0-9a-f]{32}\.(?:tlv|bin)\.tmp$/;

/**
 * The entries to delete at time `now` (ms): vault files modified more than `ttlDays` days ago
 * (none when `ttlDays` is 0), and temporary files older than a day whatever the TTL.
 */
export function selectExpired(
  entries: readonly VaultListing[],
  ttlDays: number,
  now: number,
): VaultListing[] {
  return entries.filter((e) => {
    if (TEMP_FILE.test(e.name)) return now - e.mtimeMs > STALE_TEMP_MS;
    return ttlDays > 0 && VAULT_FILE.test(e.name) && now - e.mtimeMs > ttlDays * DAY_MS;
  });
}

/**
 * Deletes expired files of `vaultDir` (see `selectExpired`); a missing folder purges nothing.
 * `beforeRemoving` is told the names first, so rows can say "purged" before their file is gone
 * (`verify` running meanwhile, or a crash in between, never sees a kept row without its file).
 */
export async function purgeVault(
  vaultDir: string,
  ttlDays: number,
  now: number,
  beforeRemoving: (names: readonly string[]) => void = () => {},
): Promise<PurgeResult> {
  let names: string[];
  try {
    names = (await readdir(vaultDir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { files: 0, bytes: 0 };
    throw err;
  }
  const listing: VaultListing[] = [];
  for (const name of names) {
    try {
      const s = await stat(path.join(vaultDir, name));
      listing.push({ name, mtimeMs: s.mtimeMs, size: s.size });
    } catch {
      // Removed meanwhile.
    }
  }
  const result: PurgeResult = { files: 0, bytes: 0 };
  const expired = selectExpired(listing, ttlDays, now);
  beforeRemoving(expired.map((e) => e.name));
  for (const e of expired) {
    try {
      await unlink(path.join(vaultDir, e.name));
      result.files++;
      result.bytes += e.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
  return result;
}
