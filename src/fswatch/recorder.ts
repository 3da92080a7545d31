/**
 * Writes file-audit results: each change's `events` row and its `file_state` update in one
 * transaction (in chunks, so a 100,000-file burst does not hold one huge transaction), plus the
 * root-level and per-path problems (`root.offline`, `file.skipped`, `file.error`, ...). The only
 * writer of file-audit rows.
 */
import path from "node:path";
import type { EventStatus, EventStore } from "../store/events.ts";
import type { FileStateStore } from "../store/file-state.ts";
import type { FileChange, RootContext } from "./changes.ts";
import { ownerName } from "./owner.ts";

const CHUNK = 2000;

/** What the recorder writes to. */
export interface RecorderDeps {
  events: EventStore;
  fileState: FileStateStore;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
  /** Called with the recorded (non-silent) changes of each chunk, after it commits. */
  onRecorded?: (ctx: RootContext, changes: FileChange[]) => void;
}

/** Records file changes and file-audit problems. */
export class Recorder {
  readonly #d: RecorderDeps;

  constructor(deps: RecorderDeps) {
    this.#d = deps;
  }

  /** Records `changes` (events + snapshot). With `baseline`, only the snapshot is written. */
  apply(ctx: RootContext, changes: FileChange[], baseline = false): void {
    for (let i = 0; i < changes.length; i += CHUNK) {
      const chunk = changes.slice(i, i + CHUNK);
      const now = this.#d.now();
      this.#d.transaction(() => {
        for (const c of chunk) this.#applyOne(ctx, c, baseline, now);
      });
      const recorded = baseline ? [] : chunk.filter((c) => !c.silent);
      if (recorded.length > 0) this.#d.onRecorded?.(ctx, recorded);
    }
  }

  #applyOne(ctx: RootContext, c: FileChange, baseline: boolean, now: number): void {
    const { fileState, events } = this.#d;
    const root = ctx.cfg.path;
    let content = c.content;
    if (c.type === "renamed" && c.fromRel !== undefined) {
      if (content === undefined && ctx.filter.isImportant(c.fromRel))
        content = fileState.content(root, c.fromRel);
      fileState.remove(root, c.fromRel);
    }
    if (c.type === "deleted") {
      fileState.remove(root, c.rel);
    } else {
      const m = c.meta!;
      if (content === undefined && c.type !== "renamed" && ctx.filter.isImportant(c.rel)) {
        content = fileState.content(root, c.rel);
      }
      fileState.put({
        root,
        rel: c.rel,
        kind: m.kind,
        size: m.size,
        mtimeMs: m.mtimeMs,
        ino: m.ino,
        uid: m.uid,
        checksum: c.checksum,
        content: content ?? null,
        updatedAt: now,
      });
    }
    if (baseline || c.silent) return;
    const state = c.meta ?? c.prev;
    const details: Record<string, unknown> = { root };
    if (c.fromRel !== undefined) details.oldPath = path.join(root, c.fromRel);
    if (c.type === "renamed" && c.fromRel !== undefined) {
      const fromDir = path.posix.dirname(c.fromRel);
      const toDir = path.posix.dirname(c.rel);
      if (fromDir !== toDir && path.posix.basename(c.fromRel) === path.posix.basename(c.rel)) {
        details.movedFrom = path.join(root, fromDir);
      }
    }
    if (state) {
      details.kind = state.kind;
      if (state.uid !== null && state.uid !== undefined) {
        details.uid = state.uid;
        details.owner = ownerName(state.uid);
      }
      details.mtime = new Date(state.mtimeMs).toISOString();
    }
    if (c.diff !== undefined) details.diff = c.diff;
    if (c.diffSkipped !== undefined) details.diffSkipped = c.diffSkipped;
    if (c.checksumError !== undefined) details.checksumError = c.checksumError;
    events.record(
      {
        source: "fs",
        type: `file.${c.type}`,
        status: "success",
        occurredAt: c.seenAt,
        path: path.join(root, c.rel),
        project: ctx.cfg.project,
        username: ctx.cfg.username,
        fileSize: state?.size ?? null,
        checksum: c.checksum,
        details,
      },
      now,
    );
  }

  /** Records a root-level or per-path problem (`root.offline`, `file.skipped`, `file.error`, ...). */
  note(
    ctx: RootContext,
    type: string,
    status: EventStatus,
    fields: { rel?: string; error?: string; details?: Record<string, unknown>; occurredAt?: number },
  ): void {
    const now = this.#d.now();
    this.#d.events.record(
      {
        source: "fs",
        type,
        status,
        occurredAt: fields.occurredAt ?? now,
        path: fields.rel === undefined ? ctx.cfg.path : path.join(ctx.cfg.path, fields.rel),
        project: ctx.cfg.project,
        username: ctx.cfg.username,
        error: fields.error ?? null,
        details: { root: ctx.cfg.path, ...fields.details },
      },
      now,
    );
  }
}
