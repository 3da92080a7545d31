/**
 * Which deleted media can be re-posted together as an album. Telegram groups photos with videos,
 * documents with documents and audio with audio, at most ten at a time; voice notes, round videos,
 * stickers and GIFs are never grouped. Pure.
 */
import type { MediaKind } from "../model/media.ts";

/** Most items Telegram accepts in one album. */
export const ALBUM_LIMIT = 10;

const FAMILY: Partial<Record<MediaKind, string>> = {
  photo: "visual",
  video: "visual",
  document: "document",
  audio: "audio",
};

/** Whether these kinds can form one album. */
export function canGroup(kinds: readonly MediaKind[]): boolean {
  if (kinds.length < 2 || kinds.length > ALBUM_LIMIT) return false;
  const families = new Set(kinds.map((k) => FAMILY[k]));
  return families.size === 1 && !families.has(undefined);
}
