/**
 * The report's lists of chats: the most active ones and those where others deleted most. Each
 * list is bounded by `--top` in SQL, and every query searches the period on an index, so a month
 * of a busy account costs that month's rows.
 */
import type Database from "better-sqlite3";
import { CHAT_TYPES } from "../model/message.ts";
import type { ReportPeriod } from "./period.ts";
import { DELETED_BY_OTHERS, IN_PERIOD } from "./sql.ts";

/** A chat and how many of its messages were deleted. */
export interface ChatCount {
  chatId: number;
  /** The chat's name as last seen, when known. */
  name: string | null;
  count: number;
}

/** What happened in one chat during the period. */
export interface ChatActivity {
  chatId: number;
  /** The chat's name as last seen, when known. */
  name: string | null;
  /** Messages dated in the period and stored. */
  messages: number;
  received: number;
  /** Sent by the owner. */
  sent: number;
  /** Edits recovered in the period (of messages of any date). */
  edits: number;
  /** Deletions by others recovered in the period (of messages of any date). */
  deletedByOthers: number;
}

/** The chat types as an SQL list, so `(chat_type, date)` is searched one type at a time. */
const CHAT_TYPE_LIST = CHAT_TYPES.map((t) => `'${t}'`).join(", ");

const knownName = (name: string | null) => (name === null || name === "" ? null : name);

/** The `top` chats where others deleted most messages in the period, most first. */
export function topDeletedChats(sqlite: Database.Database, period: ReportPeriod, top: number): ChatCount[] {
  return sqlite
    .prepare<{ start: number; end: number; top: number }, ChatCount>(
      `SELECT e.chat_id AS chatId, p.name AS name, e.n AS count
         FROM (SELECT chat_id, count(*) AS n FROM events
                WHERE ${IN_PERIOD} AND +type = 'message.deleted' AND status = 'success'
                  AND chat_id IS NOT NULL AND ${DELETED_BY_OTHERS}
                GROUP BY chat_id ORDER BY n DESC, chat_id LIMIT @top) AS e
         LEFT JOIN peers AS p ON p.peer_id = e.chat_id
        ORDER BY e.n DESC, e.chat_id`,
    )
    .all({ start: period.start, end: period.end, top })
    .map((c) => ({ ...c, name: knownName(c.name) }));
}

/**
 * The `top` chats with the most messages dated in the period, most first, with their edits and
 * deletions by others recovered in the period.
 */
export function activeChats(sqlite: Database.Database, period: ReportPeriod, top: number): ChatActivity[] {
  const range = { start: period.start, end: period.end };
  const chats = sqlite
    .prepare<
      { start: number; end: number; top: number },
      { chatId: number; name: string | null; messages: number; sent: number }
    >(
      `SELECT m.chat_id AS chatId, p.name AS name, m.n AS messages, m.sent AS sent
         FROM (SELECT chat_id, count(*) AS n, sum(outgoing <> 0) AS sent FROM messages
                WHERE chat_type IN (${CHAT_TYPE_LIST}) AND date >= @start AND date < @end
                GROUP BY chat_id ORDER BY n DESC, chat_id LIMIT @top) AS m
         LEFT JOIN peers AS p ON p.peer_id = m.chat_id
        ORDER BY m.n DESC, m.chat_id`,
    )
    .all({ ...range, top });
  if (chats.length === 0) return [];
  const changes = new Map(
    sqlite
      .prepare<
        { start: number; end: number; ids: string },
        { chatId: number; edits: number; deleted: number }
      >(
        `SELECT chat_id AS chatId, sum(+type = 'message.edited') AS edits,
                sum(+type = 'message.deleted' AND ${DELETED_BY_OTHERS}) AS deleted
           FROM events
          WHERE ${IN_PERIOD} AND +type IN ('message.edited', 'message.deleted') AND status = 'success'
            AND +chat_id IN (SELECT value FROM json_each(@ids))
          GROUP BY chat_id`,
      )
      .all({ ...range, ids: JSON.stringify(chats.map((c) => c.chatId)) })
      .map((r) => [r.chatId, r] as const),
  );
  return chats.map((c) => ({
    chatId: c.chatId,
    name: knownName(c.name),
    messages: c.messages,
    received: c.messages - c.sent,
    sent: c.sent,
    edits: changes.get(c.chatId)?.edits ?? 0,
    deletedByOthers: changes.get(c.chatId)?.deleted ?? 0,
  }));
}
