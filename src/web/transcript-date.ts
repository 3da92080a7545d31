/**
 * "Jump to a date" in a chat: the first message sent on or after a moment. There is no index on
 * (chat_id, date), and adding one would cost every insert for one rarely used jump; asking for the
 * first matching row in message-id order instead reads every earlier message of the chat (a jump
 * to last week in a chat of 300,000 messages: 300,000 rows). Telegram numbers a chat's messages in
 * the order they are sent, so dates grow with message ids and the answer is found by bisecting ids
 * on the unique (chat_id, message_id) index: about 30 index probes, whatever the chat's size.
 *
 * Where dates do not grow with ids (rows written by hand), the answer is still a message sent on
 * or after the moment, but an earlier one in id order may be too.
 */
import type Database from "better-sqlite3";
import { statement } from "./statements.ts";

/** The id of the first message of `chatId` sent at or after `at` (ms); null when none was. */
export function firstOnOrAfter(sqlite: Database.Database, chatId: number, at: number): number | null {
  const firstFrom = statement(
    sqlite,
    "SELECT message_id AS id, date FROM messages WHERE chat_id = ? AND message_id >= ? ORDER BY message_id LIMIT 1",
  );
  // Two queries: SQLite finds a lone min() or max() at the index's edge, both together by a scan.
  const edge = (order: "ASC" | "DESC") =>
    statement(
      sqlite,
      `SELECT message_id FROM messages WHERE chat_id = ? ORDER BY message_id ${order} LIMIT 1`,
    )
      .pluck()
      .get(chatId) as number | undefined;
  const bounds = { lo: edge("ASC"), hi: edge("DESC") };
  if (bounds.lo === undefined || bounds.hi === undefined) return null;
  const firstAt = (from: number) => firstFrom.get(chatId, from) as { id: number; date: number } | undefined;
  // The smallest `from` whose first message is on or after `at`: each probe lands on a real message.
  let lo = bounds.lo;
  let hi = bounds.hi + 1;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const m = firstAt(mid);
    if (m !== undefined && m.date >= at) hi = mid;
    else lo = mid + 1;
  }
  return lo > bounds.hi ? null : (firstAt(lo)?.id ?? null);
}
