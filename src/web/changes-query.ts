/**
 * "What changed", behind `/ui/changes` and `/api/changes`: the log chat's content as a feed —
 * deletions, edits, view-once captures and saved links, newest first — read from the `events` rows
 * the handlers write, each joined to the message it concerns (text, sender, what the edit changed).
 * Newest first by when the service recorded them (the event id): each (type, status) pair is then
 * read in the order of the (type, status) index, which holds the row id, and the pairs are merged,
 * so a page costs a seek per pair whether the kind is common or rare among 2,000,000 events
 * (ordered by `occurred_at`, SQLite had to sort every deletion and edit to show the newest 50).
 * For one chat, the chat's events are read instead (the (chat_id, occurred_at, message_id) index) and sorted:
 * walking every edit to find a quiet chat's few would cost the whole table's edits. The indexes
 * are named (INDEXED BY) so the planner's statistics cannot pick the other walk.
 */
import type Database from "better-sqlite3";
import type { MediaInfo } from "../model/media.ts";
import { type WordChange, wordChanges } from "../posts/word-diff.ts";
import { parseJson } from "./json-column.ts";
import { statement } from "./statements.ts";
import { MAX_DIFF_CHARS } from "./transcript-query.ts";

/** The kinds of change, and the event types each is recorded as. */
export const CHANGE_KINDS = ["deleted", "edited", "view_once", "saved"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * The (type, status) pairs of `events` rows each kind is. A deletion of a message never seen
 * (`skipped`) is no change; a saved link is one whether it was saved or not.
 */
const KIND_ROWS: Record<ChangeKind, [type: string, status: string][]> = {
  deleted: [["message.deleted", "success"]],
  edited: [["message.edited", "success"]],
  view_once: [
    ["media.self_destruct_opened", "success"],
    ["media.self_destruct_expired", "success"],
  ],
  saved: [
    ["message.saved", "success"],
    ["message.saved", "error"],
  ],
};

function kindOf(type: string): ChangeKind {
  if (type === "message.deleted") return "deleted";
  if (type === "message.edited") return "edited";
  if (type === "message.saved") return "saved";
  return "view_once";
}

/** Characters of a message's text an item shows (the chat view has it whole). */
export const CHANGE_TEXT_CHARS = 2_000;
export const CHANGES_PER_PAGE = 50;
export const MAX_CHANGES_PER_PAGE = 200;

export interface ChangesQuery {
  kinds: ChangeKind[];
  chatId: number | null;
  limit: number;
  /** Events older than this event id (the next page), or newer (the page before), or neither (the newest). */
  before: number | null;
  after: number | null;
}

export interface ChangeItem {
  eventId: number;
  occurredAt: number;
  kind: ChangeKind;
  /** The event's type (`media.self_destruct_opened`, …) and status (a saved link may have failed). */
  type: string;
  status: string;
  chatId: number | null;
  chatName: string | null;
  messageId: number | null;
  /** False when the message is not stored (or no longer: retention). */
  found: boolean;
  senderName: string | null;
  text: string;
  /** Characters of the text left out of `text`. */
  textCut: number;
  media: MediaInfo | null;
  deletionKind: string | null;
  /** For an edit: the version it made and the word changes from the version before. */
  version: number | null;
  diff: WordChange[] | null;
  /** For a saved link: the link, and why it failed. */
  link: string | null;
  error: string | null;
}

export interface ChangesPage {
  items: ChangeItem[];
  /** `before` of the next older page and `after` of the next newer one; null at either end. */
  older: number | null;
  newer: number | null;
}

interface EventRow {
  id: number;
  occurred_at: number;
  type: string;
  status: string;
  chat_id: number | null;
  message_id: number | null;
  details: string | null;
  error: string | null;
}

/** The page of the feed `q` asks for. */
export function changeFeed(sqlite: Database.Database, q: ChangesQuery): ChangesPage {
  const kinds = q.kinds.length === 0 ? CHANGE_KINDS : q.kinds;
  const readNewer = q.after !== null;
  const order = readNewer ? "ASC" : "DESC";
  const bound = q.after ?? q.before;
  const select = statement(
    sqlite,
    `SELECT id, occurred_at, type, status, chat_id, message_id, details, error
       FROM events INDEXED BY ${q.chatId === null ? "events_type_status" : "events_chat_time"}
      WHERE type = ? AND status = ?${q.chatId === null ? "" : " AND chat_id = ?"}${bound === null ? "" : ` AND id ${readNewer ? ">" : "<"} ?`}
      ORDER BY id ${order} LIMIT ?`,
  );
  const rows: EventRow[] = [];
  for (const [type, status] of kinds.flatMap((k) => KIND_ROWS[k])) {
    const params: (string | number)[] = [type, status];
    if (q.chatId !== null) params.push(q.chatId);
    if (bound !== null) params.push(bound);
    rows.push(...(select.all(...params, q.limit + 1) as EventRow[]));
  }
  rows.sort((a, b) => (readNewer ? a.id - b.id : b.id - a.id));
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (readNewer) page.reverse();
  const first = page[0]?.id ?? null;
  const last = page.at(-1)?.id ?? null;
  return {
    items: page.map((r) => itemOf(sqlite, r)),
    older: !readNewer && !more ? null : last,
    newer: readNewer ? (more ? first : null) : bound !== null ? first : null,
  };
}

function itemOf(sqlite: Database.Database, r: EventRow): ChangeItem {
  const kind = kindOf(r.type);
  const details = parseJson<{ version?: number; link?: string }>(r.details) ?? {};
  const message =
    r.chat_id === null || r.message_id === null
      ? undefined
      : (statement(
          sqlite,
          "SELECT id, sender_id, text, media, deletion_kind FROM messages WHERE chat_id = ? AND message_id = ?",
        ).get(r.chat_id, r.message_id) as
          | {
              id: number;
              sender_id: number | null;
              text: string;
              media: string | null;
              deletion_kind: string | null;
            }
          | undefined);
  const name = (id: number | null) => {
    if (id === null) return null;
    const p = statement(sqlite, "SELECT name, username FROM peers WHERE peer_id = ?").get(id) as
      | { name: string; username: string | null }
      | undefined;
    return p ? p.name || (p.username ? `@${p.username}` : String(id)) : String(id);
  };
  const version = kind === "edited" && typeof details.version === "number" ? details.version : null;
  let diff: WordChange[] | null = null;
  let text = message?.text ?? "";
  if (message && version !== null) {
    const versions = statement(
      sqlite,
      "SELECT version, text FROM message_revisions WHERE message_row_id = ? AND version IN (?, ?) ORDER BY version",
    ).all(message.id, version - 1, version) as { version: number; text: string }[];
    const [before, after] = versions;
    if (before && after) {
      text = after.text;
      if (before.text.length <= MAX_DIFF_CHARS && after.text.length <= MAX_DIFF_CHARS)
        diff = wordChanges(before.text, after.text);
    }
  }
  return {
    eventId: r.id,
    occurredAt: r.occurred_at,
    kind,
    type: r.type,
    status: r.status,
    chatId: r.chat_id,
    chatName: name(r.chat_id),
    messageId: r.message_id,
    found: message !== undefined,
    senderName: message ? name(message.sender_id) : null,
    text: text.slice(0, CHANGE_TEXT_CHARS),
    textCut: Math.max(0, text.length - CHANGE_TEXT_CHARS),
    media: parseJson<MediaInfo>(message?.media ?? null),
    deletionKind: message?.deletion_kind ?? null,
    version,
    diff,
    link: typeof details.link === "string" ? details.link : null,
    error: r.error,
  };
}
