/**
 * One page of a chat's transcript, behind `/ui/chats/<chatId>` and `/api/chats/<chatId>`: messages
 * in message-id order with their senders' names, the messages they reply to, their media files'
 * state, and for edited ones every stored version with a word diff to the version before.
 *
 * Pages are keyset pages over the unique index (chat_id, message_id): `before`, `after`, `around`
 * (the page centred on a message, which the page highlights) and `date` (the page starting at the
 * first message of a UTC day). A page deep in a chat of 300,000 messages costs what the newest does.
 */
import type Database from "better-sqlite3";
import { parseEntities, type StoredEntity } from "../model/entities.ts";
import type { MediaInfo } from "../model/media.ts";
import { type WordChange, wordChanges } from "../posts/word-diff.ts";
import type { ChatSummary } from "./chat-list-query.ts";
import { parseJson } from "./json-column.ts";
import { statement } from "./statements.ts";
import { firstOnOrAfter } from "./transcript-date.ts";

/** Messages per page by default, and the most a page may hold. */
export const MESSAGES_PER_PAGE = 50;
export const MAX_MESSAGES_PER_PAGE = 200;
/** Characters of a replied-to message shown in the quote. */
export const REPLY_SNIPPET_CHARS = 160;
/** Longest text a word diff is computed for (longer edits show the versions without a diff). */
export const MAX_DIFF_CHARS = 20_000;

/** Where the page is. */
export type TranscriptAnchor =
  | { kind: "latest" }
  | { kind: "before"; messageId: number }
  | { kind: "after"; messageId: number }
  | { kind: "around"; messageId: number }
  | { kind: "date"; at: number };

export interface TranscriptQuery {
  chatId: number;
  anchor: TranscriptAnchor;
  limit: number;
}

/** A message's file, as `media_files` knows it. */
export interface TranscriptFile {
  /** `media_files.id`: what `/ui/media/<id>` serves. */
  id: number;
  status: string;
  reason: string | null;
  size: number | null;
}

/** One stored version of an edited message (version 0 is the original). */
export interface TranscriptRevision {
  version: number;
  text: string;
  entities: StoredEntity[];
  media: MediaInfo | null;
  editDate: number | null;
  recordedAt: number;
  /** Word changes from the version before; null for version 0, or when too long or slow to diff. */
  diff: WordChange[] | null;
}

/** The message a message replies to, as quoted. */
export interface TranscriptReply {
  messageId: number;
  /** False when the replied-to message is not stored (sent before the service saw the chat). */
  found: boolean;
  senderId: number | null;
  senderName: string | null;
  snippet: string;
  mediaKind: string | null;
  deleted: boolean;
}

export interface TranscriptMessage {
  rowId: number;
  messageId: number;
  senderId: number | null;
  senderName: string | null;
  date: number;
  editDate: number | null;
  text: string;
  entities: StoredEntity[];
  media: MediaInfo | null;
  file: TranscriptFile | null;
  replyTo: TranscriptReply | null;
  /** Who the message was forwarded from, as far as the forward header names it. */
  forwardedFrom: string | null;
  outgoing: boolean;
  selfDestructing: boolean;
  ttlPeriod: number | null;
  deletedAt: number | null;
  /** `deleted` (by someone), `own`, `auto_delete` (the timer). */
  deletionKind: string | null;
  revisions: TranscriptRevision[];
}

/** The chat a transcript belongs to: what the chat list shows of it, without its last message. */
export type TranscriptChat = Omit<ChatSummary, "lastMessageId" | "lastDate">;

export interface TranscriptPage {
  /** Null when no message of the chat is stored (a 404). */
  chat: TranscriptChat | null;
  messages: TranscriptMessage[];
  /** `before` for the next older page; null at the chat's first message. */
  older: number | null;
  /** `after` for the next newer page; null at the chat's last message. */
  newer: number | null;
  /** The message `around` asked for, when it is on the page. */
  highlight: number | null;
  /** For `date`: true when no message was sent on or after that day (the page is the newest). */
  pastTheEnd: boolean;
}

interface MessageRow {
  id: number;
  message_id: number;
  sender_id: number | null;
  date: number;
  edit_date: number | null;
  text: string;
  entities: string | null;
  media: string | null;
  reply_to_message_id: number | null;
  forward: string | null;
  outgoing: number;
  self_destructing: number;
  ttl_period: number | null;
  deleted_at: number | null;
  deletion_kind: string | null;
  revision_count: number;
}

const MESSAGE_COLUMNS =
  "id, message_id, sender_id, date, edit_date, text, entities, media, reply_to_message_id, forward, outgoing, self_destructing, ttl_period, deleted_at, deletion_kind, revision_count";

function entitiesOf(json: string | null): StoredEntity[] {
  try {
    return parseEntities(json);
  } catch {
    return [];
  }
}

/** The chat's header: its counts and name; null when the chat has no stored message. */
function chatOf(sqlite: Database.Database, chatId: number): TranscriptChat | null {
  const row = statement(
    sqlite,
    `SELECT s.chat_id AS chatId, coalesce(p.name, '') AS name, p.username AS username,
              CASE WHEN s.chat_type = 'self' THEN 'self' ELSE coalesce(p.type, s.chat_type) END AS type,
              s.messages AS messages, s.deleted AS deleted, s.edited AS edited, s.media_kept AS mediaKept
         FROM chat_stats s LEFT JOIN peers p ON p.peer_id = s.chat_id WHERE s.chat_id = ?`,
  ).get(chatId) as TranscriptChat | undefined;
  return row ?? null;
}

/** Up to `n` messages of the chat after (`>`) or before (`<`) `messageId`, nearest first. */
function slice(
  sqlite: Database.Database,
  chatId: number,
  side: ">" | ">=" | "<",
  messageId: number,
  n: number,
): MessageRow[] {
  const order = side === "<" ? "DESC" : "ASC";
  return statement(
    sqlite,
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND message_id ${side} ? ORDER BY message_id ${order} LIMIT ?`,
  ).all(chatId, messageId, n) as MessageRow[];
}

/** The rows of the page `anchor` names, oldest first, and whether more lie on either side. */
function pageRows(
  sqlite: Database.Database,
  q: TranscriptQuery,
): { rows: MessageRow[]; highlight: number | null; pastTheEnd: boolean } {
  const { chatId, anchor, limit } = q;
  const newest = () => slice(sqlite, chatId, "<", Number.MAX_SAFE_INTEGER, limit).reverse();
  switch (anchor.kind) {
    case "latest":
      return { rows: newest(), highlight: null, pastTheEnd: false };
    case "before":
      return {
        rows: slice(sqlite, chatId, "<", anchor.messageId, limit).reverse(),
        highlight: null,
        pastTheEnd: false,
      };
    case "after":
      return {
        rows: slice(sqlite, chatId, ">", anchor.messageId, limit),
        highlight: null,
        pastTheEnd: false,
      };
    case "around": {
      const older = slice(sqlite, chatId, "<", anchor.messageId, Math.floor(limit / 2)).reverse();
      const rest = slice(sqlite, chatId, ">=", anchor.messageId, limit - older.length);
      const found = rest[0]?.message_id === anchor.messageId;
      return { rows: [...older, ...rest], highlight: found ? anchor.messageId : null, pastTheEnd: false };
    }
    case "date": {
      const first = firstOnOrAfter(sqlite, chatId, anchor.at);
      if (first === null) return { rows: newest(), highlight: null, pastTheEnd: true };
      return { rows: slice(sqlite, chatId, ">=", first, limit), highlight: null, pastTheEnd: false };
    }
  }
}

function exists(sqlite: Database.Database, chatId: number, side: ">" | "<", messageId: number): boolean {
  return (
    statement(sqlite, `SELECT 1 FROM messages WHERE chat_id = ? AND message_id ${side} ? LIMIT 1`).get(
      chatId,
      messageId,
    ) !== undefined
  );
}

/** `?, ?, …` for `n` values. */
const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** Names of the peers `ids` (name, else @username), by id. */
function namesOf(sqlite: Database.Database, ids: Iterable<number>): Map<number, string> {
  const list = [...new Set(ids)];
  const out = new Map<number, string>();
  if (list.length === 0) return out;
  const rows = statement(
    sqlite,
    `SELECT peer_id, name, username FROM peers WHERE peer_id IN (${marks(list.length)})`,
  ).all(...list) as { peer_id: number; name: string; username: string | null }[];
  for (const r of rows)
    out.set(r.peer_id, r.name !== "" ? r.name : r.username ? `@${r.username}` : String(r.peer_id));
  return out;
}

function forwardName(json: string | null, names: Map<number, string>): string | null {
  const f = parseJson<{ fromName?: string; fromId?: number; senderName?: string }>(json);
  if (!f) return null;
  if (typeof f.fromName === "string" && f.fromName !== "") return f.fromName;
  if (typeof f.senderName === "string" && f.senderName !== "") return f.senderName;
  if (typeof f.fromId === "number") return names.get(f.fromId) ?? String(f.fromId);
  return "";
}

function revisionsOf(sqlite: Database.Database, rowIds: number[]): Map<number, TranscriptRevision[]> {
  const out = new Map<number, TranscriptRevision[]>();
  if (rowIds.length === 0) return out;
  const rows = statement(
    sqlite,
    `SELECT message_row_id, version, text, entities, media, edit_date, recorded_at FROM message_revisions
        WHERE message_row_id IN (${marks(rowIds.length)}) ORDER BY message_row_id, version`,
  ).all(...rowIds) as {
    message_row_id: number;
    version: number;
    text: string;
    entities: string | null;
    media: string | null;
    edit_date: number | null;
    recorded_at: number;
  }[];
  for (const r of rows) {
    const list = out.get(r.message_row_id) ?? [];
    const before = list.at(-1);
    const diff =
      before === undefined || before.text.length > MAX_DIFF_CHARS || r.text.length > MAX_DIFF_CHARS
        ? null
        : wordChanges(before.text, r.text);
    list.push({
      version: r.version,
      text: r.text,
      entities: entitiesOf(r.entities),
      media: parseJson<MediaInfo>(r.media),
      editDate: r.edit_date,
      recordedAt: r.recorded_at,
      diff,
    });
    out.set(r.message_row_id, list);
  }
  return out;
}

/** The page of the transcript `q` asks for. */
export function chatTranscript(sqlite: Database.Database, q: TranscriptQuery): TranscriptPage {
  const chat = chatOf(sqlite, q.chatId);
  if (chat === null)
    return { chat: null, messages: [], older: null, newer: null, highlight: null, pastTheEnd: false };
  const { rows, highlight, pastTheEnd } = pageRows(sqlite, q);
  const first = rows[0];
  const last = rows.at(-1);
  const older = first && exists(sqlite, q.chatId, "<", first.message_id) ? first.message_id : null;
  const newer = last && exists(sqlite, q.chatId, ">", last.message_id) ? last.message_id : null;

  const replyIds = [
    ...new Set(rows.flatMap((r) => (r.reply_to_message_id === null ? [] : [r.reply_to_message_id]))),
  ];
  const replied = new Map<number, MessageRow>();
  if (replyIds.length > 0) {
    const found = statement(
      sqlite,
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND message_id IN (${marks(replyIds.length)})`,
    ).all(q.chatId, ...replyIds) as MessageRow[];
    for (const r of found) replied.set(r.message_id, r);
  }
  const forwards = rows.map((r) => parseJson<{ fromId?: number }>(r.forward)?.fromId);
  const names = namesOf(sqlite, [
    ...rows.flatMap((r) => (r.sender_id === null ? [] : [r.sender_id])),
    ...[...replied.values()].flatMap((r) => (r.sender_id === null ? [] : [r.sender_id])),
    ...forwards.filter((id): id is number => typeof id === "number"),
  ]);
  const files = new Map<number, TranscriptFile>();
  if (rows.length > 0) {
    const found = statement(
      sqlite,
      `SELECT id, message_row_id, status, reason, size FROM media_files WHERE message_row_id IN (${marks(rows.length)})`,
    ).all(...rows.map((r) => r.id)) as (TranscriptFile & { message_row_id: number })[];
    for (const f of found)
      files.set(f.message_row_id, { id: f.id, status: f.status, reason: f.reason, size: f.size });
  }
  const revisions = revisionsOf(
    sqlite,
    rows.filter((r) => r.revision_count > 0).map((r) => r.id),
  );
  const nameOf = (id: number | null) => (id === null ? null : (names.get(id) ?? String(id)));

  const messages = rows.map((r): TranscriptMessage => {
    const reply = r.reply_to_message_id === null ? undefined : replied.get(r.reply_to_message_id);
    return {
      rowId: r.id,
      messageId: r.message_id,
      senderId: r.sender_id,
      senderName: nameOf(r.sender_id),
      date: r.date,
      editDate: r.edit_date,
      text: r.text,
      entities: entitiesOf(r.entities),
      media: parseJson<MediaInfo>(r.media),
      file: files.get(r.id) ?? null,
      replyTo:
        r.reply_to_message_id === null
          ? null
          : {
              messageId: r.reply_to_message_id,
              found: reply !== undefined,
              senderId: reply?.sender_id ?? null,
              senderName: reply ? nameOf(reply.sender_id) : null,
              snippet: reply ? reply.text.slice(0, REPLY_SNIPPET_CHARS) : "",
              mediaKind: reply ? (parseJson<MediaInfo>(reply.media)?.kind ?? null) : null,
              deleted: reply?.deleted_at != null,
            },
      forwardedFrom: forwardName(r.forward, names),
      outgoing: r.outgoing === 1,
      selfDestructing: r.self_destructing === 1,
      ttlPeriod: r.ttl_period,
      deletedAt: r.deleted_at,
      deletionKind: r.deletion_kind,
      revisions: revisions.get(r.id) ?? [],
    };
  });
  return { chat, messages, older, newer, highlight, pastTheEnd };
}
