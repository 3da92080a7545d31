/**
 * Queries on `media_files`: the buffer's and the vault's bookkeeping, one row per message with media.
 */

import type { Db } from "./db.ts";
import { and, asc, eq, lt, ne, sql } from "./orm.ts";
import { mediaFiles } from "./schema.ts";

/** A stored media file row. */
export type MediaFileRow = typeof mediaFiles.$inferSelect;

/** The media bookkeeping table. */
export class MediaFileStore {
  readonly #db: Db;

  readonly #byMessage;

  constructor(db: Db) {
    this.#db = db;
    this.#byMessage = db
      .select()
      .from(mediaFiles)
      .where(eq(mediaFiles.messageRowId, sql.placeholder("id")))
      .prepare();
  }

  /** Records a message's media as waiting for download, or as not kept (with the reason). */
  add(
    messageRowId: number,
    status: "pending" | "skipped",
    reason: string | null,
    size: number | null,
    now: number,
  ): void {
    this.#db
      .insert(mediaFiles)
      .values({ messageRowId, status, reason, size, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .run();
  }

  byMessage(messageRowId: number): MediaFileRow | undefined {
    return this.#byMessage.get({ id: messageRowId });
  }

  /** Rows still waiting for download (after a restart, the downloader picks them up again). */
  pending(limit = 1000): MediaFileRow[] {
    return this.#db
      .select()
      .from(mediaFiles)
      .where(eq(mediaFiles.status, "pending"))
      .orderBy(asc(mediaFiles.id))
      .limit(limit)
      .all();
  }

  /** Another row already holding a file with this content, to share its blob. */
  withContent(sha256: string, exceptId: number): MediaFileRow | undefined {
    return this.#db
      .select()
      .from(mediaFiles)
      .where(and(eq(mediaFiles.sha256, sha256), eq(mediaFiles.status, "stored"), ne(mediaFiles.id, exceptId)))
      .get();
  }

  /** How many stored rows still use a buffer blob (a blob is removed when none does). */
  blobUsers(blob: string): number {
    return Number(
      this.#db
        .select({ n: sql<number>`count(*)` })
        .from(mediaFiles)
        .where(and(eq(mediaFiles.blob, blob), eq(mediaFiles.status, "stored")))
        .get()?.n ?? 0,
    );
  }

  update(
    id: number,
    fields: Partial<Omit<MediaFileRow, "id" | "messageRowId" | "createdAt">>,
    now: number,
  ): void {
    this.#db
      .update(mediaFiles)
      .set({ ...fields, updatedAt: now })
      .where(eq(mediaFiles.id, id))
      .run();
  }

  /** Marks a self-destructing media as posted; false when it already was (post it once). */
  claimPost(id: number, now: number): boolean {
    const r = this.#db
      .update(mediaFiles)
      .set({ postedAt: now })
      .where(and(eq(mediaFiles.id, id), sql`${mediaFiles.postedAt} is null`))
      .run();
    return r.changes > 0;
  }

  /** Rows whose file is in the deleted-media store. */
  vaulted(): MediaFileRow[] {
    return this.#db.select().from(mediaFiles).where(eq(mediaFiles.status, "vaulted")).all();
  }

  /** Buffered files last touched before `before`, for the buffer TTL purge. */
  storedBefore(before: number, limit = 500): MediaFileRow[] {
    return this.#db
      .select()
      .from(mediaFiles)
      .where(and(eq(mediaFiles.status, "stored"), lt(mediaFiles.updatedAt, before)))
      .orderBy(asc(mediaFiles.id))
      .limit(limit)
      .all();
  }
}
