/**
 * A word-level diff of two texts, rendered for a post. Removed words are struck through and
 * wrapped in `[-…-]`, added words are bold and wrapped in `{+…+}` (git's word-diff notation), so
 * the change is visible both in the chat and in a plain-text notification. The web UI renders the
 * same changes (`wordChanges`) as marked-up insertions and deletions.
 */
import { diffWordsWithSpace } from "diff";
import type { FormattedText } from "../model/formatted-text.ts";
import { TextBuilder } from "../model/formatted-text.ts";

/** One run of a word diff: text both versions share, or text only the old or the new one has. */
export interface WordChange {
  change: "same" | "removed" | "added";
  text: string;
}

/** The word-level changes from `before` to `after`; null when the diff takes too long to compute. */
export function wordChanges(before: string, after: string): WordChange[] | null {
  const changes = diffWordsWithSpace(before, after, { timeout: 250 });
  if (!changes) return null;
  return changes.map((c) => ({ change: c.removed ? "removed" : c.added ? "added" : "same", text: c.value }));
}

/** Renders the change from `before` to `after`; null when the diff takes too long to compute. */
export function wordDiff(before: string, after: string): FormattedText | null {
  const changes = wordChanges(before, after);
  if (!changes) return null;
  const out = new TextBuilder();
  for (const c of changes) {
    if (c.change === "removed") out.add(`[-${c.text}-]`, { _: "MessageEntityStrike" });
    else if (c.change === "added") out.add(`{+${c.text}+}`, { _: "MessageEntityBold" });
    else out.add(c.text);
  }
  return out.build();
}
