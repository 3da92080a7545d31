/**
 * Log-chat digests of file changes, as text: one summary line per root ("docs: 12 created,
 * 3 modified, 1 deleted") and the list of changed paths; a long list goes into an attached text
 * file so the post stays readable and nothing is cut. Pure: the digester decides when to post.
 */
import type { ChangeType } from "../model/file-change.ts";

/** One change as the digest shows it (paths relative to the root). */
export interface DigestItem {
  type: ChangeType;
  rel: string;
  fromRel?: string;
  /** For a renamed folder: how many files moved with it (the folder is one line, not one per file). */
  folderFiles?: number;
}

/** A digest post: text, and the full listing when it is too long to inline. */
export interface DigestPost {
  text: string;
  attachment?: { name: string; text: string };
}

/** More lines than this, or a listing longer than this many characters, goes into an attachment. */
const DIGEST_INLINE_LINES = 20;
const DIGEST_INLINE_CHARS = 3000;
const ORDER: ChangeType[] = ["created", "modified", "renamed", "deleted"];

function line(i: DigestItem): string {
  if (i.type !== "renamed") return `${i.type.padEnd(8)} ${i.rel}`;
  if (i.folderFiles === undefined) return `renamed  ${i.fromRel} → ${i.rel}`;
  const n = i.folderFiles;
  return `renamed  ${i.fromRel}/ → ${i.rel}/ (folder, ${n} ${n === 1 ? "file" : "files"})`;
}

/** The summary line: counts in a fixed order, zeros left out. */
export function digestSummary(project: string, items: readonly DigestItem[]): string {
  const counts = ORDER.map((t) => [t, items.filter((i) => i.type === t).length] as const).filter(
    ([, n]) => n > 0,
  );
  return `${project}: ${counts.map(([t, n]) => `${n} ${t}`).join(", ")}`;
}

/** Builds the post for `items` of root `project` (at `rootPath`), seen between `from` and `to`. */
export function digestPost(
  project: string,
  rootPath: string,
  items: readonly DigestItem[],
  from: number,
  to: number,
): DigestPost {
  const summary = digestSummary(project, items);
  const listing = items.map(line).join("\n");
  if (items.length <= DIGEST_INLINE_LINES && listing.length <= DIGEST_INLINE_CHARS) {
    return { text: `${summary}\n\n${listing}` };
  }
  const stamp = new Date(to).toISOString().replace(/[:.]/g, "-");
  return {
    text: `${summary}\n\nFull list of ${items.length} changes attached.`,
    attachment: {
      name: `${project.replace(/[^\w.-]+/g, "_")}-changes-${stamp}.txt`,
      text: `${summary}\nroot: ${rootPath}\nfrom ${new Date(from).toISOString()} to ${new Date(to).toISOString()}\n\n${listing}\n`,
    },
  };
}
