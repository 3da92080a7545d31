/**
 * Which media the buffer keeps, and how a missing file is explained in a post. Pure.
 */
import type { MediaInfo, MediaKind } from "../model/media.ts";

/** Media kinds that are files we can download and re-upload. */
export const FILE_KINDS: ReadonlySet<MediaKind> = new Set([
  "photo",
  "video",
  "round_video",
  "gif",
  "sticker",
  "voice",
  "audio",
  "document",
]);

/** Why a file is not kept. */
export type NotKeptReason = "policy" | "too_large" | "expired" | "no_file";

/** Whether to download a message's media now. */
export type BufferDecision = { keep: true } | { keep: false; reason: NotKeptReason };

/** The facts about a message that decide whether its media is kept. */
export interface MessageFacts {
  chatType: string;
  noforwards: boolean;
  selfDestructing: boolean;
}

/** What the buffer settings allow. */
export interface BufferPolicy {
  bufferAll: boolean;
  maxBufferFileSize: number;
}

/**
 * By default the buffer keeps what cannot be recovered any other way: protected (noforwards) and
 * self-destructing media, and media in private chats; `BUFFER_ALL_MEDIA` keeps everything.
 * Files over `MAX_BUFFER_FILE_SIZE` are never downloaded.
 */
export function bufferDecision(
  message: MessageFacts,
  media: MediaInfo,
  policy: BufferPolicy,
): BufferDecision {
  if (!FILE_KINDS.has(media.kind)) return { keep: false, reason: "no_file" };
  if (!media.id) return { keep: false, reason: "expired" };
  const wanted =
    policy.bufferAll ||
    message.noforwards ||
    message.selfDestructing ||
    message.chatType === "user" ||
    message.chatType === "bot";
  if (!wanted) return { keep: false, reason: "policy" };
  if (media.size !== undefined && media.size > policy.maxBufferFileSize)
    return { keep: false, reason: "too_large" };
  return { keep: true };
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** One sentence saying why a deleted message's file is not attached. */
export function missingMediaReason(reason: string | null, media: MediaInfo, policy: BufferPolicy): string {
  switch (reason) {
    case "policy":
      return "The file was not kept: this chat's media is not buffered by policy (BUFFER_ALL_MEDIA=true keeps all media).";
    case "too_large":
      return `The file was not kept: ${mib(media.size ?? 0)} is over MAX_BUFFER_FILE_SIZE (${mib(policy.maxBufferFileSize)}).`;
    case "expired":
      return "The file expired before it could be saved.";
    case "no_file":
      return "";
    case "pending":
      return "The file was still being downloaded when this was posted.";
    case "purged":
      return "The file was kept but has since been purged from the buffer (MEDIA_BUFFER_TTL_HOURS).";
    case null:
    case undefined:
      return "The file was not kept.";
    default:
      return `The file could not be downloaded: ${reason}`;
  }
}
