/**
 * Folder renames, decided from facts. A folder keeps its inode when renamed, so a folder of the
 * snapshot that is gone from its path while a folder with its inode exists elsewhere was renamed
 * there — provided at least one audited file below it is found at the same relative path under the
 * new name with its identity unchanged: inode, size and mtime. ext4 hands freed inodes out again at
 * once, so inodes alone prove nothing, not even a folder's and a file's together: `rm -rf a; mkdir
 * b; echo y > b/f` often gives `b` and `b/f` the inodes `a` and `a/f` had. A file written anew gets
 * a new mtime; a file carried along by a rename keeps it. Every file of the old folder then follows it to the same relative
 * path under the new name, whatever happened to its contents (the caller compares each moved file
 * with its snapshot state, so a file changed as well still gets its own modification). A subfolder
 * renamed too (inside the renamed folder, or moved elsewhere) is a rename of its own. Pure, so the
 * rules are tested directly; used for a whole root by the reconcile scan and for one subtree by the
 * live examination.
 */

import { type StatIdentity, sameIdentity } from "./snapshot-diff.ts";

/** One renamed folder. */
export interface DirRename {
  from: string;
  to: string;
  /** Files carried along, old path → new path (not those of a subfolder with a rename of its own). */
  moves: Array<{ from: string; to: string }>;
  /** Audited files now below `to` that were below `from`, at any depth. */
  files: number;
}

/** What `pairDirRenames` found. */
export interface DirRenamePairing {
  /** Outermost first. */
  renames: DirRename[];
  /** Every file carried along by a folder rename: old path → new path. */
  moved: Map<string, string>;
}

/** The folder holding `rel` ("" for the root). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

function isUnder(rel: string, dir: string): boolean {
  return rel.startsWith(`${dir}/`);
}

/** The deepest folder above `rel` that `moves` moved, if any. */
function innermost(rel: string, moves: ReadonlyMap<string, string>): string | undefined {
  for (let a = parentOf(rel); a !== ""; a = parentOf(a)) if (moves.has(a)) return a;
  return undefined;
}

/** Where the moves put `rel` (a file below `dir`, its innermost moved folder). */
function target(rel: string, dir: string, moves: ReadonlyMap<string, string>): string {
  return moves.get(dir)! + rel.slice(dir.length);
}

const NONE: DirRenamePairing = { renames: [], moved: new Map() };

/**
 * Pairs folder renames between the snapshot (`beforeDirs`, `beforeFiles`) and the disk (`nowDirs`,
 * `nowFiles`); folder maps are relative path → inode. Files a rename does not explain are left to
 * the file-by-file comparison.
 */
export function pairDirRenames(
  beforeDirs: ReadonlyMap<string, number>,
  nowDirs: ReadonlyMap<string, number>,
  beforeFiles: ReadonlyMap<string, StatIdentity>,
  nowFiles: ReadonlyMap<string, StatIdentity>,
): DirRenamePairing {
  const nowByIno = new Map<number, string>();
  for (const [rel, ino] of nowDirs) nowByIno.set(ino, rel);
  const moves = new Map<string, string>();
  const taken = new Set<string>();
  for (const [rel, ino] of beforeDirs) {
    if (nowDirs.get(rel) === ino) continue;
    const to = nowByIno.get(ino);
    if (to === undefined || to === rel || taken.has(to) || beforeDirs.get(to) === ino) continue;
    moves.set(rel, to);
    taken.add(to);
  }
  if (moves.size === 0) return NONE;

  // Keep the moves a file confirms. Dropping one changes where the files below it land: repeat.
  for (;;) {
    const confirmed = new Set<string>();
    for (const [rel, s] of beforeFiles) {
      const m = innermost(rel, moves);
      if (m === undefined) continue;
      const to = target(rel, m, moves);
      const now = nowFiles.get(to);
      if (!now || !sameIdentity(now, s)) continue;
      for (let a = m; a !== ""; a = parentOf(a)) {
        const t = moves.get(a);
        if (t !== undefined && isUnder(to, t)) confirmed.add(a);
      }
    }
    if (confirmed.size === moves.size) break;
    for (const k of [...moves.keys()]) if (!confirmed.has(k)) moves.delete(k);
    if (moves.size === 0) return NONE;
  }

  // A subfolder that kept its name and place inside its renamed parent is part of the parent's rename.
  const implied = (from: string) => {
    const p = parentOf(from);
    const to = moves.get(from)!;
    return (
      p !== "" && moves.get(p) === parentOf(to) && from.slice(p.length) === to.slice(parentOf(to).length)
    );
  };
  const renames = new Map<string, DirRename>();
  for (const [from, to] of [...moves].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (!implied(from)) renames.set(from, { from, to, moves: [], files: 0 });

  // Each file follows its innermost moved folder; when two land on one path, the deeper move wins.
  const landing: Array<{ from: string; to: string; depth: number }> = [];
  for (const rel of beforeFiles.keys()) {
    const m = innermost(rel, moves);
    if (m === undefined) continue;
    const to = target(rel, m, moves);
    if (nowFiles.has(to)) landing.push({ from: rel, to, depth: m.length });
  }
  landing.sort((a, b) => b.depth - a.depth);
  const moved = new Map<string, string>();
  const landed = new Set<string>();
  for (const { from, to } of landing) {
    if (landed.has(to)) continue;
    landed.add(to);
    moved.set(from, to);
    let owner: DirRename | undefined;
    for (let a = parentOf(from); a !== ""; a = parentOf(a)) {
      const r = renames.get(a);
      if (r === undefined || !isUnder(to, r.to)) continue;
      owner ??= r;
      r.files++;
    }
    owner?.moves.push({ from, to });
  }
  return { renames: [...renames.values()].filter((r) => r.files > 0), moved };
}
