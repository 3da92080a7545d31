/**
 * Queries on `file_state` (the file-audit snapshot) and `watch_roots`. The reconcile scan loads a
 * root's whole snapshot at once (without the kept text content, which is read only for diffs), so
 * those reads use one statement returning plain rows.
 *
 * The per-file queries are prepared once: a statement built per call is one SQLite compilation per
 * file, and its native memory lives until the garbage collector finalizes it. A 1,000-file baseline
 * left the idle service ~11 MB of RSS larger that way (bench/ops-idle.bench.ts).
 */

import type { Statement } from "better-sqlite3";
import type { Db } from "./db.ts";
import { and, eq, gte, lt, sql } from "./orm.ts";
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

/** What `load` reads, in this order; `root` is the caller's (one string for every row). */
const { root: _root, ...LOAD } = META;
type LoadRow = [string, string, number, number, number, number | null, string | null, number];

/** Reads and writes the snapshot. Call the writers inside the caller's transaction. */
export class FileStateStore {
  readonly #db: Db;
  readonly #dropAt;
  readonly #move;
  readonly #put;
  readonly #remove;
  readonly #removeInode;
  readonly #get;
  readonly #byInode;
  readonly #content;
  readonly #loadRows: Statement<[string], LoadRow>;

  constructor(db: Db) {
    this.#db = db;
    const p = (name: string) => sql.placeholder(name);
    const at = (rel: string) => and(eq(fileState.root, p("root")), eq(fileState.rel, p(rel)));
    this.#dropAt = db.delete(fileState).where(at("to")).prepare();
    this.#put = db
      .insert(fileState)
      .values({
        root: p("root"),
        rel: p("rel"),
        kind: p("kind"),
        size: p("size"),
        mtimeMs: p("mtimeMs"),
        ino: p("ino"),
        uid: p("uid"),
        checksum: p("checksum"),
        content: p("content"),
        updatedAt: p("updatedAt"),
      })
      .onConflictDoUpdate({
        target: [fileState.root, fileState.rel],
        set: {
          kind: sql`excluded.kind`,
          size: sql`excluded.size`,
          mtimeMs: sql`excluded.mtime_ms`,
          ino: sql`excluded.ino`,
          uid: sql`excluded.uid`,
          checksum: sql`excluded.checksum`,
          content: sql`excluded.content`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .prepare();
    this.#remove = db.delete(fileState).where(at("rel")).prepare();
    this.#removeInode = db
      .delete(fileState)
      .where(and(at("rel"), eq(fileState.ino, p("ino"))))
      .prepare();
    this.#get = db.select(META).from(fileState).where(at("rel")).prepare();
    this.#byInode = db
      .select(META)
      .from(fileState)
      .where(and(eq(fileState.root, p("root")), eq(fileState.ino, p("ino"))))
      .prepare();
    this.#content = db.select({ content: fileState.content }).from(fileState).where(at("rel")).prepare();
    this.#move = db
      .update(fileState)
      .set({ rel: sql`${p("to")}`, updatedAt: sql`${p("now")}` })
      .where(at("from"))
      .prepare();
    this.#loadRows = db.$client
      .prepare<[string], LoadRow>(
        db
          .select(LOAD)
          .from(fileState)
          .where(eq(fileState.root, p("root")))
          .toSQL().sql,
      )
      .raw();
  }

  /**
   * Every file of `root`, keyed by relative path. Read row by row (better-sqlite3's `iterate`, raw
   * rows): drizzle's `.all()` builds every row twice (an array, then an object) plus a tuple for the
   * Map, which on a 100,000-file root left ~25 MB more resident memory after each reconcile scan.
   */
  load(root: string): Map<string, FileStateMeta> {
    const out = new Map<string, FileStateMeta>();
    for (const [rel, kind, size, mtimeMs, ino, uid, checksum, updatedAt] of this.#loadRows.iterate(root))
      out.set(rel, { root, rel, kind, size, mtimeMs, ino, uid, checksum, updatedAt });
    return out;
  }

  get(root: string, rel: string): FileStateMeta | undefined {
    return this.#get.get({ root, rel });
  }

  /** Files of `root` with inode `ino` (rename candidates). */
  byInode(root: string, ino: number): FileStateMeta[] {
    return this.#byInode.all({ root, ino });
  }

  /** Files of `root` below folder `rel`, keyed by relative path. */
  under(root: string, rel: string): Map<string, FileStateMeta> {
    const rows = this.#db
      .select(META)
      .from(fileState)
      .where(and(eq(fileState.root, root), gte(fileState.rel, `${rel}/`), lt(fileState.rel, `${rel}0`)))
      .all();
    return new Map(rows.map((r) => [r.rel, r]));
  }

  /** The kept text of an important file, or null. */
  content(root: string, rel: string): string | null {
    return this.#content.get({ root, rel })?.content ?? null;
  }

  /** Inserts or replaces a file's state. */
  put(row: FileStateRow): void {
    this.#put.run(row);
  }

  /**
   * Moves files' rows (with their checksums and kept text) from `from` to `to`, replacing rows
   * already at a `to`: the files carried along by folder renames. In two steps, through names no
   * file can have (they hold a NUL), so folders that swapped names swap their rows too.
   */
  moveAll(root: string, moves: ReadonlyArray<{ from: string; to: string }>, now: number): void {
    const parked = (to: string) => `\0moving\0${to}`;
    for (const m of moves) this.#move.run({ root, from: m.from, to: parked(m.to), now });
    for (const m of moves) {
      this.#dropAt.run({ root, to: m.to });
      this.#move.run({ root, from: parked(m.to), to: m.to, now });
    }
  }

  /** Removes a file's row; with `ino`, only while the row still describes that file. */
  remove(root: string, rel: string, ino?: number): void {
    if (ino === undefined) this.#remove.run({ root, rel });
    else this.#removeInode.run({ root, rel, ino });
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
