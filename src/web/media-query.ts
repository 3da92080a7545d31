/**
 * The read behind `/ui/media/<id>`: where the file of one `media_files` row is kept, and what the
 * message says it is. The route opens the file itself (streaming from disk is asynchronous
 * anyway); only names the service gave (`blob`, `vault_file`) ever reach the file system.
 */
import type Database from "better-sqlite3";
import type { MediaInfo } from "../model/media.ts";
import { statement } from "./statements.ts";

export interface MediaFileQuery {
  id: number;
}

/** A media row and its message's media metadata. */
export interface MediaFileAnswer {
  status: string;
  /** The buffer's file name (status `stored`). */
  blob: string | null;
  /** The vault's file name (status `vaulted`): `<hex>.tlv` encrypted, `<hex>.bin` plain. */
  vaultFile: string | null;
  media: MediaInfo | null;
  chatId: number;
  messageId: number;
}

/** The media row `id`; null when there is none. */
export function mediaFile(sqlite: Database.Database, q: MediaFileQuery): MediaFileAnswer | null {
  const row = statement(
    sqlite,
    `SELECT f.status AS status, f.blob AS blob, f.vault_file AS vaultFile, m.media AS media,
              m.chat_id AS chatId, m.message_id AS messageId
         FROM media_files f JOIN messages m ON m.id = f.message_row_id WHERE f.id = ?`,
  ).get(q.id) as (Omit<MediaFileAnswer, "media"> & { media: string | null }) | undefined;
  if (!row) return null;
  let media: MediaInfo | null = null;
  try {
    media = row.media ? (JSON.parse(row.media) as MediaInfo) : null;
  } catch {
    media = null;
  }
  return { ...row, media };
}
