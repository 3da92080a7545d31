/**
 * The feed over the outbox table: `enqueue` writes the post with a random id chosen now, before any
 * try, so every later try of the same post carries the same id and Telegram de-duplicates it.
 */
import { randomBytes } from "node:crypto";
import { entitiesJson } from "../model/entities.ts";
import type { PostDraft } from "../model/post.ts";
import type { OutboxStore } from "../store/outbox.ts";
import type { Feed } from "./feed.ts";

/**
 * A random 62-bit id as decimal text. Part `i` of a split post uses `id + i`, which stays below
 * 2^63 and so is a valid TL `long`.
 */
export function newRandomId(): string {
  return ((randomBytes(8).readBigUInt64BE() >> 2n) + 1n).toString();
}

/** What a sender listens to, so a queued post is sent at once rather than at the next due time. */
export interface QueuedSignal {
  /** Calls `listener` after each post is queued; returns what stops it. */
  onQueued(listener: () => void): () => void;
}

/** Writes posts to the outbox. */
export class OutboxFeed implements Feed, QueuedSignal {
  readonly #outbox: OutboxStore;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();

  constructor(outbox: OutboxStore, now: () => number) {
    this.#outbox = outbox;
    this.#now = now;
  }

  onQueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  enqueue(draft: PostDraft): number {
    const now = this.#now();
    const id = this.#outbox.add(
      {
        kind: draft.kind,
        randomId: newRandomId(),
        text: draft.body.text,
        entities: entitiesJson(draft.body.entities),
        topic: draft.topic ?? null,
        attachment: draft.attachment ? JSON.stringify(draft.attachment) : null,
        replyTo: draft.replyTo ?? null,
        notBefore: now,
        eventId: draft.eventId ?? null,
        correlationId: draft.correlationId ?? null,
      },
      now,
    );
    for (const listener of this.#listeners) listener();
    return id;
  }
}
