/**
 * The only writer to the log chat. It takes due posts from the outbox in order and sends them,
 * paced (at most N messages a minute), honouring FloodWait by pausing and rescheduling, retrying
 * other failures with exponential backoff and finally marking the post failed with an error event.
 *
 * A burst of deletions (more than `maxDeletedInline` due within the fold window) is folded into
 * one post first (folding.ts), whose messages' kept files follow it as posts of their own
 * (folded-media.ts); how each post is laid out in messages is post-delivery.ts.
 *
 * Crash safety: parts sent are recorded one by one, and a post is re-sent with the random id it
 * was given when queued, which Telegram de-duplicates.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { FeedConfig } from "../config.ts";
import { FloodWait, type LogChatTransport } from "../model/delivery.ts";
import type { FormattedText } from "../model/formatted-text.ts";
import { POST_KINDS } from "../model/post.ts";
import type { EventStore } from "../store/events.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox.ts";
import { storageRetryPolicy } from "../store/storage-retry.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";
import { foldIfBurst } from "./folding.ts";
import type { QueuedSignal } from "./outbox-feed.ts";
import { type DeletedMediaFiles, PostDelivery } from "./post-delivery.ts";

const MAX_BACKOFF_MS = 10 * 60_000;
/** Posts whose deleted media may go out grouped as an album. */
const ALBUM_KINDS: ReadonlySet<string> = new Set([POST_KINDS.deleted, POST_KINDS.foldedMedia]);
/** Longest single sleep; the loop re-checks the outbox at least this often. */
const MAX_SLEEP_MS = 60_000;

/**
 * Told what reaches the log chat, for metrics: the wiring passes them in, the feed itself knows
 * nothing of them. Called right after Telegram accepted a message, before the outbox records it.
 */
export interface FeedObserver {
  /** One message (a text part, a file, an album) reached the log chat. */
  feedMessageSent(): void;
}

/** Everything the sender needs. */
export interface FeedSenderDeps {
  outbox: OutboxStore;
  events: EventStore;
  transport: LogChatTransport;
  /** Where posts are queued: the sender looks at once after each, instead of at its next due time. */
  queued?: QueuedSignal;
  /** Files of deleted messages; absent when the media buffer is not running. */
  media?: DeletedMediaFiles;
  /** The short caption of a folded message's file posted after its burst (see folded-media.ts). */
  foldedMediaCaption?: (messageRowId: number) => FormattedText | undefined;
  transaction: <T>(fn: () => T) => T;
  clock: Clock;
  config: FeedConfig;
  log: Logger;
  observer?: FeedObserver;
}

/** Backoff before retry `attempt` (1-based): 2 s, 4 s, 8 s … capped at 10 min, with ±20 % jitter. */
function backoffMs(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Sends the outbox to the log chat, one post at a time. */
export class FeedSender {
  readonly #d: FeedSenderDeps;
  readonly #delivery: PostDelivery;
  readonly #sentAt: number[] = [];
  #pausedUntil = 0;
  #lastSentAt: number | null = null;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake = new AbortController();
  /** Aborted by `stop()`: ends waits that a mere wake-up must not end (the fold window). */
  #stopping = new AbortController();
  #idle = false;
  #idleWaiters: Array<() => void> = [];
  #stopListening: () => void = () => {};

  constructor(deps: FeedSenderDeps) {
    this.#d = deps;
    this.#delivery = new PostDelivery({
      outbox: deps.outbox,
      transport: deps.transport,
      media: deps.media,
      clock: deps.clock,
      paceSlot: () => this.#paceSlot(),
      noteSent: () => this.#noteSent(),
      failed: (row, err) => this.#failed(row, err),
    });
  }

  /** Until when Telegram asked us to wait (0 when not waiting), for health. */
  get floodWaitUntil(): number {
    return this.#pausedUntil > this.#d.clock.now() ? this.#pausedUntil : 0;
  }

  /** When a message last reached the log chat since start (null before the first), for health. */
  get lastSentAt(): number | null {
    return this.#lastSentAt;
  }

  #noteSent(): void {
    this.#lastSentAt = this.#d.clock.now();
    this.#sentAt.push(this.#lastSentAt);
    this.#d.observer?.feedMessageSent();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.#stopListening = this.#d.queued?.onQueued(() => this.wake()) ?? (() => {});
    this.#loop = this.#run().catch((err: unknown) => {
      this.#d.log.fatal({ err }, "feed sender stopped unexpectedly");
    });
  }

  /** Stops after the post in flight; pending posts stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopListening();
    this.#wake.abort();
    this.#stopping.abort();
    await this.#loop;
    this.#setIdle(true);
  }

  /** New posts were queued: look now. */
  wake(): void {
    this.#idle = false;
    this.#wake.abort();
  }

  /**
   * Resolves when no post can be sent right now: nothing is due, or the sender waits on FloodWait
   * or on pacing.
   */
  idle(): Promise<void> {
    if (!this.#running || (this.#idle && !this.#canSendNow())) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Whether a post is due and nothing stops it from going out now. */
  #canSendNow(): boolean {
    const now = this.#d.clock.now();
    return (
      this.#pausedUntil <= now && this.#paceFreeAt(now) <= now && this.#d.outbox.nextDue(now) !== undefined
    );
  }

  /** When the pacing window has room for one more message. */
  #paceFreeAt(now: number): number {
    while (this.#sentAt.length > 0 && now - this.#sentAt[0]! >= 60_000) this.#sentAt.shift();
    return this.#sentAt.length < this.#d.config.postsPerMinute ? now : this.#sentAt[0]! + 60_000;
  }

  #setIdle(idle: boolean): void {
    this.#idle = idle;
    if (!idle) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async #sleepUnlessWoken(ms: number): Promise<void> {
    if (this.#wake.signal.aborted) this.#wake = new AbortController();
    await this.#d.clock.sleep(Math.min(ms, MAX_SLEEP_MS), this.#wake.signal);
  }

  /**
   * The loop. A storage failure (a locked database, a full disk), or any other error, must not end
   * it: it is logged (health turns 503) and the loop goes on after a growing pause; posts stay in
   * the outbox.
   */
  async #run(): Promise<void> {
    const policy = storageRetryPolicy();
    while (this.#running) {
      try {
        await this.#step();
        policy.succeeded();
      } catch (err) {
        const what = isTransientStorageError(err) ? "storage failed" : "unexpected error";
        const retryInMs = policy.logFailure(
          this.#d.log,
          err,
          `log chat: ${what}; the feed goes on after a pause`,
        );
        this.#setIdle(true);
        await this.#sleepUnlessWoken(retryInMs);
      }
    }
  }

  /** Sends the next due post, or waits until one is due. */
  async #step(): Promise<void> {
    const { outbox, clock } = this.#d;
    const now = clock.now();
    if (this.#pausedUntil > now) {
      this.#setIdle(true);
      await this.#sleepUnlessWoken(this.#pausedUntil - now);
      return;
    }
    if (this.#wake.signal.aborted) this.#wake = new AbortController();
    let row = outbox.nextDue(now);
    if (!row) {
      const next = outbox.nextDueAt();
      this.#setIdle(true);
      await this.#sleepUnlessWoken(next === undefined ? MAX_SLEEP_MS : next - now);
      return;
    }
    this.#setIdle(false);
    if (row.kind === POST_KINDS.foldedMedia && this.#waitsForFoldedPost(row)) return;
    if (row.kind === POST_KINDS.deleted && row.partsSent === 0) {
      row = await this.#foldIfBurst(row);
      if (!this.#running) return;
    }
    if (ALBUM_KINDS.has(row.kind) && (await this.#sendAlbumIfGrouped(row))) return;
    await this.#send(row);
  }

  #foldIfBurst(first: OutboxRow): Promise<OutboxRow> {
    const { media, foldedMediaCaption: caption } = this.#d;
    return foldIfBurst(first, {
      ...this.#d,
      albumKeyOf: (row) => this.#delivery.albumKeyOf(row),
      stopping: this.#stopping.signal,
      media: media && caption ? { availability: (id) => media.availability(id), caption } : undefined,
    });
  }

  /**
   * The files of a folded burst go after its folded post: while an earlier folded post waits for a
   * retry, they wait with it (FloodWait already holds everything back).
   */
  #waitsForFoldedPost(row: OutboxRow): boolean {
    const { outbox, clock } = this.#d;
    const lead = outbox.pendingOfKindBefore(POST_KINDS.folded, row.id);
    if (!lead || lead.notBefore <= clock.now()) return false;
    outbox.postpone(row.id, lead.notBefore);
    return true;
  }

  /** Waits for room in the pacing window; the sender counts as idle meanwhile. */
  async #paceSlot(): Promise<void> {
    const { clock } = this.#d;
    for (;;) {
      const now = clock.now();
      const freeAt = this.#paceFreeAt(now);
      if (freeAt <= now) break;
      this.#setIdle(true);
      await clock.sleep(freeAt - now);
    }
    this.#setIdle(false);
  }

  async #send(row: OutboxRow): Promise<void> {
    try {
      await this.#delivery.deliver(row);
      this.#d.outbox.markSent(row.id, this.#d.clock.now());
    } catch (err) {
      // Not the post's fault: no attempt is counted; the loop pauses and tries again.
      if (isTransientStorageError(err)) throw err;
      this.#failed(row, err);
    }
  }

  /**
   * Deleted media of one album goes out as one album (posts of the same kind due together); false
   * when `row` is not part of such a group.
   */
  #sendAlbumIfGrouped(row: OutboxRow): Promise<boolean> {
    const { outbox, clock } = this.#d;
    return this.#delivery.sendAlbumIfGrouped(row, () => outbox.dueOfKind(row.kind, clock.now()));
  }

  #failed(row: OutboxRow, err: unknown): void {
    const { outbox, events, clock, config, log } = this.#d;
    const now = clock.now();
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof FloodWait) {
      this.#pausedUntil = now + err.seconds * 1000;
      outbox.reschedule(row.id, this.#pausedUntil, row.attempts, message);
      log.warn({ outboxId: row.id, seconds: err.seconds }, "log chat: FloodWait, post rescheduled");
      return;
    }
    const attempts = row.attempts + 1;
    if (attempts >= config.maxAttempts) {
      this.#d.transaction(() => {
        outbox.markFailed(row.id, attempts, message);
        events.record(
          {
            source: "system",
            type: "feed.post_failed",
            status: "error",
            occurredAt: now,
            error: message,
            details: { outboxId: row.id, kind: row.kind, attempts },
            correlationId: row.correlationId,
          },
          now,
        );
      });
      log.error({ outboxId: row.id, attempts, err: message }, "log chat: post failed for good");
      return;
    }
    outbox.reschedule(row.id, now + backoffMs(attempts), attempts, message);
    log.warn({ outboxId: row.id, attempts, err: message }, "log chat: send failed, will retry");
  }
}
