/** The line a post gives a message's media: kind, name, size, and why the file is not attached. */
import type { MediaInfo } from "../model/media.ts";
import { formatBytes } from "./format.ts";

/** One line describing a message's media, with why the file itself is not attached. */
export function mediaLine(media: MediaInfo, reason: string): string {
  const name = media.fileName ? ` "${media.fileName}"` : "";
  const size = media.size ? `, ${formatBytes(media.size)}` : "";
  const desc = media.description ? `: ${media.description}` : "";
  const ttl = media.ttlSeconds ? ", self-destructing" : "";
  return `📎 ${media.kind}${name}${size}${ttl}${desc}${reason ? `. ${reason}` : ""}`;
}
