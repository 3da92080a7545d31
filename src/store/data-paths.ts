/**
 * Where the service keeps what it stores under `DATA_ROOT`: the one layout the service, `export`,
 * `report` and `verify` agree on (the commands are given only DATA_ROOT).
 */
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
