/**
 * Queries on `outbox`, the durable queue of log-chat posts. The feed sender is its only consumer.
 */

import type { Db } from "./db.ts";
import { and, asc, count, eq, inArray, lt, lte, max, min, sql } from "./orm.ts";
import { outbox } from "./schema.ts";

/** A stored post. */
export type OutboxRow = typeof outbox.$inferSelect;
/** A post to queue. */
export interface NewOutboxRow {
  kind: string;
  randomId: string;
  text: string;
  entities: string | null;
  topic?: string | null;
  attachment?: string | null;
  replyTo?: number | null;
  notBefore: number;
  eventId?: number | null;
  correlationId?: string | null;
}

/** The outbox table. */
export class OutboxStore {
  readonly #db: Db;
  readonly #nextDue;
  readonly #insert;

  constructor(db: Db) {
    this.#db = db;
    this.#nextDue = db
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, "pending"), lte(outbox.notBefore, sql.placeholder("now"))))
      .orderBy(asc(outbox.id))
      .limit(1)
      .prepare();
    const p = (name: string) => sql.placeholder(name);
    this.#insert = db
      .insert(outbox)
      .values({
        kind: p("kind"),
        randomId: p("randomId"),
        text: p("text"),
        entities: p("entities"),
        topic: p("topic"),
        attachment: p("attachment"),
        replyTo: p("replyTo"),
        notBefore: p("notBefore"),
        eventId: p("eventId"),
        correlationId: p("correlationId"),
        createdAt: p("createdAt"),
      })
      .returning({ id: outbox.id })
      .prepare();
  }

  add(row: NewOutboxRow, now: number): number {
    return this.#insert.get({
      kind: row.kind,
      randomId: row.randomId,
      text: row.text,
      entities: row.entities,
      topic: row.topic ?? null,
      attachment: row.attachment ?? null,
      replyTo: row.replyTo ?? null,
      notBefore: row.notBefore,
      eventId: row.eventId ?? null,
      correlationId: row.correlationId ?? null,
      createdAt: now,
    })!.id;
  }

  get(id: number): OutboxRow | undefined {
    return this.#db.select().from(outbox).where(eq(outbox.id, id)).get();
  }

  /** The oldest pending post that may be sent at `now`. */
  nextDue(now: number): OutboxRow | undefined {
    return this.#nextDue.get({ now });
  }

  /** Pending posts of `kind` that may be sent at `now`, oldest first. */
  dueOfKind(kind: string, now: number): OutboxRow[] {
    return this.#db
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, "pending"), eq(outbox.kind, kind), lte(outbox.notBefore, now)))
      .orderBy(asc(outbox.id))
      .all();
  }

  /** The oldest pending post of `kind` queued before post `id`, if any. */
  pendingOfKindBefore(kind: string, id: number): OutboxRow | undefined {
    return this.#db
      .select()
      .from(outbox)
      .where(and(eq(outbox.status, "pending"), eq(outbox.kind, kind), lt(outbox.id, id)))
      .orderBy(asc(outbox.id))
      .limit(1)
      .get();
  }

  /** Moves a pending post's earliest sending time, without counting a try. */
  postpone(id: number, notBefore: number): void {
    this.#db.update(outbox).set({ notBefore }).where(eq(outbox.id, id)).run();
  }

  /** When the newest pending post of `kind` was queued, or undefined when there is none. */
  latestQueuedOfKind(kind: string): number | undefined {
    const r = this.#db
      .select({ at: max(outbox.createdAt) })
      .from(outbox)
      .where(and(eq(outbox.status, "pending"), eq(outbox.kind, kind)))
      .get();
    return r?.at ?? undefined;
  }

  /** When the earliest pending post becomes due, or undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    const r = this.#db
      .select({ at: min(outbox.notBefore) })
      .from(outbox)
      .where(eq(outbox.status, "pending"))
      .get();
    return r?.at ?? undefined;
  }

  /** Records that the first `partsSent` parts of a post reached Telegram. */
  markPartsSent(id: number, partsSent: number): void {
    this.#db.update(outbox).set({ partsSent }).where(eq(outbox.id, id)).run();
  }

  markSent(id: number, now: number): void {
    this.#db
      .update(outbox)
      .set({ status: "sent", sentAt: now, lastError: null })
      .where(eq(outbox.id, id))
      .run();
  }

  /** Puts a post back for a later try. */
  reschedule(id: number, notBefore: number, attempts: number, error: string): void {
    this.#db.update(outbox).set({ notBefore, attempts, lastError: error }).where(eq(outbox.id, id)).run();
  }

  markFailed(id: number, attempts: number, error: string): void {
    this.#db
      .update(outbox)
      .set({ status: "failed", attempts, lastError: error })
      .where(eq(outbox.id, id))
      .run();
  }

  /** Replaces pending posts by one post that carries them all (call inside a transaction). */
  fold(ids: number[], into: NewOutboxRow, now: number): number {
    const id = this.add(into, now);
    for (let i = 0; i < ids.length; i += 500) {
      this.#db
        .update(outbox)
        .set({ status: "folded", foldedInto: id })
        .where(and(inArray(outbox.id, ids.slice(i, i + 500)), eq(outbox.status, "pending")))
        .run();
    }
    return id;
  }

  /** The posts folded into post `id`, in order. */
  foldedInto(id: number): OutboxRow[] {
    return this.#db.select().from(outbox).where(eq(outbox.foldedInto, id)).orderBy(asc(outbox.id)).all();
  }

  /** Rows per status (`pending`, `sent`, `failed`, `folded`), for metrics. */
  countByStatus(): Record<string, number> {
    const rows = this.#db
      .select({ status: outbox.status, n: count() })
      .from(outbox)
      .groupBy(outbox.status)
      .all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /**
   * Removes up to `limit` posts delivered before `before` (ms), with the deletion posts folded into
   * them, in one transaction: they hold copies of message text the messages table already keeps.
   * Returns how many rows went.
   */
  purgeDelivered(before: number, limit: number, transaction: <T>(fn: () => T) => T): number {
    return transaction(() => {
      const ids = this.#db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.status, "sent"), lt(outbox.sentAt, before)))
        .limit(limit)
        .all()
        .map((r) => r.id);
      if (ids.length === 0) return 0;
      const folded = this.#db.delete(outbox).where(inArray(outbox.foldedInto, ids)).run().changes;
      return folded + this.#db.delete(outbox).where(inArray(outbox.id, ids)).run().changes;
    });
  }

  /** Counts by status and the creation time of the oldest pending post, for health and metrics. */
  summary(): { pending: number; failed: number; oldestPendingAt: number | null } {
    const rows = this.#db
      .select({ status: outbox.status, n: count(), oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(inArray(outbox.status, ["pending", "failed"]))
      .groupBy(outbox.status)
      .all();
    const pending = rows.find((r) => r.status === "pending");
    return {
      pending: pending?.n ?? 0,
      failed: rows.find((r) => r.status === "failed")?.n ?? 0,
      oldestPendingAt: pending?.oldest ?? null,
    };
  }
}
