/**
 * Compares a root's snapshot with what is on disk now: the heart of the reconcile scan, kept free of
 * I/O so its rules are tested directly. A path whose inode, size or mtime differ is a candidate
 * modification (the caller may compare checksums before calling it one). A vanished path and a new
 * path with the same inode, size and mtime are one rename: inode alone is not enough, ext4 hands a
 * freed inode to the next new file at once.
 */

/** What identifies a file's state cheaply. */
export interface StatIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** The differences between a snapshot and the disk. */
export interface SnapshotDiff {
  created: string[];
  deleted: string[];
  /** Present in both, with a different inode, size or mtime. */
  changed: string[];
  renamed: Array<{ from: string; to: string }>;
}

/** Identity key used to pair renames. */
function renameKey(s: StatIdentity): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

/** True when two states are the same as far as stat can tell. */
export function sameIdentity(a: StatIdentity, b: StatIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Diffs `before` (the snapshot) against `now` (the disk), both keyed by relative path. */
export function diffSnapshot(
  before: ReadonlyMap<string, StatIdentity>,
  now: ReadonlyMap<string, StatIdentity>,
): SnapshotDiff {
  const created: string[] = [];
  const changed: string[] = [];
  const gone = new Map<string, string[]>();
  const deleted: string[] = [];
  for (const [rel, old] of before) {
    const cur = now.get(rel);
    if (!cur) {
      const key = renameKey(old);
      const list = gone.get(key);
      if (list) list.push(rel);
      else gone.set(key, [rel]);
      deleted.push(rel);
    } else if (!sameIdentity(old, cur)) {
      changed.push(rel);
    }
  }
  const renamed: Array<{ from: string; to: string }> = [];
  const paired = new Set<string>();
  for (const [rel, cur] of now) {
    if (before.has(rel)) continue;
    const candidates = gone.get(renameKey(cur));
    const from = candidates?.shift();
    if (from !== undefined) {
      renamed.push({ from, to: rel });
      paired.add(from);
    } else {
      created.push(rel);
    }
  }
  return { created, deleted: deleted.filter((r) => !paired.has(r)), changed, renamed };
}
