/**
 * The file audit's shared vocabulary: a watched root with its compiled patterns, the stat facts kept
 * for an audited file, and one change ready to be recorded. Types only.
 */

import type { ChangeType } from "../model/file-change.ts";
import type { FileStateMeta } from "../store/file-state.ts";
import type { PathFilter } from "./config/filters.ts";
import type { RootConfig } from "./config/watch-config.ts";

/** A root's settings with its compiled patterns. */
export interface RootContext {
  cfg: RootConfig;
  filter: PathFilter;
}

/** The stat facts kept for an audited file. */
export interface FileMeta {
  kind: "file" | "symlink";
  size: number;
  mtimeMs: number;
  ino: number;
  uid: number;
}

/** One change, ready to be recorded. */
export interface FileChange {
  type: ChangeType;
  rel: string;
  /** The old path of a rename. */
  fromRel?: string;
  /** The new state (absent for a deletion). */
  meta?: FileMeta;
  /** The snapshot's state before the change. */
  prev?: FileStateMeta;
  checksum: string | null;
  /** When the change was first seen (a watcher hint, or the scan). */
  seenAt: number;
  /** Text to keep for the next diff: undefined keeps what is stored, null clears it. */
  content?: string | null;
  diff?: string;
  diffSkipped?: string;
  checksumError?: string;
  /** Only the snapshot changes (same bytes, new mtime): no event. */
  silent?: boolean;
  /** A folder rename (`fromRel` → `rel`): the files it carried along, moved in the same transaction. */
  dir?: { files: number; moves: Array<{ from: string; to: string }> };
  /** Where the snapshot keeps this file's previous state, when its folder was renamed meanwhile. */
  snapshotRel?: string;
  /** The `events` row written for it (set by the recorder). */
  eventId?: number;
}
