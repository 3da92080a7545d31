/** The replies to a saving request (a link to restricted content sent to the log chat). */
import { parseEntities } from "../model/entities.ts";
import { type FormattedText, TextBuilder } from "../model/formatted-text.ts";
import type { MediaInfo } from "../model/media.ts";
import type { StoredMessage } from "../model/message.ts";
import { BOLD, ITALIC, MARK } from "./marks.ts";
import { mediaLine } from "./media-line.ts";
import { addMessageHeader, type MessagePeers } from "./message-header.ts";

/** The reply to a saving request: where the message is from, then its text as it is. */
export function savedMessagePost(row: StoredMessage, peers: MessagePeers, link: string): FormattedText {
  const out = new TextBuilder();
  out.add(`${MARK.saved} Saved`, BOLD).add(` from ${link}`).newline();
  addMessageHeader(out, row, peers);
  if (row.media) out.add(mediaLine(JSON.parse(row.media) as MediaInfo, ""), ITALIC).newline();
  if (row.text.length > 0) {
    out.add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}

/** The reply to a saving request that could not be served: the link and why. */
export function notSavedPost(link: string, why: string): FormattedText {
  return new TextBuilder().add(`${MARK.notSaved} Not saved: `, BOLD).add(link).add("\n").add(why).build();
}
