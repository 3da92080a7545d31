/** Writes session files the way Telethon 1.x (session format 7) does, for the migration tests. */
import Database from "better-sqlite3";

const TELETHON_V7_SCHEMA = `
create table version (version integer primary key);
create table sessions (dc_id integer primary key, server_address text, port integer, auth_key blob, takeout_id integer);
create table entities (id integer primary key, hash integer not null, username text, phone integer, name text, date integer);
create table sent_files (md5_digest blob, file_size integer, type integer, id integer, hash integer, primary key(md5_digest, file_size, type));
create table update_state (id integer primary key, pts integer, qts integer, date integer, seq integer);
insert into version values (7);
`;

/** What a Telethon session file holds that matters here. */
export interface TelethonSessionFixture {
  dcId: number;
  serverAddress: string;
  port: number;
  authKey: Buffer | null;
  /** Rows of `update_state`: id 0 for the account, a channel's bare id for its pts. */
  states?: Array<{ id: number; pts: number; qts?: number; date?: number; seq?: number }>;
}

/** Creates a Telethon session file at `file`. */
export function writeTelethonSession(file: string, s: TelethonSessionFixture): void {
  const db = new Database(file);
  db.exec(TELETHON_V7_SCHEMA);
  db.prepare("insert into sessions values (?, ?, ?, ?, ?)").run(
    s.dcId,
    s.serverAddress,
    s.port,
    s.authKey,
    null,
  );
  const state = db.prepare("insert into update_state values (?, ?, ?, ?, ?)");
  for (const r of s.states ?? []) state.run(r.id, r.pts, r.qts ?? 0, r.date ?? 0, r.seq ?? 0);
  db.close();
}
