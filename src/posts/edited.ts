/** The post for an edit: a word diff, then the full text before and after, each with its formatting. */
import { parseEntities } from "../model/entities.ts";
import { type FormattedText, TextBuilder } from "../model/formatted-text.ts";
import type { MediaInfo } from "../model/media.ts";
import type { StoredMessage } from "../model/message.ts";
import { BOLD, ITALIC, MARK } from "./marks.ts";
import { addMessageHeader, type MessagePeers } from "./message-header.ts";
import { wordDiff } from "./word-diff.ts";

/** The post for an edit: a word diff, then the full text before and after with their formatting. */
export function editedMessagePost(
  before: { text: string; entities: string | null; media: MediaInfo | undefined },
  after: StoredMessage,
  peers: MessagePeers,
  version: number,
): FormattedText {
  const out = new TextBuilder();
  out.add(`${MARK.edited} Message edited (version ${version})`, BOLD).newline();
  addMessageHeader(out, after, peers);
  const afterMedia = after.media ? (JSON.parse(after.media) as MediaInfo) : undefined;
  if (before.media?.identity !== afterMedia?.identity) {
    out.add(`Media: ${before.media?.kind ?? "none"} → ${afterMedia?.kind ?? "none"}`, ITALIC).newline();
  }
  if (before.text !== after.text) {
    const diff = wordDiff(before.text, after.text);
    if (diff) {
      out.add("\nChanges:", BOLD).add("\n").addFormatted(diff).newline();
    }
  } else {
    out.add("Only the formatting changed.", ITALIC).newline();
  }
  out.add("\nBefore:", BOLD).add("\n");
  out.addFormatted({ text: before.text, entities: parseEntities(before.entities) }).newline();
  out.add("\nAfter:", BOLD).add("\n");
  out.addFormatted({ text: after.text, entities: parseEntities(after.entities) });
  return out.build();
}
