/**
 * The ways one outbox post reaches the log chat: as text messages, led by a file (a folded
 * listing, a text attachment, a deleted message's media) with the rest following as text, or as
 * one album with the other deleted media of its group. Pacing, retries and failure accounting
 * stay with the sender, which hands them in; this file only knows how a post is laid out.
 *
 * Each part carries the post's random id plus its index, so a post re-sent after a crash is
 * de-duplicated by Telegram part by part.
 */
import type { Clock } from "../clock.ts";
import type { MediaAvailability, PreparedMedia } from "../media/buffer.ts";
import { safeFileName } from "../media/vault/file-name.ts";
import type { LogChatTransport, PostMedia } from "../model/delivery.ts";
import { parseEntities } from "../model/entities.ts";
import { type FormattedText, splitFormatted, splitHead, TextBuilder } from "../model/formatted-text.ts";
import type { MediaInfo } from "../model/media.ts";
import { attachmentOf, mediaRowOf } from "../model/post.ts";
import { foldedDeletionsListing } from "../posts/folded-burst.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox.ts";
import { ALBUM_LIMIT, canGroup } from "./album.ts";

const MESSAGE_LIMIT = 4096;
/** Telegram's caption length; a folded burst's caption is cut to it too. */
export const CAPTION_LIMIT = 1024;

/** Kinds Telegram does not give a caption: their text follows as a message. */
const NO_CAPTION: ReadonlySet<string> = new Set(["sticker", "round_video"]);

/** Files of deleted messages, as the media buffer keeps them. */
export interface DeletedMediaFiles {
  prepare(messageRowId: number): Promise<PreparedMedia>;
  /** Whether the file is kept, without opening it (folded bursts decide what follows them). */
  availability(messageRowId: number): Promise<MediaAvailability>;
  albumKey(messageRowId: number): string | null;
}

/** What delivery needs; the last three are the sender's pacing and retry accounting. */
export interface PostDeliveryDeps {
  outbox: OutboxStore;
  transport: LogChatTransport;
  /** Absent when the media buffer is not running. */
  media?: DeletedMediaFiles;
  clock: Clock;
  /** Waits for room in the pacing window before each message. */
  paceSlot(): Promise<void>;
  /** Counts one message that reached the log chat. */
  noteSent(): void;
  /** Reschedules or gives up on a post that could not be sent. */
  failed(row: OutboxRow, err: unknown): void;
}

/** What the transport needs to post a kept file in its own kind. */
function postMediaOf(path: string, m: MediaInfo): PostMedia {
  return {
    path,
    kind: m.kind,
    fileName: safeFileName(m.fileName ?? "", `${m.kind}.bin`),
    mimeType: m.mimeType ?? "application/octet-stream",
    duration: m.duration,
    width: m.width,
    height: m.height,
  };
}

/** Sends single posts in the shape their attachment asks for. */
export class PostDelivery {
  readonly #d: PostDeliveryDeps;

  constructor(deps: PostDeliveryDeps) {
    this.#d = deps;
  }

  /** Sends every part of `row` not yet sent; throws what the transport threw. */
  async deliver(row: OutboxRow): Promise<void> {
    const body = { text: row.text, entities: parseEntities(row.entities) };
    const attachment = attachmentOf(row);
    if (attachment?.type === "folded-listing")
      await this.#sendTextFile(row, body, attachment.name, this.#listingOf(row, attachment.mediaNotes ?? {}));
    else if (attachment?.type === "text")
      await this.#sendTextFile(row, body, attachment.name, attachment.text);
    else if (attachment?.type === "message-media")
      await this.#sendMessageMedia(row, body, attachment.messageRowId);
    else await this.#sendParts(row, body, row.partsSent);
  }

  /** The album a deletion post's media belongs to, or null. */
  albumKeyOf(row: OutboxRow): string | null {
    const messageRowId = mediaRowOf(row);
    return messageRowId === undefined || !this.#d.media ? null : this.#d.media.albumKey(messageRowId);
  }

  /**
   * Deleted media of one album, due together, goes out as one album; each post keeps its random id
   * (as the album item's), and text beyond a caption follows as messages. `dueDeletions` reads the
   * deletion posts due now, only once `row` is known to have album media. False when `row` is not
   * part of such a group, which is then sent on its own.
   */
  async sendAlbumIfGrouped(row: OutboxRow, dueDeletions: () => readonly OutboxRow[]): Promise<boolean> {
    const media = this.#d.media;
    const key = this.albumKeyOf(row);
    if (!media || key === null) return false;
    const members = dueDeletions()
      .filter((r) => r.partsSent === 0 && this.albumKeyOf(r) === key)
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
      await this.#d.paceSlot();
      await this.#d.transport.sendAlbum(
        ready.map((x, i) => ({
          media: postMediaOf(x.opened.path, x.info),
          caption: bodies[i]![0],
          randomId: BigInt(x.row.randomId),
        })),
      );
      this.#d.noteSent();
      for (const [i, x] of ready.entries()) {
        this.#d.outbox.markPartsSent(x.row.id, 1);
        try {
          if (bodies[i]![1].text.length > 0)
            await this.#sendParts({ ...x.row, partsSent: 1 }, bodies[i]![1], 1, 1);
          this.#d.outbox.markSent(x.row.id, this.#d.clock.now());
        } catch (err) {
          this.#d.failed({ ...x.row, partsSent: 1 }, err);
        }
      }
    } catch (err) {
      for (const x of ready) this.#d.failed(x.row, err);
    } finally {
      await Promise.all(ready.map((x) => x.opened.cleanup()));
    }
    return true;
  }

  /** Sends `body` as text messages, from overall part `from`; part `i` of `body` is post part `i + offset`. */
  async #sendParts(row: OutboxRow, body: FormattedText, from: number, offset = 0): Promise<void> {
    const parts = splitFormatted(body, MESSAGE_LIMIT);
    const base = BigInt(row.randomId);
    for (let i = Math.max(0, from - offset); i < parts.length; i++) {
      await this.#d.paceSlot();
      const replyTo = i + offset === 0 ? (row.replyTo ?? undefined) : undefined;
      await this.#d.transport.sendText(parts[i]!, base + BigInt(i + offset), { replyTo });
      this.#d.noteSent();
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
      await this.#d.paceSlot();
      await sendLead(caption, BigInt(row.randomId));
      this.#d.noteSent();
      this.#d.outbox.markPartsSent(row.id, 1);
    }
    if (rest.text.length > 0) await this.#sendParts(row, rest, Math.max(1, row.partsSent), 1);
  }

  /** A post led by a text file: a folded burst's listing, or a file-audit digest's full list. */
  async #sendTextFile(row: OutboxRow, body: FormattedText, name: string, text: string): Promise<void> {
    const bytes = Buffer.from(text, "utf8");
    const options = { replyTo: row.replyTo ?? undefined };
    await this.#sendLedByFile(row, body, true, (caption, randomId) =>
      this.#d.transport.sendFile({ name, mimeType: "text/plain", bytes }, caption, randomId, options),
    );
  }

  /** Every message of a folded burst, in full, in order, each with what became of its file. */
  #listingOf(row: OutboxRow, mediaNotes: Record<string, string>): string {
    const items = this.#d.outbox
      .foldedInto(row.id)
      .map((r) => ({ text: r.text, chatName: r.topic ?? "", mediaNote: mediaNotes[r.id] }));
    return foldedDeletionsListing(items, row.createdAt);
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
}
