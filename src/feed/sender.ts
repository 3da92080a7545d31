/**
 * The only writer to the log chat. It takes due posts from the outbox in order and sends them,
 * paced (at most N messages a minute), honouring FloodWait by pausing and rescheduling, retrying
 * other failures with exponential backoff and finally marking the post failed with an error event.
 *
 * A burst of deletions (more than `maxDeletedInline` due within the fold window) is folded into
 * one post: a short caption plus an attached listing of every message, so nothing is truncated or
 * dropped however many messages vanish at once.
 *
 * Crash safety: parts sent are recorded one by one, and a post is re-sent with the random id it
 * was given when queued, which Telegram de-duplicates.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { FeedConfig } from "../config.ts";
import type { PreparedMedia } from "../media/buffer.ts";
import type { EventStore } from "../store/events.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox.ts";
import { parseEntities } from "../telegram/entities.ts";
import type { MediaInfo } from "../telegram/media-map.ts";
import { ALBUM_LIMIT, canGroup } from "./album.ts";
import { newRandomId, type PostAttachment } from "./feed.ts";
import { type FormattedText, splitFormatted, splitHead, TextBuilder } from "./formatted-text.ts";
import { foldedDeletionsCaption, foldedDeletionsListing } from "./posts.ts";
import { FloodWait, type LogChatTransport, type PostMedia } from "./transport.ts";

const MESSAGE_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const MAX_BACKOFF_MS = 10 * 60_000;
/** A burst that keeps going is folded after at most this many fold windows. */
const MAX_FOLD_WAIT_WINDOWS = 10;
/** Longest single sleep; the loop re-checks the outbox at least this often. */
const MAX_SLEEP_MS = 60_000;

/** The kind of outbox row a deletion post has; only these are folded. */
export const DELETED_POST_KIND = "message.deleted";
const FOLDED_KIND = "deletions.folded";

/** Kinds Telegram does not give a caption: their text follows as a message. */
const NO_CAPTION: ReadonlySet<string> = new Set(["sticker", "round_video"]);

/** The message row whose media a post carries, if any. */
function mediaRowOf(row: OutboxRow): number | undefined {
  const a = row.attachment ? (JSON.parse(row.attachment) as PostAttachment) : undefined;
  return a?.type === "message-media" ? a.messageRowId : undefined;
}

/** What the transport needs to post a kept file in its own kind. */
function postMediaOf(path: string, m: MediaInfo): PostMedia {
  return {
    path,
    kind: m.kind,
    fileName: safeFileName(m.fileName, m.kind),
    mimeType: m.mimeType ?? "application/octet-stream",
    duration: m.duration,
    width: m.width,
    height: m.height,
  };
}

/** A file name for the upload: the original (without any path), or one made from the kind. */
export function safeFileName(name: string | undefined, kind: string): string {
  const last = (name ?? "").split(/[\\/]/).pop() ?? "";
  const base = [...last]
    .filter((c) => c.charCodeAt(0) >= 0x20)
    .join("")
    .trim();
  return base.length > 0 ? base.slice(0, 200) : `${kind}.bin`;
}

/** Everything the sender needs. */
export interface FeedSenderDeps {
  outbox: OutboxStore;
  events: EventStore;
  transport: LogChatTransport;
  /** Files of deleted messages; absent when the media buffer is not running. */
  media?: {
    prepare(messageRowId: number): Promise<PreparedMedia>;
    albumKey(messageRowId: number): string | null;
  };
  transaction: <T>(fn: () => T) => T;
  clock: Clock;
  config: FeedConfig;
  log: Logger;
}

/** Backoff before retry `attempt` (1-based): 2 s, 4 s, 8 s … capped at 10 min, with ±20 % jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Sends the outbox to the log chat, one post at a time. */
export class FeedSender {
  readonly #d: FeedSenderDeps;
  readonly #sentAt: number[] = [];
  #pausedUntil = 0;
  #lastSentAt: number | null = null;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake = new AbortController();
  #idle = false;
  #idleWaiters: Array<() => void> = [];

  constructor(deps: FeedSenderDeps) {
    this.#d = deps;
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
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run().catch((err: unknown) => {
      this.#d.log.fatal({ err }, "feed sender stopped unexpectedly");
    });
  }

  /** Stops after the post in flight; pending posts stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake.abort();
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

  async #run(): Promise<void> {
    const { outbox, clock } = this.#d;
    while (this.#running) {
      const now = clock.now();
      if (this.#pausedUntil > now) {
        this.#setIdle(true);
        await this.#sleepUnlessWoken(this.#pausedUntil - now);
        continue;
      }
      if (this.#wake.signal.aborted) this.#wake = new AbortController();
      let row = outbox.nextDue(now);
      if (!row) {
        const next = outbox.nextDueAt();
        this.#setIdle(true);
        await this.#sleepUnlessWoken(next === undefined ? MAX_SLEEP_MS : next - now);
        continue;
      }
      this.#setIdle(false);
      if (row.kind === DELETED_POST_KIND && row.partsSent === 0) row = await this.#foldIfBurst(row);
      if (row.kind === DELETED_POST_KIND && (await this.#sendAlbumIfGrouped(row))) continue;
      await this.#send(row);
    }
  }

  /**
   * Waits until deletions stop arriving (no new one for a fold window, at most
   * `MAX_FOLD_WAIT_WINDOWS` windows in all), then folds the due deletions into one post if there
   * are more than can be posted one by one.
   */
  async #foldIfBurst(first: OutboxRow): Promise<OutboxRow> {
    const { outbox, clock, config } = this.#d;
    const deadline = first.createdAt + config.foldWindowMs * MAX_FOLD_WAIT_WINDOWS;
    for (;;) {
      const latest = outbox.latestQueuedOfKind(DELETED_POST_KIND) ?? first.createdAt;
      const quietAt = Math.min(latest + config.foldWindowMs, deadline);
      if (clock.now() >= quietAt) break;
      await clock.sleep(quietAt - clock.now());
    }
    const now = clock.now();
    const due = outbox.dueOfKind(DELETED_POST_KIND, now).filter((r) => r.partsSent === 0);
    // An album is one post: it counts once against the inline limit.
    const posts = new Set(due.map((r) => this.#albumKeyOf(r) ?? `post:${r.id}`));
    if (posts.size <= config.maxDeletedInline) return first;
    const name = `deleted-messages-${new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15)}.txt`;
    const caption = foldedDeletionsCaption(
      due.map((r) => ({ text: r.text, chatName: r.topic ?? "unknown chat" })),
      config.maxDeletedInline,
      name,
      CAPTION_LIMIT,
    );
    const attachment: PostAttachment = { type: "folded-listing", name };
    const id = this.#d.transaction(() =>
      outbox.fold(
        due.map((r) => r.id),
        {
          kind: FOLDED_KIND,
          randomId: newRandomId(),
          text: caption.text,
          entities: JSON.stringify(caption.entities),
          attachment: JSON.stringify(attachment),
          notBefore: now,
        },
        now,
      ),
    );
    this.#d.log.info({ posts: due.length, outboxId: id }, "folded a burst of deletions into one post");
    return outbox.get(id)!;
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
    const { outbox, clock } = this.#d;
    try {
      const body = { text: row.text, entities: parseEntities(row.entities) };
      const attachment = row.attachment ? (JSON.parse(row.attachment) as PostAttachment) : undefined;
      if (attachment?.type === "folded-listing") await this.#sendListing(row, body, attachment.name);
      else if (attachment?.type === "text")
        await this.#sendTextFile(row, body, attachment.name, attachment.text);
      else if (attachment?.type === "message-media")
        await this.#sendMessageMedia(row, body, attachment.messageRowId);
      else await this.#sendParts(row, body, row.partsSent);
      outbox.markSent(row.id, clock.now());
    } catch (err) {
      this.#failed(row, err);
    }
  }

  /**
   * Deleted media of one album, due together, goes out as one album; each post keeps its random id
   * (as the album item's), and text beyond a caption follows as messages. False when `row` is not
   * part of such a group, which is then sent on its own.
   */
  async #sendAlbumIfGrouped(row: OutboxRow): Promise<boolean> {
    const media = this.#d.media;
    const key = this.#albumKeyOf(row);
    if (!media || key === null) return false;
    const members = this.#d.outbox
      .dueOfKind(DELETED_POST_KIND, this.#d.clock.now())
      .filter((r) => r.partsSent === 0 && this.#albumKeyOf(r) === key)
      .slice(0, ALBUM_LIMIT);
    if (members.length < 2) return false;
    const prepared = await Promise.all(members.map((r) => media.prepare(mediaRowOf(r)!)));
    const ready = members.flatMap((r, i) => {
      const p = prepared[i]!;
      return p.ok ? [{ row: r, opened: p.opened, info: p.media }] : [];
    });
    try {
      if (!canGroup(ready.map((x) => x.info.kind))) return false;
      const bodies = ready.map((x) =>
        splitHead({ text: x.row.text, entities: parseEntities(x.row.entities) }, CAPTION_LIMIT),
      );
      await this.#paceSlot();
      await this.#d.transport.sendAlbum(
        ready.map((x, i) => ({
          media: postMediaOf(x.opened.path, x.info),
          caption: bodies[i]![0],
          randomId: BigInt(x.row.randomId),
        })),
      );
      this.#noteSent();
      for (const [i, x] of ready.entries()) {
        this.#d.outbox.markPartsSent(x.row.id, 1);
        try {
          if (bodies[i]![1].text.length > 0)
            await this.#sendParts({ ...x.row, partsSent: 1 }, bodies[i]![1], 1, 1);
          this.#d.outbox.markSent(x.row.id, this.#d.clock.now());
        } catch (err) {
          this.#failed({ ...x.row, partsSent: 1 }, err);
        }
      }
    } catch (err) {
      for (const x of ready) this.#failed(x.row, err);
    } finally {
      await Promise.all(ready.map((x) => x.opened.cleanup()));
    }
    return true;
  }

  /** The album a deletion post's media belongs to, or null. */
  #albumKeyOf(row: OutboxRow): string | null {
    const messageRowId = mediaRowOf(row);
    return messageRowId === undefined || !this.#d.media ? null : this.#d.media.albumKey(messageRowId);
  }

  /** Sends `body` as text messages, from overall part `from`; part `i` of `body` is post part `i + offset`. */
  async #sendParts(row: OutboxRow, body: FormattedText, from: number, offset = 0): Promise<void> {
    const parts = splitFormatted(body, MESSAGE_LIMIT);
    const base = BigInt(row.randomId);
    for (let i = Math.max(0, from - offset); i < parts.length; i++) {
      await this.#paceSlot();
      const replyTo = i + offset === 0 ? (row.replyTo ?? undefined) : undefined;
      await this.#d.transport.sendText(parts[i]!, base + BigInt(i + offset), { replyTo });
      this.#noteSent();
      this.#d.outbox.markPartsSent(row.id, i + offset + 1);
    }
  }

  /**
   * A post led by a file: part 0 is the file with as much of the text as fits a caption (none for
   * kinds that take no caption), the rest follows as text messages.
   */
  async #sendLedByFile(
    row: OutboxRow,
    body: FormattedText,
    captionFits: boolean,
    sendLead: (caption: FormattedText, randomId: bigint) => Promise<void>,
  ): Promise<void> {
    const [caption, rest] = captionFits ? splitHead(body, CAPTION_LIMIT) : [{ text: "", entities: [] }, body];
    if (row.partsSent === 0) {
      await this.#paceSlot();
      await sendLead(caption, BigInt(row.randomId));
      this.#noteSent();
      this.#d.outbox.markPartsSent(row.id, 1);
    }
    if (rest.text.length > 0) await this.#sendParts(row, rest, Math.max(1, row.partsSent), 1);
  }

  async #sendListing(row: OutboxRow, body: FormattedText, name: string): Promise<void> {
    const items = this.#d.outbox.foldedInto(row.id).map((r) => ({ text: r.text, chatName: r.topic ?? "" }));
    const bytes = Buffer.from(foldedDeletionsListing(items, row.createdAt), "utf8");
    const options = { replyTo: row.replyTo ?? undefined };
    await this.#sendLedByFile(row, body, true, (caption, randomId) =>
      this.#d.transport.sendFile({ name, mimeType: "text/plain", bytes }, caption, randomId, options),
    );
  }

  async #sendTextFile(row: OutboxRow, body: FormattedText, name: string, text: string): Promise<void> {
    const bytes = Buffer.from(text, "utf8");
    const options = { replyTo: row.replyTo ?? undefined };
    await this.#sendLedByFile(row, body, true, (caption, randomId) =>
      this.#d.transport.sendFile({ name, mimeType: "text/plain", bytes }, caption, randomId, options),
    );
  }

  async #sendMessageMedia(row: OutboxRow, body: FormattedText, messageRowId: number): Promise<void> {
    const prepared = this.#d.media ? await this.#d.media.prepare(messageRowId) : undefined;
    if (!prepared?.ok) {
      const why = prepared?.reasonText ?? "The file was not kept.";
      const withReason = why
        ? new TextBuilder().addFormatted(body).newline().add(why, { _: "MessageEntityItalic" }).build()
        : body;
      await this.#sendParts(row, withReason, row.partsSent);
      return;
    }
    try {
      const m = prepared.media;
      const media = postMediaOf(prepared.opened.path, m);
      const options = { replyTo: row.replyTo ?? undefined };
      await this.#sendLedByFile(row, body, !NO_CAPTION.has(m.kind), (caption, randomId) =>
        this.#d.transport.sendMedia(media, caption, randomId, options),
      );
    } finally {
      await prepared.opened.cleanup();
    }
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
