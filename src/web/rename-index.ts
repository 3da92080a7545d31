/**
 * Every recorded rename (`file.renamed` rows: `path` the new name, `details.oldPath` the old one,
 * `details.kind = "directory"` for a folder), held in memory by the UI's read worker and brought up
 * to date on each use by reading only the rows added since. Finding the renames *from* a name means
 * reading `details` of every rename (no index on the old path): 75,000 renames took 1–2 s to scan,
 * for every name a history follows. Held once per connection, a history costs map lookups.
 */
import type Database from "better-sqlite3";

/** One rename: the row, when, from and to, and whether a folder was renamed. */
export interface RenameRow {
  id: number;
  occurredAt: number;
  from: string;
  to: string;
  folder: boolean;
}

/** A rename linking two names of one file (for a folder rename: the file's names inside it). */
export interface RenameLink extends RenameRow {}

interface Index {
  /** Rows read so far: every rename with an id up to this one is held. */
  lastId: number;
  /** The oldest event id when last pruned. */
  oldestId: number;
  files: { byTo: Map<string, RenameRow[]>; byFrom: Map<string, RenameRow[]> };
  folders: { byTo: Map<string, RenameRow[]>; byFrom: Map<string, RenameRow[]> };
}

const indexes = new WeakMap<Database.Database, Index>();

function add(map: Map<string, RenameRow[]>, key: string, row: RenameRow): void {
  const list = map.get(key);
  if (list) list.push(row);
  else map.set(key, [row]);
}

/** Drops the renames retention has removed from the table (ids below the oldest kept). */
function prune(index: Index, oldestId: number): void {
  for (const side of [index.files, index.folders])
    for (const map of [side.byTo, side.byFrom])
      for (const [key, list] of map) {
        const kept = list.filter((r) => r.id >= oldestId);
        if (kept.length === 0) map.delete(key);
        else if (kept.length !== list.length) map.set(key, kept);
      }
}

/** The index of `sqlite`'s renames, brought up to date. */
function indexOf(sqlite: Database.Database): Index {
  let index = indexes.get(sqlite);
  if (!index) {
    index = {
      lastId: 0,
      oldestId: 0,
      files: { byTo: new Map(), byFrom: new Map() },
      folders: { byTo: new Map(), byFrom: new Map() },
    };
    indexes.set(sqlite, index);
  }
  const rows = sqlite
    .prepare(
      `SELECT id, occurred_at, path,
              CASE WHEN json_valid(details) THEN json_extract(details, '$.oldPath') END AS old_path,
              CASE WHEN json_valid(details) THEN json_extract(details, '$.kind') END AS kind
         FROM events WHERE type = 'file.renamed' AND source = 'fs' AND id > ? ORDER BY id`,
    )
    .all(index.lastId) as {
    id: number;
    occurred_at: number;
    path: unknown;
    old_path: unknown;
    kind: unknown;
  }[];
  for (const r of rows) {
    index.lastId = r.id;
    if (typeof r.path !== "string" || typeof r.old_path !== "string") continue;
    const row = {
      id: r.id,
      occurredAt: r.occurred_at,
      from: r.old_path,
      to: r.path,
      folder: r.kind === "directory",
    };
    const side = row.folder ? index.folders : index.files;
    add(side.byTo, row.to, row);
    add(side.byFrom, row.from, row);
  }
  const oldest = (sqlite.prepare("SELECT min(id) AS id FROM events").get() as { id: number | null }).id ?? 0;
  if (oldest > index.oldestId) {
    prune(index, oldest);
    index.oldestId = oldest;
  }
  return index;
}

/** The folders above `name`, nearest last: `/a/b/c.txt` → `/a`, `/a/b`. */
function ancestors(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf("/", 1); i > 0; i = name.indexOf("/", i + 1)) out.push(name.slice(0, i));
  return out;
}

/**
 * A lookup of the renames touching a name: to it or from it, of the file itself or of a folder
 * above it (then with the file's name on the other side of that folder rename).
 */
export function renameLookup(sqlite: Database.Database): (name: string) => RenameLink[] {
  const index = indexOf(sqlite);
  return (name) => {
    const links: RenameLink[] = [
      ...(index.files.byTo.get(name) ?? []),
      ...(index.files.byFrom.get(name) ?? []),
    ];
    for (const folder of ancestors(name)) {
      const rest = name.slice(folder.length);
      for (const r of index.folders.byTo.get(folder) ?? [])
        links.push({ ...r, from: r.from + rest, to: name });
      for (const r of index.folders.byFrom.get(folder) ?? [])
        links.push({ ...r, from: name, to: r.to + rest });
    }
    return links;
  };
}
