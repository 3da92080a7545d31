/**
 * Reserves the blocks of a large file before it is written. Node has no fallocate(2), so this runs
 * util-linux's `fallocate --keep-size` (in Debian's and Ubuntu's base systems, so in the Docker
 * image, and on most glibc distributions). The file's size is left alone, so a file cut short still
 * reads as cut.
 *
 * Why: on ext4 a write into blocks not yet allocated reserves each 4 KiB block on its own (delayed
 * allocation, quota, extent-status tree) while holding the file's lock. With the blocks reserved
 * first, `dd` of 1 GiB took 0.16 s against 0.25 s in calm runs, and the vault's decryption went
 * from a median 0.49 s to 0.28 s (bench/vault.bench.ts). The blocks also come in few extents.
 *
 * It is only an optimisation: any failure (no `fallocate`, a file system without it, no space, a
 * time-out) returns false and the file is written as before, where a full disk then fails the write
 * itself. A folder where it failed is not tried again until the process restarts.
 */
import { spawn } from "node:child_process";
import path from "node:path";

/** Files smaller than this are not worth the ~3 ms of starting a process. */
export const PREALLOCATE_MIN = 64 * 1024 * 1024;

/** Longest wait for `fallocate`: milliseconds on a local file system, so more means a stuck one. */
const TIMEOUT_MS = 5_000;

/** Commands found missing, and folders where reserving failed: not tried again. */
const missing = new Set<string>();
const failedIn = new Set<string>();

/** How `preallocate` runs; only tests change it. */
export interface PreallocateOptions {
  /** The program to run (default `fallocate`, looked up on the absolute entries of PATH). */
  command?: string;
  /** Smallest size worth reserving (default PREALLOCATE_MIN). */
  minBytes?: number;
}

/**
 * Reserves `bytes` bytes of blocks for `file`, open in this process as `fd`, without changing its
 * size. The child works on the descriptor (as its `/proc/self/fd/3`), so a name swapped meanwhile
 * cannot redirect it. Resolves true when reserved, false when too small to bother or when it could
 * not be done; never rejects. The child gets only PATH and a C locale: none of the service's
 * settings or secrets.
 */
export function preallocate(
  file: string,
  fd: number,
  bytes: number,
  options: PreallocateOptions = {},
): Promise<boolean> {
  const command = options.command ?? "fallocate";
  const folder = path.dirname(path.resolve(file));
  if (
    process.platform !== "linux" ||
    bytes < (options.minBytes ?? PREALLOCATE_MIN) ||
    missing.has(command) ||
    failedIn.has(folder)
  ) {
    return Promise.resolve(false);
  }
  const env = { PATH: searchPath(), LC_ALL: "C" };
  const args = ["--keep-size", "--length", String(bytes), "--", "/proc/self/fd/3"];
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean, notFound = false) => {
      if (settled) return;
      settled = true;
      if (notFound) missing.add(command);
      else if (!ok) failedIn.add(folder);
      resolve(ok);
    };
    try {
      const child = spawn(command, args, {
        env,
        stdio: ["ignore", "ignore", "ignore", fd],
        timeout: TIMEOUT_MS,
        windowsHide: true,
      });
      child.once("error", (err: NodeJS.ErrnoException) => done(false, err.code === "ENOENT"));
      child.once("exit", (code) => done(code === 0));
    } catch {
      done(false);
    }
  });
}

/** PATH without relative or empty entries, which would search the working folder. */
function searchPath(): string {
  const absolute = (process.env.PATH ?? "").split(path.delimiter).filter((d) => path.isAbsolute(d));
  return absolute.length > 0 ? absolute.join(path.delimiter) : "/usr/local/bin:/usr/bin:/bin";
}
