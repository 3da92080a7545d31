/**
 * What the service knows about a message's media, kept as JSON in `messages.media`: only facts it
 * can use later (kind, ids, name, type, size, ttl, dimensions, a description for kinds that cannot
 * be re-sent as files), never the GramJS object itself.
 */

/** The kinds of media we distinguish; each is re-posted in its own kind. */
export type MediaKind =
  | "photo"
  | "video"
  | "round_video"
  | "gif"
  | "sticker"
  | "voice"
  | "audio"
  | "document"
  | "contact"
  | "geo"
  | "geo_live"
  | "venue"
  | "poll"
  | "dice"
  | "webpage"
  | "invoice"
  | "story"
  | "game"
  | "paid"
  | "unsupported";

/** Stored media metadata. `identity` is what tells one media apart from another for edits. */
export interface MediaInfo {
  kind: MediaKind;
  identity: string;
  id?: string;
  accessHash?: string;
  dcId?: number;
  fileName?: string;
  mimeType?: string;
  size?: number;
  ttlSeconds?: number;
  width?: number;
  height?: number;
  duration?: number;
  spoiler?: boolean;
  /** A human description for kinds that are described rather than re-sent (geo, poll, ...). */
  description?: string;
}
