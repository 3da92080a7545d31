/**
 * A word-level diff of two texts, rendered for a post. Removed words are struck through and
 * wrapped in `[-…-]`, added words are bold and wrapped in `{+…+}` (git's word-diff notation), so
 * the change is visible both in the chat and in a plain-text notification.
 */
import { diffWordsWithSpace } from "diff";
import type { FormattedText } from "../model/formatted-text.ts";
import { TextBuilder } from "../model/formatted-text.ts";

/** Renders the change from `before` to `after`; null when the diff takes too long to compute. */
export function wordDiff(before: string, after: string): FormattedText | null {
  const changes = diffWordsWithSpace(before, after, { timeout: 250 });
  if (!changes) return null;
  const out = new TextBuilder();
  for (const c of changes) {
    if (c.removed) out.add(`[-${c.value}-]`, { _: "MessageEntityStrike" });
    else if (c.added) out.add(`{+${c.value}+}`, { _: "MessageEntityBold" });
    else out.add(c.value);
  }
  return out.build();
}
