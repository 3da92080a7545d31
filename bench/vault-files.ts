/**
 * Files for bench/vault.bench.ts: making the plain file, naming the file system the rows write to,
 * and putting each row's source and free memory in the same state before it runs.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, realpathSync, writeSync } from "node:fs";

const MiB = 1024 * 1024;

/** The file system holding `dir` (longest mount point above it), from /proc/self/mounts. */
export function fileSystemOf(dir: string): string {
  try {
    const real = realpathSync(dir);
    let best = { mount: "", type: "?", device: "?" };
    for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
      const [device, mount, type] = line.split(" ");
      if (!device || !mount || !type) continue;
      const inside = real === mount || real.startsWith(mount.endsWith("/") ? mount : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, type, device };
    }
    const kind =
      best.type === "tmpfs" || best.type === "ramfs"
        ? "RAM only"
        : "disk-backed: rows read from and write into the page cache, `sync` before each row, no fsync inside one";
    return `${best.type} (${best.device} on ${best.mount}), ${kind}`;
  } catch {
    return "unknown file system";
  }
}

/**
 * Reads `file` once, untimed, so the row that follows reads it from the page cache. Needed because
 * the host of the benchmark VM pages out page cache left untouched for about 30 s (a DAMON
 * `pageout` scheme, /sys/kernel/mm/damon): the plain file, read by almost every row, stayed
 * cached, while the vault file, read only by the decrypt row once a round, was mostly evicted and
 * read back from disk (`fincore`: 26% left after 45 s idle).
 */
export function warmPageCache(file: string): void {
  const buf = Buffer.allocUnsafeSlow(MiB);
  const fd = openSync(file, "r");
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** `sync`: every row starts with no dirty pages of the rows before it waiting to be written. */
export function flushDirtyPages(): void {
  try {
    execFileSync("sync");
  } catch {
    // Not available: measurements are only noisier.
  }
}

/** Writes `size` random bytes to `file`. */
export function makeFile(file: string, size: number): void {
  const block = randomBytes(16 * MiB);
  const fd = openSync(file, "w", 0o600);
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(block.length, size - done);
      writeSync(fd, block, 0, n);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}
