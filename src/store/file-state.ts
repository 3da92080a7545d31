/**
 * Queries on `file_state` (the file-audit snapshot) and `watch_roots`. The reconcile scan loads a
 * root's whole snapshot at once (without the kept text content, which is read only for diffs), so
 * those reads use one prepared statement returning plain rows.
 */

import type { Db } from "./db.ts";
import { and, eq } from "./orm.ts";
import { fileState, watchRoots } from "./schema.ts";

/** A snapshot row. */
export type FileStateRow = typeof fileState.$inferSelect;
/** A snapshot row without the kept content, as the scan loads it. */
export type FileStateMeta = Omit<FileStateRow, "content">;
/** A watched root's stored state. */
export type WatchRootRow = typeof watchRoots.$inferSelect;

const META = {
  root: fileState.root,
  rel: fileState.rel,
  kind: fileState.kind,
  size: fileState.size,
  mtimeMs: fileState.mtimeMs,
  ino: fileState.ino,
  uid: fileState.uid,
  checksum: fileState.checksum,
  updatedAt: fileState.updatedAt,
};

/** Reads and writes the snapshot. Call the writers inside the caller's transaction. */
export class FileStateStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every file of `root`, keyed by relative path. */
  load(root: string): Map<string, FileStateMeta> {
    const rows = this.#db.select(META).from(fileState).where(eq(fileState.root, root)).all();
    return new Map(rows.map((r) => [r.rel, r]));
  }

  get(root: string, rel: string): FileStateMeta | undefined {
    return this.#db
      .select(META)
      .from(fileState)
      .where(and(eq(fileState.root, root), eq(fileState.rel, rel)))
      .get();
  }

  /** Files of `root` with inode `ino` (rename candidates). */
  byInode(root: string, ino: number): FileStateMeta[] {
    return this.#db
      .select(META)
      .from(fileState)
      .where(and(eq(fileState.root, root), eq(fileState.ino, ino)))
      .all();
  }

  /** The kept text of an important file, or null. */
  content(root: string, rel: string): string | null {
    return (
      this.#db
        .select({ content: fileState.content })
        .from(fileState)
        .where(and(eq(fileState.root, root), eq(fileState.rel, rel)))
        .get()?.content ?? null
    );
  }

  /** Inserts or replaces a file's state. */
  put(row: FileStateRow): void {
    this.#db
      .insert(fileState)
      .values(row)
      .onConflictDoUpdate({ target: [fileState.root, fileState.rel], set: { ...row } })
      .run();
  }

  remove(root: string, rel: string): void {
    this.#db
      .delete(fileState)
      .where(and(eq(fileState.root, root), eq(fileState.rel, rel)))
      .run();
  }

  getRoot(root: string): WatchRootRow | undefined {
    return this.#db.select().from(watchRoots).where(eq(watchRoots.root, root)).get();
  }

  /** Creates or updates a root's row. */
  saveRoot(root: string, set: Partial<Omit<WatchRootRow, "root">>, now: number): void {
    this.#db
      .insert(watchRoots)
      .values({ root, ...set, updatedAt: now })
      .onConflictDoUpdate({ target: watchRoots.root, set: { ...set, updatedAt: now } })
      .run();
  }
}
