/**
 * Writes file-audit results: each change's `events` row and its `file_state` update in one
 * transaction (in chunks, so a 100,000-file burst does not hold one huge transaction; a renamed
 * folder and the move of all its files' rows always share one), plus the root-level and per-path
 * problems (`root.offline`, `file.skipped`, `file.error`, ...). The only writer of file-audit rows.
 */
import path from "node:path";
import type { EventSink, EventStatus } from "../store/events.ts";
import type { FileStateStore } from "../store/file-state.ts";
import type { FileChange, RootContext } from "./change.ts";
import { ownerName } from "./owner.ts";

const CHUNK = 2000;

/** Whether the folder records this type of change as an event (`events` in the watch config). */
const tracked = (ctx: RootContext, c: FileChange) => ctx.cfg.events.includes(c.type);

/** What the recorder writes to. */
export interface RecorderDeps {
  /** Where the events go: the `events` table, or a file agent's outbox (same transaction either way). */
  events: EventSink;
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

  /**
   * Records `changes` (events + snapshot), in order. With `baseline`, only the snapshot is written.
   * A folder rename and all its file moves always share one transaction. `correlationId` is the id
   * of the task writing them (one reconcile pass, or one batch of settled hints), stamped on every
   * row so that task's rows can be found together (and in its log line).
   */
  apply(ctx: RootContext, changes: FileChange[], correlationId: string, baseline = false): void {
    for (let i = 0; i < changes.length; ) {
      let end = i;
      // Folder renames next to each other stay together: their moves may swap names.
      const together = (k: number) => k === i || (changes[k]!.dir && changes[k - 1]!.dir);
      for (let weight = 0; end < changes.length && (together(end) || weight < CHUNK); end++)
        weight += 1 + (changes[end]!.dir?.moves.length ?? 0);
      const chunk = changes.slice(i, end);
      i = end;
      const now = this.#d.now();
      this.#d.transaction(() => {
        const moves = chunk.flatMap((c) => c.dir?.moves ?? []);
        if (moves.length > 0) this.#d.fileState.moveAll(ctx.cfg.path, moves, now);
        for (const c of chunk) this.#applyOne(ctx, c, correlationId, baseline, now);
      });
      const recorded = baseline ? [] : chunk.filter((c) => !c.silent && tracked(ctx, c));
      if (recorded.length > 0) this.#d.onRecorded?.(ctx, recorded);
    }
  }

  #applyOne(ctx: RootContext, c: FileChange, correlationId: string, baseline: boolean, now: number): void {
    const { fileState } = this.#d;
    const root = ctx.cfg.path;
    if (c.dir) {
      // Its files' rows were moved with the chunk's other folder renames (`apply`).
      if (!baseline && !c.silent && tracked(ctx, c)) this.#recordDirRename(ctx, c, correlationId, now);
      return;
    }
    let content = c.content;
    if (c.type === "renamed" && c.fromRel !== undefined) {
      if (content === undefined && ctx.filter.isImportant(c.fromRel))
        content = fileState.content(root, c.fromRel);
      // Only the row of the file that moved: a folder rename may have put another file there.
      fileState.remove(root, c.fromRel, c.prev?.ino);
    }
    if (c.type === "deleted") {
      fileState.remove(root, c.rel, c.prev?.ino);
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
    if (baseline || c.silent || !tracked(ctx, c)) return;
    this.#recordChange(ctx, c, correlationId, now);
  }

  /** One event for a whole renamed folder: its old and new path and how many files moved with it. */
  #recordDirRename(ctx: RootContext, c: FileChange, correlationId: string, now: number): void {
    const root = ctx.cfg.path;
    c.eventId = this.#d.events.record(
      {
        source: "fs",
        type: "file.renamed",
        status: "success",
        occurredAt: c.seenAt,
        path: path.join(root, c.rel),
        project: ctx.cfg.project,
        username: ctx.cfg.username,
        details: { root, oldPath: path.join(root, c.fromRel!), kind: "directory", files: c.dir!.files },
        correlationId,
      },
      now,
    );
  }

  #recordChange(ctx: RootContext, c: FileChange, correlationId: string, now: number): void {
    const root = ctx.cfg.path;
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
    c.eventId = this.#d.events.record(
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
        correlationId,
      },
      now,
    );
  }

  /** Records a root-level or per-path problem (`root.offline`, `file.skipped`, `file.error`, ...). */
  note(
    ctx: RootContext,
    type: string,
    status: EventStatus,
    fields: {
      rel?: string;
      error?: string;
      details?: Record<string, unknown>;
      occurredAt?: number;
      /** The id of the task writing it (see `apply`); null from watcher and timer callbacks. */
      correlationId?: string | null;
    },
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
        correlationId: fields.correlationId ?? null,
      },
      now,
    );
  }
}
