/**
 * What the sender needs from Telegram, and nothing more. The Telegram implementation lives in
 * `telegram/log-chat.ts`; keeping the sender behind this interface keeps its pacing,
 * folding and retry logic free of GramJS.
 */

import type { FormattedText } from "./formatted-text.ts";
import type { MediaKind } from "./media.ts";

/** Telegram asked us to wait before sending again. */
export class FloodWait extends Error {
  readonly seconds: number;
  constructor(seconds: number) {
    super(`FloodWait: Telegram asks to wait ${seconds} s`);
    this.name = "FloodWait";
    this.seconds = seconds;
  }
}

/** A file attached to a post. */
export interface PostFile {
  name: string;
  mimeType: string;
  bytes: Buffer;
}

/** A media file to post in its own kind (photo, video, voice, ...). */
export interface PostMedia {
  path: string;
  kind: MediaKind;
  fileName: string;
  mimeType: string;
  duration?: number;
  width?: number;
  height?: number;
}

/** One file of an album. */
export interface AlbumItem {
  media: PostMedia;
  caption: FormattedText;
  randomId: bigint;
}

/** Per-send options. */
export interface SendOptions {
  /** A log-chat message id this message replies to. */
  replyTo?: number;
}

/**
 * Sends to the log chat. Each call resolves once Telegram has the message, including when Telegram
 * answers that this random id was already used (the message was sent before a crash).
 * Throws `FloodWait` when asked to wait; any other error is worth retrying later.
 */
export interface LogChatTransport {
  sendText(body: FormattedText, randomId: bigint, options?: SendOptions): Promise<void>;
  sendFile(file: PostFile, caption: FormattedText, randomId: bigint, options?: SendOptions): Promise<void>;
  sendMedia(media: PostMedia, caption: FormattedText, randomId: bigint, options?: SendOptions): Promise<void>;
  /** Sends several files as one album; each item has its own caption and random id. */
  sendAlbum(items: readonly AlbumItem[], options?: SendOptions): Promise<void>;
}
