/**
 * Folding a burst of deletions: when more deletion posts are due within the fold window than can
 * be posted one by one (`maxDeletedInline`), they become one post, a short caption plus an attached
 * listing of every message, so nothing is truncated or dropped however many messages vanish at once.
 * The kept files of the folded messages follow the folded post as posts of their own (folded-media.ts).
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { FeedConfig } from "../config.ts";
import { POST_KINDS, type PostAttachment } from "../model/post.ts";
import { foldedDeletionsCaption } from "../posts/folded-burst.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox.ts";
import { type FoldedMediaSource, followingMediaRow, planFoldedMedia } from "./folded-media.ts";
import { newRandomId } from "./outbox-feed.ts";
import { CAPTION_LIMIT } from "./post-delivery.ts";

/** A burst that keeps going is folded after at most this many fold windows. */
const MAX_FOLD_WAIT_WINDOWS = 10;

/**
 * What folding needs; `albumKeyOf` lets an album count once against the inline limit, `media`
 * (absent without a media buffer) tells which folded messages' files follow the folded post.
 */
export interface FoldingDeps {
  outbox: OutboxStore;
  transaction: <T>(fn: () => T) => T;
  clock: Clock;
  config: FeedConfig;
  log: Logger;
  albumKeyOf(row: OutboxRow): string | null;
  media?: FoldedMediaSource;
  /** Aborted when the sender stops: the wait ends at once and nothing is folded. */
  stopping?: AbortSignal;
}

/**
 * Waits until deletions stop arriving (no new one for a fold window, at most
 * `MAX_FOLD_WAIT_WINDOWS` windows in all), then folds the due deletions into one post if there
 * are more than can be posted one by one. Returns the post to send next: the folded one, or `first`
 * (also when the sender stops meanwhile: the due posts stay queued for the next start).
 */
export async function foldIfBurst(first: OutboxRow, d: FoldingDeps): Promise<OutboxRow> {
  const { outbox, clock, config } = d;
  const deadline = first.createdAt + config.foldWindowMs * MAX_FOLD_WAIT_WINDOWS;
  for (;;) {
    const latest = outbox.latestQueuedOfKind(POST_KINDS.deleted) ?? first.createdAt;
    const quietAt = Math.min(latest + config.foldWindowMs, deadline);
    if (clock.now() >= quietAt) break;
    await clock.sleep(quietAt - clock.now(), d.stopping);
    if (d.stopping?.aborted) return first;
  }
  const now = clock.now();
  const due = outbox.dueOfKind(POST_KINDS.deleted, now).filter((r) => r.partsSent === 0);
  // An album is one post: it counts once against the inline limit.
  const posts = new Set(due.map((r) => d.albumKeyOf(r) ?? `post:${r.id}`));
  if (posts.size <= config.maxDeletedInline) return first;
  const name = `deleted-messages-${new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15)}.txt`;
  const media = d.media ? await planFoldedMedia(due, d.media, d.log) : { follow: [], notes: {} };
  const caption = foldedDeletionsCaption(
    due.map((r) => ({ text: r.text, chatName: r.topic ?? "unknown chat" })),
    config.maxDeletedInline,
    name,
    CAPTION_LIMIT,
    media.follow.length,
  );
  const attachment: PostAttachment = {
    type: "folded-listing",
    name,
    mediaNotes: Object.keys(media.notes).length > 0 ? media.notes : undefined,
  };
  const foldedAt = clock.now();
  // The folded post and the posts of its files are written together, each with its random id, so
  // a restart finds either none of them or all of them, in order.
  const id = d.transaction(() => {
    const folded = outbox.fold(
      due.map((r) => r.id),
      {
        kind: POST_KINDS.folded,
        randomId: newRandomId(),
        text: caption.text,
        entities: JSON.stringify(caption.entities),
        attachment: JSON.stringify(attachment),
        notBefore: foldedAt,
      },
      foldedAt,
    );
    for (const m of media.follow) outbox.add(followingMediaRow(m, foldedAt), foldedAt);
    return folded;
  });
  d.log.info(
    { posts: due.length, files: media.follow.length, outboxId: id },
    "folded a burst of deletions into one post",
  );
  return outbox.get(id)!;
}
