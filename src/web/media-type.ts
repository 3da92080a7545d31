/**
 * How a kept file is sent to the browser. The type comes from the message (whoever sent it chose
 * it), so only types a browser shows without running anything are sent as such and inline:
 * raster images, audio, video. Everything else (HTML, SVG, PDF, scripts) goes as
 * `application/octet-stream`, as a download, so a file in someone's chat can never become a page
 * or a script of the UI's origin (`nosniff` keeps the browser from guessing otherwise).
 */

import { safeFileName } from "../media/vault/file-name.ts";
import type { MediaInfo } from "../model/media.ts";

const SHOWN = /^(image\/(jpeg|png|gif|webp|avif|bmp)|video\/[a-z0-9.+-]+|audio\/[a-z0-9.+-]+)$/;

/** What Telegram's own kinds are when the message names no type. */
const BY_KIND: Partial<Record<MediaInfo["kind"], string>> = {
  photo: "image/jpeg",
  video: "video/mp4",
  round_video: "video/mp4",
  gif: "video/mp4",
  voice: "audio/ogg",
  audio: "audio/mpeg",
};

/** How the file of `media` is played or shown in a page: as an image, a video, audio, or not (a download). */
export type MediaElement = "img" | "video" | "audio" | "download";

/** The Content-Type a kept file is sent with. */
export function contentTypeOf(media: MediaInfo | null): string {
  const named = media?.mimeType?.trim().toLowerCase();
  if (named && SHOWN.test(named)) return named;
  if (!named && media) return BY_KIND[media.kind] ?? "application/octet-stream";
  return "application/octet-stream";
}

/** The element a page shows the file of `media` in. */
export function mediaElementOf(media: MediaInfo | null): MediaElement {
  const type = contentTypeOf(media);
  if (type.startsWith("image/")) return "img";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "download";
}

/** The Content-Disposition: inline for what is shown, a download otherwise; the name made safe. */
export function dispositionOf(media: MediaInfo | null, fallback: string): string {
  const type = contentTypeOf(media);
  const name = safeFileName(media?.fileName ?? "", fallback);
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const how = type === "application/octet-stream" ? "attachment" : "inline";
  return `${how}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
