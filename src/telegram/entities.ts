/**
 * Formatting entities as stored JSON and back. The TL class name is kept verbatim (`_`), so a
 * recovered message is re-sent with exactly the formatting it had: no markdown round trip, no
 * entity kind lost. Offsets and lengths are UTF-16 code units, as Telegram counts them.
 */

import bigInt from "big-integer";
import { Api } from "telegram";
import type { StoredEntity } from "../model/entities.ts";

export { entitiesJson, parseEntities, type StoredEntity } from "../model/entities.ts";

/** Entities of an incoming message in stored form (empty list for none). */
export function entitiesToStored(entities: readonly Api.TypeMessageEntity[] | undefined): StoredEntity[] {
  if (!entities) return [];
  return entities.map((e) => {
    const out: StoredEntity = { _: e.className, offset: e.offset, length: e.length };
    if (e instanceof Api.MessageEntityTextUrl) out.url = e.url;
    else if (e instanceof Api.MessageEntityMentionName) out.userId = e.userId.toString();
    else if (e instanceof Api.MessageEntityPre) out.language = e.language;
    else if (e instanceof Api.MessageEntityCustomEmoji) out.documentId = e.documentId.toString();
    else if (e instanceof Api.MessageEntityBlockquote && e.collapsed) out.collapsed = true;
    return out;
  });
}

const SIMPLE: Record<string, new (args: { offset: number; length: number }) => Api.TypeMessageEntity> = {
  MessageEntityBold: Api.MessageEntityBold,
  MessageEntityItalic: Api.MessageEntityItalic,
  MessageEntityUnderline: Api.MessageEntityUnderline,
  MessageEntityStrike: Api.MessageEntityStrike,
  MessageEntityCode: Api.MessageEntityCode,
  MessageEntitySpoiler: Api.MessageEntitySpoiler,
  MessageEntityMention: Api.MessageEntityMention,
  MessageEntityHashtag: Api.MessageEntityHashtag,
  MessageEntityCashtag: Api.MessageEntityCashtag,
  MessageEntityBotCommand: Api.MessageEntityBotCommand,
  MessageEntityUrl: Api.MessageEntityUrl,
  MessageEntityEmail: Api.MessageEntityEmail,
  MessageEntityPhone: Api.MessageEntityPhone,
  MessageEntityBankCard: Api.MessageEntityBankCard,
};

/**
 * Builds the TL entities to send. A mention of a user is sent as a real mention when we know the
 * user's access hash, otherwise as a `tg://user?id=` link, which clients still open as a profile.
 */
export function storedToApiEntities(entities: readonly StoredEntity[]): Api.TypeMessageEntity[] {
  const out: Api.TypeMessageEntity[] = [];
  for (const e of entities) {
    const base = { offset: e.offset, length: e.length };
    const Simple = SIMPLE[e._];
    if (Simple) out.push(new Simple(base));
    else if (e._ === "MessageEntityTextUrl" && e.url)
      out.push(new Api.MessageEntityTextUrl({ ...base, url: e.url }));
    else if (e._ === "MessageEntityPre")
      out.push(new Api.MessageEntityPre({ ...base, language: e.language ?? "" }));
    else if (e._ === "MessageEntityBlockquote") {
      out.push(new Api.MessageEntityBlockquote({ ...base, collapsed: e.collapsed || undefined }));
    } else if (e._ === "MessageEntityCustomEmoji" && e.documentId) {
      out.push(new Api.MessageEntityCustomEmoji({ ...base, documentId: bigInt(e.documentId) }));
    } else if ((e._ === "MessageEntityMentionName" || e._ === "InputMessageEntityMentionName") && e.userId) {
      if (e.accessHash) {
        const userId = bigInt(e.userId);
        const accessHash = bigInt(e.accessHash);
        out.push(
          new Api.InputMessageEntityMentionName({
            ...base,
            userId: new Api.InputUser({ userId, accessHash }),
          }),
        );
      } else {
        out.push(new Api.MessageEntityTextUrl({ ...base, url: `tg://user?id=${e.userId}` }));
      }
    }
    // Unknown kinds (added by a newer layer) are dropped from the post; the stored copy keeps them.
  }
  return out;
}
