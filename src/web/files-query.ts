/**
 * The files pages' reads: the folders with most recorded changes in a time range, and one file's
 * history across renames. A path given here is a value compared with the `path` column, never
 * opened: nothing of a request reaches the file system.
 *
 * Following renames: a `file.renamed` row's `path` is the new path and `details.oldPath` the old
 * one; a renamed folder is one such row with `details.kind = "directory"`, moving every file under
 * it. From the asked path, names are followed both ways (to the names before, to the names after)
 * through file and folder renames (in time order: see `namesOf`), up to NAMES_MAX names, and the
 * history is every event of any of them, plus the rename rows that link them.
 */
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, type EventRecord } from "../export/event-rows.ts";
import { FILE_CHANGE_TYPES } from "../store/events.ts";
import { type RenameLink, renameLookup } from "./rename-index.ts";
import { type WatchRootRow, watchRoots } from "./status-query.ts";

export type { RenameLink };

/** Names of one file followed at most (a chain of renames longer than this is cut, and said so). */
export const NAMES_MAX = 50;

/** The file-change types as an SQL list (fixed strings of the code, never input). */
const CHANGE_LIST = FILE_CHANGE_TYPES.map((t) => `'${t}'`).join(", ");

/** What the files page asks: a time range and how many folders to list. */
export interface FilesInput {
  since: number | null;
  until: number | null;
  top: number;
}

/** A folder and the changes recorded for files directly in it. */
export interface FolderChanges {
  /** The folder, ending with `/`. */
  folder: string;
  changes: number;
  created: number;
  modified: number;
  deleted: number;
  renamed: number;
  lastAt: number;
}

/** The files page's figures. */
export interface FilesOverview {
  roots: WatchRootRow[];
  folders: FolderChanges[];
}

/** The watched roots, and the `top` folders with most file changes in the range. */
export function filesOverview(sqlite: Database.Database, input: FilesInput): FilesOverview {
  const range: string[] = [];
  const params: number[] = [];
  if (input.since !== null) {
    range.push("occurred_at >= ?");
    params.push(input.since);
  }
  if (input.until !== null) {
    range.push("occurred_at < ?");
    params.push(input.until);
  }
  // The folder of a path: the path up to its last `/` (rtrim drops every trailing non-`/` character).
  const folders = sqlite
    .prepare(
      `SELECT rtrim(path, replace(path, '/', '')) AS folder, count(*) AS changes,
              sum(type = 'file.created') AS created, sum(type = 'file.modified') AS modified,
              sum(type = 'file.deleted') AS deleted, sum(type = 'file.renamed') AS renamed,
              max(occurred_at) AS lastAt
         FROM events
        WHERE ${[...range, "source = 'fs'", `+type IN (${CHANGE_LIST})`, "path IS NOT NULL"].join(" AND ")}
        GROUP BY 1 ORDER BY changes DESC, folder LIMIT ?`,
    )
    .all(...params, input.top) as FolderChanges[];
  return { roots: watchRoots(sqlite), folders };
}

/** What the history page asks. */
export interface HistoryInput {
  path: string;
  limit: number;
  /** Only events before this position (keyset page): occurred_at and id. */
  before: { occurredAt: number; id: number } | null;
}

/** A file's history. */
export interface FileHistory {
  path: string;
  /** Every name of the file found, the asked one first. */
  names: string[];
  /** Whether more names were linked than NAMES_MAX. */
  namesCut: boolean;
  renames: RenameLink[];
  /** Newest first. */
  events: EventRecord[];
  /** The position of the next older page, as `occurredAt.id`; null at the oldest. */
  older: string | null;
}

/** A name of the file and when the file had it, as far as the renames followed tell. */
interface Named {
  name: string;
  from: number;
  to: number;
}

/**
 * Every name linked to `path` by renames, both ways, and the renames linking them. A name is
 * left by its earliest rename away while the file had it and reached by its latest rename to it,
 * so a file renamed before its folder was is not also followed under the folder's new name.
 */
function namesOf(sqlite: Database.Database, path: string) {
  const renamesOf = renameLookup(sqlite);
  const queue: Named[] = [{ name: path, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }];
  const seen = new Set([path]);
  const renames = new Map<string, RenameLink>();
  let cut = false;
  const follow = (link: RenameLink, next: Named) => {
    renames.set(`${link.id}:${link.from}`, link);
    if (seen.has(next.name)) return;
    if (seen.size >= NAMES_MAX) {
      cut = true;
      return;
    }
    seen.add(next.name);
    queue.push(next);
  };
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    const within = (l: RenameLink) => l.occurredAt >= n.from && l.occurredAt <= n.to;
    const links = renamesOf(n.name).filter(within);
    const away = links
      .filter((l) => l.from === n.name)
      .sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id)[0];
    const into = links
      .filter((l) => l.to === n.name)
      .sort((a, b) => b.occurredAt - a.occurredAt || b.id - a.id)[0];
    if (away) follow(away, { name: away.to, from: away.occurredAt, to: n.to });
    if (into) follow(into, { name: into.from, from: Number.NEGATIVE_INFINITY, to: into.occurredAt });
  }
  const links = [...renames.values()].sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id);
  return { names: [...seen], renames: links, cut };
}

/** The history of `input.path` across its renames, newest first, one page. */
export function fileHistory(sqlite: Database.Database, input: HistoryInput): FileHistory {
  return sqlite
    .transaction((): FileHistory => {
      const { names, renames, cut } = namesOf(sqlite, input.path);
      const ids = [...new Set(renames.map((r) => r.id))];
      const params: (string | number)[] = [JSON.stringify(names), JSON.stringify(ids)];
      let page = "";
      if (input.before !== null) {
        page = "AND (occurred_at, id) < (?, ?)";
        params.push(input.before.occurredAt, input.before.id);
      }
      const rows = sqlite
        .prepare(
          `SELECT ${EVENT_COLUMNS.join(", ")} FROM events
            WHERE (path IN (SELECT value FROM json_each(?)) OR id IN (SELECT value FROM json_each(?))) ${page}
            ORDER BY occurred_at DESC, id DESC LIMIT ?`,
        )
        .all(...params, input.limit + 1) as EventRecord[];
      const events = rows.slice(0, input.limit);
      const last = events.at(-1);
      return {
        path: input.path,
        names,
        namesCut: cut,
        renames,
        events,
        older: rows.length > input.limit && last ? `${last.occurred_at}.${last.id}` : null,
      };
    })
    .deferred();
}
