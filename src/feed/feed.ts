/**
 * The one way into the log chat, as the parts that post see it: they hand a drafted post to
 * `enqueue` inside their own transaction and go on; the feed's sender delivers it later.
 */
import type { PostDraft } from "../model/post.ts";

/** Queues posts for the log chat. */
export interface Feed {
  /** Stores a post to send (in the caller's transaction, if any); returns its outbox id. */
  enqueue(draft: PostDraft): number;
}
