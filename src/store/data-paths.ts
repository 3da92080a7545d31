/**
 * Where the service keeps what it stores under `DATA_ROOT`: the one layout the service, `export`,
 * `report` and `verify` agree on (the commands are given only DATA_ROOT).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The service's database inside `dataRoot` (also what `export` reads, given only DATA_ROOT). */
export function databaseFileOf(dataRoot: string): string {
  return path.join(path.resolve(dataRoot), "db", "telegram-logger.sqlite");
}

/** Where the service keeps what it stores under `dataRoot` (what `verify` checks, given only DATA_ROOT). */
export interface DataPaths {
  dbFile: string;
  /** The media buffer: downloaded files, named by `media_files.blob`. */
  mediaDir: string;
  /** Deleted messages' files (`media_files.vault_file`), encrypted or not. */
  vaultDir: string;
  /** Expired events, gzip JSON lines. */
  archiveDir: string;
}

/** The paths of everything the service stores under `dataRoot`. */
export function dataPathsOf(dataRoot: string): DataPaths {
  const root = path.resolve(dataRoot);
  return {
    dbFile: databaseFileOf(root),
    mediaDir: path.join(root, "media"),
    vaultDir: path.join(root, "media_deleted"),
    archiveDir: path.join(root, "archive"),
  };
}

/** The web UI's token file of the database at `dbFile` (it sits beside it, in `DATA_ROOT/db/`). */
export function uiTokenFileOf(dbFile: string): string {
  return path.join(path.dirname(dbFile), "ui-token");
}

/** The token in `file`, or null when the file does not exist (yet) or is empty. */
export function readUiTokenFile(file: string): string | null {
  if (!existsSync(file)) return null;
  const token = readFileSync(file, "utf8").trim();
  return token === "" ? null : token;
}
