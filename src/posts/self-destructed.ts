/** The post for self-destructing (view-once) media, sent with the file when it is opened or expires. */
import { parseEntities } from "../model/entities.ts";
import { type FormattedText, TextBuilder } from "../model/formatted-text.ts";
import type { MediaInfo } from "../model/media.ts";
import type { StoredMessage } from "../model/message.ts";
import { BOLD, ITALIC, MARK } from "./marks.ts";
import { mediaLine } from "./media-line.ts";
import { addMessageHeader, type MessagePeers } from "./message-header.ts";

/** The post for self-destructing media, sent with the file when it is opened or expires. */
export function selfDestructedPost(
  row: StoredMessage,
  peers: MessagePeers,
  moment: "opened" | "expired",
): FormattedText {
  const out = new TextBuilder();
  out.add(
    moment === "opened"
      ? `${MARK.opened} Self-destructing media was opened`
      : `${MARK.expired} Self-destructing media expired`,
    BOLD,
  );
  out.newline();
  addMessageHeader(out, row, peers);
  const media = row.media ? (JSON.parse(row.media) as MediaInfo) : undefined;
  if (media) out.add(mediaLine(media, ""), ITALIC).newline();
  if (row.text.length > 0) {
    out.add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}
