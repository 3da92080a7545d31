/**
 * Renamed folders, found live. The watcher reports a folder rename as every old path gone and every
 * new one added, in no useful order. So before hinted files are looked at one by one,
 * the folders they sit in (and hinted folders) are checked, outermost first: a folder whose inode
 * the snapshot does not know at its path, but knows at a path that is gone now, is the same
 * folder renamed. Its subtree is then walked and paired with the snapshot below the old name
 * (dir-renames.ts), and the rename is recorded as one event that moves every file's snapshot row in
 * the same transaction — before any of its files could be taken for a rename of its own. A folder
 * nobody knew is simply learnt.
 */
import { lstat } from "node:fs/promises";
import path from "node:path";
import type { DirStateStore } from "../../store/dir-state.ts";
import type { FileStateMeta, FileStateStore } from "../../store/file-state.ts";
import type { FileChange, RootContext } from "../change.ts";
import type { Recorder } from "../recorder.ts";
import { pairDirRenames, parentOf } from "./dir-renames.ts";
import { walkRoot } from "./observe.ts";
import { prepareChanges } from "./prepare-changes.ts";
import { sameIdentity } from "./snapshot-diff.ts";

/** What the folder check needs. */
export interface FolderCheckDeps {
  ctx: RootContext;
  fileState: FileStateStore;
  dirState: DirStateStore;
  recorder: Recorder;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
}

/** What the folder check leaves to the file-by-file examination. */
export interface FolderCheckResult {
  /** Files below a renamed folder's new name that it did not bring: to examine as new files. */
  arrived: string[];
  /** Snapshot files below a renamed folder's old name that did not come along: gone from there. */
  left: string[];
  /** Moved files that changed while being hashed: to look at again. */
  retry: string[];
  /** Moved files that could not be read to be hashed. */
  errors: Array<{ rel: string; error: string }>;
  /**
   * A folder took a name the snapshot still has files under (folders that swapped names, or one
   * replaced another): only a reconcile pass of the whole root can pair that; nothing was recorded.
   */
  rescan: boolean;
}

async function inodeOf(abs: string): Promise<number | undefined> {
  try {
    const s = await lstat(abs);
    return s.isDirectory() ? s.ino : undefined;
  } catch {
    return undefined;
  }
}

function depth(rel: string): number {
  let n = 0;
  for (const ch of rel) if (ch === "/") n++;
  return n;
}

/**
 * Checks `dirs` (relative folder paths) for renamed folders and records what it finds, with the
 * calling task's `correlationId`.
 */
export async function checkFolders(
  d: FolderCheckDeps,
  dirs: Iterable<string>,
  seenAt: (rel: string) => number,
  correlationId: string,
): Promise<FolderCheckResult> {
  const result: FolderCheckResult = { arrived: [], left: [], retry: [], errors: [], rescan: false };
  const root = d.ctx.cfg.path;
  const handled: string[] = [];
  for (const rel of [...new Set(dirs)].sort((a, b) => depth(a) - depth(b))) {
    if (handled.some((h) => rel === h || rel.startsWith(`${h}/`))) continue;
    const ino = await inodeOf(path.join(root, rel));
    if (ino === undefined || d.dirState.get(root, rel) === ino) continue;
    if ((await goneFolders(d, ino, rel)).length === 0) {
      d.dirState.put(root, rel, ino, d.now());
      continue;
    }
    handled.push(rel);
    await recordRenamesInto(d, rel, seenAt, result, correlationId);
    if (result.rescan) break;
  }
  return result;
}

/** Folders the snapshot knows with inode `ino` that are no longer at their path. */
async function goneFolders(d: FolderCheckDeps, ino: number, except: string): Promise<string[]> {
  const root = d.ctx.cfg.path;
  const gone: string[] = [];
  for (const rel of d.dirState.byInode(root, ino)) {
    if (rel !== except && (await inodeOf(path.join(root, rel))) !== ino) gone.push(rel);
  }
  return gone;
}

/**
 * Walks `to` (a folder whose inode the snapshot knows elsewhere), pairs it and its subfolders with
 * the snapshot below their old names, and records the renames and the changes of moved files.
 */
async function recordRenamesInto(
  d: FolderCheckDeps,
  to: string,
  seenAt: (rel: string) => number,
  result: FolderCheckResult,
  correlationId: string,
): Promise<void> {
  const { ctx, fileState, dirState } = d;
  const root = ctx.cfg.path;
  const walk = await walkRoot(root, ctx.filter, undefined, to);
  const beforeDirs = new Map<string, number>();
  const beforeFiles = new Map<string, FileStateMeta>();
  const gone: string[] = [];
  for (const [rel, ino] of walk.dirs) {
    for (const from of await goneFolders(d, ino, rel)) {
      gone.push(from);
      for (const [r, i] of dirState.under(root, from)) beforeDirs.set(r, i);
      for (const [r, f] of fileState.under(root, from)) beforeFiles.set(r, f);
    }
  }
  const pairing = pairDirRenames(beforeDirs, walk.dirs, beforeFiles, walk.files);
  if (pairing.renames.length > 0 && [...fileState.under(root, to).keys()].some((r) => !beforeFiles.has(r))) {
    result.rescan = true;
    return;
  }
  const candidates: FileChange[] = pairing.renames.map((r) => ({
    type: "renamed",
    rel: r.to,
    fromRel: r.from,
    checksum: null,
    seenAt: seenAt(r.to),
    dir: { files: r.files, moves: r.moves },
  }));
  const landed = new Set(pairing.moved.values());
  for (const [from, rel] of pairing.moved) {
    const prev = beforeFiles.get(from)!;
    const meta = walk.files.get(rel)!;
    if (!sameIdentity(prev, meta) || prev.kind !== meta.kind)
      candidates.push({
        type: "modified",
        rel,
        snapshotRel: from,
        meta,
        prev,
        checksum: null,
        seenAt: seenAt(rel),
      });
  }
  const prepared = await prepareChanges(ctx, candidates, (rel) => fileState.content(root, rel));
  d.recorder.apply(ctx, prepared.changes, correlationId);
  d.transaction(() => {
    for (const r of pairing.renames) dirState.removeUnder(root, r.from);
    // A folder deleted earlier whose inode was handed out again: nothing of it is left to pair.
    for (const from of gone) if (fileState.under(root, from).size === 0) dirState.removeUnder(root, from);
    for (const [rel, ino] of walk.dirs) dirState.put(root, rel, ino, d.now());
  });
  result.retry.push(...prepared.retry);
  result.errors.push(...prepared.errors);
  for (const rel of walk.files.keys()) if (!landed.has(rel)) result.arrived.push(rel);
  for (const rel of beforeFiles.keys()) if (!pairing.moved.has(rel)) result.left.push(rel);
}

/** The folders to check for the hinted `rel`: those above it, and itself when it is a folder. */
export function foldersOf(rel: string, isDir: boolean): string[] {
  const out = isDir ? [rel] : [];
  for (let a = parentOf(rel); a !== ""; a = parentOf(a)) out.push(a);
  return out;
}
