/**
 * The chat list behind `/ui/chats` and `/api/chats`: every chat the account has messages in, with
 * its counts and last activity from `chat_stats` (kept by triggers, drizzle/0006_chat_stats.sql)
 * and its name from `peers`. Counting per chat over a million messages takes seconds; this reads
 * one row per chat, so the list costs what the number of chats costs.
 *
 * Filtering by name and sorting happen here, in JavaScript, over the few thousand rows at most a
 * account has chats: the name match is then case-insensitive for every script (SQLite's LIKE folds
 * ASCII only, and the owner's chats are named in Cyrillic as often as not).
 */
import type Database from "better-sqlite3";
import { CHAT_TYPES, type ChatType } from "../model/message.ts";
import { FilterError } from "./event-query.ts";
import { choice, onlyKnown, single, wholeNumber } from "./query-params.ts";
import { statement } from "./statements.ts";

/** How the list can be sorted. */
export const CHAT_SORTS = ["activity", "name"] as const;
export type ChatSort = (typeof CHAT_SORTS)[number];

/** Chats per page by default, and the most a page may hold. */
export const CHATS_PER_PAGE = 200;
export const MAX_CHATS_PER_PAGE = 1000;

/** What the list is asked for. */
export interface ChatListQuery {
  types: ChatType[];
  /** A substring of the name, @username or id, compared case-insensitively. */
  name: string | null;
  sort: ChatSort;
  limit: number;
  /** Chats to skip: the position of the page (the list is small and read whole). */
  offset: number;
}

/** One chat in the list. */
export interface ChatSummary {
  chatId: number;
  /** The name from `peers`; empty when the chat was never named to us. */
  name: string;
  username: string | null;
  /** One of `CHAT_TYPES`: `peers.type`, or the messages' chat type when no peer row is kept. */
  type: string;
  messages: number;
  deleted: number;
  edited: number;
  mediaKept: number;
  lastMessageId: number;
  /** When the chat's last message was sent (ms). */
  lastDate: number;
}

/** A page of the list. */
export interface ChatListPage {
  chats: ChatSummary[];
  /** How many chats match in all. */
  total: number;
  /** The offset of the next page; null on the last. */
  next: number | null;
}

export const CHAT_LIST_PARAMETERS = ["type", "q", "sort", "limit", "offset"] as const;

/** `params` as a chat list query; throws `FilterError` naming the first bad parameter. */
export function parseChatListQuery(params: URLSearchParams): ChatListQuery {
  onlyKnown(params, CHAT_LIST_PARAMETERS);
  const types = params
    .getAll("type")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  for (const t of types)
    if (!(CHAT_TYPES as readonly string[]).includes(t))
      throw new FilterError("type", `"${t}" is not a chat type (known: ${CHAT_TYPES.join(", ")})`);
  return {
    types: types as ChatType[],
    name: single(params, "q"),
    sort: choice(params, "sort", CHAT_SORTS, "activity"),
    limit: wholeNumber(params, "limit", 1, MAX_CHATS_PER_PAGE) ?? CHATS_PER_PAGE,
    offset: wholeNumber(params, "offset", 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}

/** How a chat is named: its name, else @username, else "Saved Messages" or its id. */
export function chatTitle(c: {
  chatId: number;
  name: string;
  username: string | null;
  type: string;
}): string {
  if (c.name !== "") return c.name;
  if (c.username) return `@${c.username}`;
  return c.type === "self" ? "Saved Messages" : String(c.chatId);
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** The page of chats `q` asks for. */
export function chatList(sqlite: Database.Database, q: ChatListQuery): ChatListPage {
  const rows = statement(
    sqlite,
    `SELECT s.chat_id AS chatId, coalesce(p.name, '') AS name, p.username AS username,
              CASE WHEN s.chat_type = 'self' THEN 'self' ELSE coalesce(p.type, s.chat_type) END AS type,
              s.messages AS messages, s.deleted AS deleted, s.edited AS edited, s.media_kept AS mediaKept,
              s.last_message_id AS lastMessageId, s.last_date AS lastDate
         FROM chat_stats s LEFT JOIN peers p ON p.peer_id = s.chat_id`,
  ).all() as ChatSummary[];
  const needle = q.name?.toLocaleLowerCase() ?? null;
  const matching = rows.filter(
    (c) =>
      (q.types.length === 0 || (q.types as string[]).includes(c.type)) &&
      (needle === null ||
        chatTitle(c).toLocaleLowerCase().includes(needle) ||
        (c.username ?? "").toLocaleLowerCase().includes(needle) ||
        String(c.chatId).includes(needle)),
  );
  if (q.sort === "name")
    matching.sort((a, b) => collator.compare(chatTitle(a), chatTitle(b)) || a.chatId - b.chatId);
  else matching.sort((a, b) => b.lastDate - a.lastDate || b.chatId - a.chatId);
  const end = q.offset + q.limit;
  return {
    chats: matching.slice(q.offset, end),
    total: matching.length,
    next: end < matching.length ? end : null,
  };
}
