/**
 * "What changed", behind `/ui/changes` and `/api/changes`: the log chat's content as a feed —
 * deletions, edits, view-once captures and saved links, newest first — read from the `events` rows
 * the handlers write, each joined to the message it concerns (text, sender, what the edit changed).
 * Keyset pages over (occurred_at, id), as the events list.
 */
import type Database from "better-sqlite3";
import type { MediaInfo } from "../model/media.ts";
import { type WordChange, wordChanges } from "../posts/word-diff.ts";
import { MAX_DIFF_CHARS } from "./transcript-query.ts";

/** The kinds of change, and the event types each is recorded as. */
export const CHANGE_KINDS = ["deleted", "edited", "view_once", "saved"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Which `events` rows each kind is: a deletion of a message never seen (`skipped`) is not one. */
const KIND_SQL: Record<ChangeKind, string> = {
  deleted: "(type = 'message.deleted' AND status = 'success')",
  edited: "(type = 'message.edited' AND status = 'success')",
  view_once: "(type IN ('media.self_destruct_opened', 'media.self_destruct_expired') AND status = 'success')",
  saved: "(type = 'message.saved')",
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

/** A position in the feed. */
export interface ChangeCursor {
  occurredAt: number;
  id: number;
}

export interface ChangesQuery {
  kinds: ChangeKind[];
  chatId: number | null;
  limit: number;
  /** Older than this (the next page), or newer than this (the page before), or neither (the newest). */
  before: ChangeCursor | null;
  after: ChangeCursor | null;
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
  /** Cursors of the next older and newer pages, as `occurredAt-id`; null at either end. */
  older: string | null;
  newer: string | null;
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

function parseJson<T>(json: string | null): T | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}

const cursorText = (r: EventRow) => `${r.occurred_at}-${r.id}`;

/** The page of the feed `q` asks for. */
export function changeFeed(sqlite: Database.Database, q: ChangesQuery): ChangesPage {
  const kinds = q.kinds.length === 0 ? CHANGE_KINDS : q.kinds;
  const parts = [`(${kinds.map((k) => KIND_SQL[k]).join(" OR ")})`];
  const params: number[] = [];
  if (q.chatId !== null) {
    parts.push("chat_id = ?");
    params.push(q.chatId);
  }
  const readNewer = q.after !== null;
  const at = q.after ?? q.before;
  if (at !== null) {
    parts.push(`(occurred_at, id) ${readNewer ? ">" : "<"} (?, ?)`);
    params.push(at.occurredAt, at.id);
  }
  const order = readNewer ? "ASC" : "DESC";
  const rows = sqlite
    .prepare(
      `SELECT id, occurred_at, type, status, chat_id, message_id, details, error FROM events
        WHERE ${parts.join(" AND ")} ORDER BY occurred_at ${order}, id ${order} LIMIT ?`,
    )
    .all(...params, q.limit + 1) as EventRow[];
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (readNewer) page.reverse();
  const older = readNewer
    ? page.length > 0
      ? cursorText(page.at(-1)!)
      : null
    : more
      ? cursorText(page.at(-1)!)
      : null;
  const newer = readNewer
    ? more
      ? cursorText(page[0]!)
      : null
    : at !== null && page.length > 0
      ? cursorText(page[0]!)
      : null;
  return { items: page.map((r) => itemOf(sqlite, r)), older, newer };
}

function itemOf(sqlite: Database.Database, r: EventRow): ChangeItem {
  const kind = kindOf(r.type);
  const details = parseJson<{ version?: number; link?: string }>(r.details) ?? {};
  const message =
    r.chat_id === null || r.message_id === null
      ? undefined
      : (sqlite
          .prepare(
            "SELECT id, sender_id, text, media, deletion_kind FROM messages WHERE chat_id = ? AND message_id = ?",
          )
          .get(r.chat_id, r.message_id) as
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
    const p = sqlite.prepare("SELECT name, username FROM peers WHERE peer_id = ?").get(id) as
      | { name: string; username: string | null }
      | undefined;
    return p ? p.name || (p.username ? `@${p.username}` : String(id)) : String(id);
  };
  const version = kind === "edited" && typeof details.version === "number" ? details.version : null;
  let diff: WordChange[] | null = null;
  let text = message?.text ?? "";
  if (message && version !== null) {
    const versions = sqlite
      .prepare(
        "SELECT version, text FROM message_revisions WHERE message_row_id = ? AND version IN (?, ?) ORDER BY version",
      )
      .all(message.id, version - 1, version) as { version: number; text: string }[];
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
