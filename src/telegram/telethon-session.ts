/**
 * Moving over from the Python logger without logging in again. Telethon keeps its login in an
 * SQLite file (`DATA_ROOT/db/user.session` by the Python logger's default): the data centre, its
 * address and port, and the 256-byte auth key, plus the update state it had reached. The same auth
 * key works for GramJS, so a user who points this service at the same `DATA_ROOT` keeps their
 * login, and catch-up starts where the Python logger stopped instead of at "now".
 *
 * The file is only read (never changed), and the key it holds is never logged.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { AuthKey } from "telegram/crypto/AuthKey.js";
import { StringSession } from "telegram/sessions/index.js";
import type { ImportedUpdateState } from "./catch-up.ts";

/** Telethon's auth keys are always this long. */
const AUTH_KEY_BYTES = 256;

/** A file at the Telethon session path that is not a usable Telethon session. */
export class NotATelethonSession extends Error {
  constructor(file: string, reason: string) {
    super(`${file} is not a usable Telethon session: ${reason}`);
    this.name = "NotATelethonSession";
  }
}

interface SessionRow {
  dc_id: number;
  server_address: string | null;
  port: number | null;
  auth_key: Buffer | null;
}

interface StateRow {
  id: number;
  pts: number | null;
  qts: number | null;
  date: number | null;
  seq: number | null;
}

function open(file: string): Database.Database | null {
  if (!existsSync(file)) return null;
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    // There but unreadable (permissions, not a database): say so, do not pretend it is absent.
    throw new NotATelethonSession(file, (err as Error).message);
  }
}

function withFile<T>(file: string, read: (db: Database.Database) => T): T | null {
  const db = open(file);
  if (!db) return null;
  try {
    return read(db);
  } catch (err) {
    if (err instanceof NotATelethonSession) throw err;
    throw new NotATelethonSession(file, (err as Error).message);
  } finally {
    db.close();
  }
}

/**
 * The GramJS session string for the Telethon session at `file`, or null when there is no file.
 * Throws `NotATelethonSession` for a file that is there but holds no usable login.
 */
export async function telethonSessionString(file: string): Promise<string | null> {
  const row = withFile(file, (db) =>
    db.prepare("SELECT dc_id, server_address, port, auth_key FROM sessions").get(),
  );
  if (row === null) return null;
  const s = row as SessionRow | undefined;
  if (!s?.auth_key || !s.server_address || !s.port)
    throw new NotATelethonSession(file, "it holds no login (log in with the Python logger, or here)");
  if (s.auth_key.length !== AUTH_KEY_BYTES)
    throw new NotATelethonSession(file, `its auth key has ${s.auth_key.length} bytes, not ${AUTH_KEY_BYTES}`);
  const key = new AuthKey();
  await key.setKey(Buffer.from(s.auth_key));
  const session = new StringSession("");
  session.setDC(s.dc_id, s.server_address, s.port);
  session.setAuthKey(key, s.dc_id);
  return session.save();
}

/** The update state saved in the Telethon session at `file`, or null when there is no file. */
export function telethonUpdateState(file: string): ImportedUpdateState | null {
  return withFile(file, (db) => {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'update_state'")
      .get();
    const rows = hasTable
      ? (db.prepare("SELECT id, pts, qts, date, seq FROM update_state").all() as StateRow[])
      : [];
    const result: ImportedUpdateState = { state: null, channels: new Map() };
    for (const r of rows) {
      if (!r.pts || r.pts <= 0) continue;
      // Telethon keeps the account's state under id 0 and each channel's under its bare id.
      if (r.id === 0)
        result.state = { pts: r.pts, qts: r.qts ?? 0, date: Math.floor(r.date ?? 0), seq: r.seq ?? 0 };
      else if (r.id > 0) result.channels.set(r.id, r.pts);
    }
    return result;
  });
}
