/**
 * The one way into the log chat: handlers call `enqueue`, which writes the post to the outbox
 * (inside the caller's transaction) with a random id chosen now, before any try, so every later
 * try of the same post carries the same id and Telegram de-duplicates it.
 */
import { randomBytes } from "node:crypto";
import type { OutboxStore } from "../store/outbox.ts";
import { entitiesJson } from "../telegram/stored-entities.ts";
import type { FormattedText } from "./formatted-text.ts";

/** A file sent with a post. */
export type PostAttachment =
  /**
   * Every message of a folded burst, listed in a text file. `mediaNotes` says, per folded post id,
   * whether the message's file follows the folded post or why it is missing.
   */
  | { type: "folded-listing"; name: string; mediaNotes?: Record<string, string> }
  /** The media of a stored message (from the buffer or the deleted-media store). */
  | { type: "message-media"; messageRowId: number }
  /** A text file carried in the post itself (file-audit digests with a long listing). */
  | { type: "text"; name: string; text: string };

/** The attachment a stored post carries, if any. */
export function attachmentOf(row: { attachment: string | null }): PostAttachment | undefined {
  return row.attachment ? (JSON.parse(row.attachment) as PostAttachment) : undefined;
}

/** The message row whose media a stored post carries, if any. */
export function mediaRowOf(row: { attachment: string | null }): number | undefined {
  const a = attachmentOf(row);
  return a?.type === "message-media" ? a.messageRowId : undefined;
}

/** A post to queue. */
export interface PostDraft {
  kind: string;
  body: FormattedText;
  attachment?: PostAttachment;
  /** A log-chat message this post replies to. */
  replyTo?: number;
  /** The chat the post is about, by name, for folded summaries. */
  topic?: string;
  eventId?: number;
  correlationId?: string;
}

/**
 * A random 62-bit id as decimal text. Part `i` of a split post uses `id + i`, which stays below
 * 2^63 and so is a valid TL `long`.
 */
export function newRandomId(): string {
  return ((randomBytes(8).readBigUInt64BE() >> 2n) + 1n).toString();
}

/** Queues posts for the sender. */
export class Feed {
  readonly #outbox: OutboxStore;
  readonly #now: () => number;
  #onQueued: () => void = () => {};

  constructor(outbox: OutboxStore, now: () => number) {
    this.#outbox = outbox;
    this.#now = now;
  }

  /** Called after each enqueue; the sender sets it to wake itself. */
  set onQueued(fn: () => void) {
    this.#onQueued = fn;
  }

  /** Writes a post to the outbox; returns its id. */
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
    this.#onQueued();
    return id;
  }
}
