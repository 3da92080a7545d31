/**
 * Looking at one path or a whole root on disk. Symbolic links are recorded as links, never followed
 * (so link loops cannot trap the scan); sockets, FIFOs and devices are skipped with a reason; a name
 * that is not valid UTF-8 cannot be addressed as text and is skipped with a reason; anything else
 * that fails is reported, not thrown, so one bad path never stops a root.
 */
import type { Stats } from "node:fs";
import { lstatSync, readdirSync } from "node:fs";
import { lstat } from "node:fs/promises";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { FileMeta } from "../change.ts";
import type { PathFilter } from "../config/filters.ts";

/** What one path turned out to be. */
export type Observation =
  | { state: "file"; meta: FileMeta }
  | { state: "missing" }
  | { state: "dir" }
  | { state: "skipped"; reason: string }
  | { state: "error"; error: string };

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Classifies lstat's answer. */
function classify(s: Stats): Observation {
  if (s.isDirectory()) return { state: "dir" };
  if (s.isFile() || s.isSymbolicLink()) {
    return {
      state: "file",
      meta: {
        kind: s.isFile() ? "file" : "symlink",
        size: s.size,
        mtimeMs: s.mtimeMs,
        ino: s.ino,
        uid: s.uid,
      },
    };
  }
  const what = s.isFIFO()
    ? "a FIFO"
    : s.isSocket()
      ? "a socket"
      : s.isCharacterDevice() || s.isBlockDevice()
        ? "a device"
        : "not a regular file";
  return { state: "skipped", reason: `special file (${what}): not audited` };
}

const NOT_UTF8 = "name is not valid UTF-8: it cannot be addressed as text, not audited";

function failed(err: unknown, rel: string): Observation {
  const c = errCode(err);
  if (c === "ENOENT" || c === "ENOTDIR")
    return rel.includes("\uFFFD") ? { state: "skipped", reason: NOT_UTF8 } : { state: "missing" };
  if (c === "ENAMETOOLONG")
    return { state: "skipped", reason: "path longer than the system allows: not audited" };
  const message = (err as Error).message;
  return {
    state: "error",
    error: c && message.startsWith(`${c}:`) ? message : `${c ?? "error"}: ${message}`,
  };
}

/** Looks at `root/rel` now. */
export async function observe(root: string, rel: string): Promise<Observation> {
  try {
    return classify(await lstat(path.join(root, rel)));
  } catch (err) {
    return failed(err, rel);
  }
}

/** Everything a walk of a root found. */
export interface WalkResult {
  files: Map<string, FileMeta>;
  skipped: Array<{ rel: string; reason: string }>;
  errors: Array<{ rel: string; error: string }>;
  /** Folders that could not be read: what the snapshot knows below them is kept, not deleted. */
  unreadableDirs: string[];
  /** Every folder walked (the root itself aside): relative path → inode, to recognise renamed ones. */
  dirs: Map<string, number>;
}

/**
 * Walks `root` (not following links, skipping excluded folders), lstat'ing every included file and
 * every folder. Runs folder by folder with synchronous calls (fastest on Linux by far) and yields to
 * the event loop between folders, so timers and watchers keep running during a 100,000-file scan.
 * With `from`, walks only that folder of the root (paths stay relative to the root).
 */
export async function walkRoot(
  root: string,
  filter: PathFilter,
  onProgress?: (filesSeen: number) => void,
  from = "",
): Promise<WalkResult> {
  const result: WalkResult = {
    files: new Map(),
    skipped: [],
    errors: [],
    unreadableDirs: [],
    dirs: new Map(),
  };
  const dirs: string[] = [from];
  let sinceYield = 0;
  while (dirs.length > 0) {
    const relDir = dirs.pop()!;
    const absDir = relDir ? path.join(root, relDir) : root;
    let names: import("node:fs").Dirent[];
    try {
      names = readdirSync(absDir, { withFileTypes: true });
      if (relDir) {
        const s = lstatSync(absDir, { throwIfNoEntry: false });
        if (s?.isDirectory()) result.dirs.set(relDir, s.ino);
      }
    } catch (err) {
      const o = failed(err, relDir);
      if (o.state === "missing") continue;
      result.unreadableDirs.push(relDir);
      if (o.state === "error") result.errors.push({ rel: relDir, error: o.error });
      else if (o.state === "skipped") result.skipped.push({ rel: relDir, reason: o.reason });
      continue;
    }
    for (const d of names) {
      const rel = relDir ? `${relDir}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!filter.excludesDir(rel)) dirs.push(rel);
        continue;
      }
      if (!filter.includesFile(rel)) continue;
      let o: Observation;
      try {
        const s = lstatSync(path.join(absDir, d.name), { throwIfNoEntry: false });
        o = s ? classify(s) : failed(Object.assign(new Error("no such file"), { code: "ENOENT" }), rel);
      } catch (err) {
        o = failed(err, rel);
      }
      if (o.state === "file") result.files.set(rel, o.meta);
      else if (o.state === "skipped") result.skipped.push({ rel, reason: o.reason });
      else if (o.state === "error") result.errors.push({ rel, error: o.error });
      else if (o.state === "dir" && !filter.excludesDir(rel)) dirs.push(rel);
    }
    sinceYield += names.length;
    if (sinceYield >= 2000) {
      sinceYield = 0;
      onProgress?.(result.files.size);
      await yieldToLoop();
    }
  }
  onProgress?.(result.files.size);
  return result;
}
