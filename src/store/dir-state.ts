/**
 * Queries on `dir_state`: the inode of every audited folder, which is how a renamed folder is
 * recognised (a folder keeps its inode when renamed). Subtrees are read with a range on `rel`
 * (`rel >= 'a/' AND rel < 'a0'`: `0` follows `/`), which the primary key serves.
 */

import type { Db } from "./db.ts";
import { and, eq, gte, lt, or, sql } from "./orm.ts";
import { dirState } from "./schema.ts";

/** Rows of `root` at `rel` or below it. */
function subtree(root: string, rel: string) {
  return and(
    eq(dirState.root, root),
    or(eq(dirState.rel, rel), and(gte(dirState.rel, `${rel}/`), lt(dirState.rel, `${rel}0`))),
  );
}

/** Reads and writes the folder inodes. Call the writers inside the caller's transaction. */
export class DirStateStore {
  readonly #db: Db;
  // Prepared once: these run per folder of a scan and per ancestor of every new file.
  readonly #get;
  readonly #byInode;
  readonly #put;
  readonly #remove;

  constructor(db: Db) {
    this.#db = db;
    const p = (name: string) => sql.placeholder(name);
    const at = and(eq(dirState.root, p("root")), eq(dirState.rel, p("rel")));
    this.#get = db.select({ ino: dirState.ino }).from(dirState).where(at).prepare();
    this.#byInode = db
      .select({ rel: dirState.rel })
      .from(dirState)
      .where(and(eq(dirState.root, p("root")), eq(dirState.ino, p("ino"))))
      .prepare();
    this.#put = db
      .insert(dirState)
      .values({ root: p("root"), rel: p("rel"), ino: p("ino"), updatedAt: p("updatedAt") })
      .onConflictDoUpdate({
        target: [dirState.root, dirState.rel],
        set: { ino: sql`excluded.ino`, updatedAt: sql`excluded.updated_at` },
      })
      .prepare();
    this.#remove = db.delete(dirState).where(at).prepare();
  }

  /** Every folder of `root`: relative path → inode. */
  load(root: string): Map<string, number> {
    const rows = this.#db
      .select({ rel: dirState.rel, ino: dirState.ino })
      .from(dirState)
      .where(eq(dirState.root, root))
      .all();
    return new Map(rows.map((r) => [r.rel, r.ino]));
  }

  /** `rel` and the folders below it: relative path → inode. */
  under(root: string, rel: string): Map<string, number> {
    const rows = this.#db
      .select({ rel: dirState.rel, ino: dirState.ino })
      .from(dirState)
      .where(subtree(root, rel))
      .all();
    return new Map(rows.map((r) => [r.rel, r.ino]));
  }

  /** The inode last seen at `rel`, if any. */
  get(root: string, rel: string): number | undefined {
    return this.#get.get({ root, rel })?.ino;
  }

  /** Folders of `root` last seen with inode `ino` (where a folder with that inode came from). */
  byInode(root: string, ino: number): string[] {
    return this.#byInode.all({ root, ino }).map((r) => r.rel);
  }

  put(root: string, rel: string, ino: number, now: number): void {
    this.#put.run({ root, rel, ino, updatedAt: now });
  }

  /** Forgets `rel` and every folder below it. */
  removeUnder(root: string, rel: string): void {
    this.#db.delete(dirState).where(subtree(root, rel)).run();
  }

  remove(root: string, rel: string): void {
    this.#remove.run({ root, rel });
  }
}
