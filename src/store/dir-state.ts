/**
 * Queries on `dir_state`: the inode of every audited folder, which is how a renamed folder is
 * recognised (a folder keeps its inode when renamed). Subtrees are read with a range on `rel`
 * (`rel >= 'a/' AND rel < 'a0'`: `0` follows `/`), which the primary key serves.
 */

import type { Db } from "./db.ts";
import { and, eq, gte, lt, or } from "./orm.ts";
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

  constructor(db: Db) {
    this.#db = db;
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
    return this.#db
      .select({ ino: dirState.ino })
      .from(dirState)
      .where(and(eq(dirState.root, root), eq(dirState.rel, rel)))
      .get()?.ino;
  }

  /** Folders of `root` last seen with inode `ino` (where a folder with that inode came from). */
  byInode(root: string, ino: number): string[] {
    return this.#db
      .select({ rel: dirState.rel })
      .from(dirState)
      .where(and(eq(dirState.root, root), eq(dirState.ino, ino)))
      .all()
      .map((r) => r.rel);
  }

  put(root: string, rel: string, ino: number, now: number): void {
    this.#db
      .insert(dirState)
      .values({ root, rel, ino, updatedAt: now })
      .onConflictDoUpdate({ target: [dirState.root, dirState.rel], set: { ino, updatedAt: now } })
      .run();
  }

  /** Forgets `rel` and every folder below it. */
  removeUnder(root: string, rel: string): void {
    this.#db.delete(dirState).where(subtree(root, rel)).run();
  }

  remove(root: string, rel: string): void {
    this.#db
      .delete(dirState)
      .where(and(eq(dirState.root, root), eq(dirState.rel, rel)))
      .run();
  }
}
