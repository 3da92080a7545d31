/**
 * Telegram capture: takes batches of raw updates from the ingest queue and runs the handler each
 * one needs, all in one transaction per batch and a savepoint per update, so a malformed update is
 * recorded as an error event and skipped without losing the rest of the batch.
 */
import { randomUUID } from "node:crypto";
import { isTransientStorageError } from "../store/transient-errors.ts";
import type { HandlerContext } from "./handlers/context.ts";
import { recordDeletions } from "./handlers/deleted-messages.ts";
import { recordEdit } from "./handlers/edited-message.ts";
import { storeNewMessage } from "./handlers/new-message.ts";
import { recordOpened } from "./handlers/self-destructing.ts";
import { classifyUpdate } from "./update-kinds.ts";

/** Counters since start, for metrics and health. */
export interface CaptureStats {
  updates: number;
  stored: number;
  edits: number;
  deletions: number;
  failed: number;
  lastUpdateAt: number | null;
}

/** Bookkeeping around each update, kept in the batch's transaction (update state for catch-up). */
export interface CaptureHooks {
  /** Called for every update, in order, after it was handled. */
  handled(update: unknown): void;
  /** Called at the end of each batch, inside its transaction. */
  batchDone(): void;
}

/**
 * Told about every update handled, for metrics. Calls happen inside the batch transaction; a batch
 * that fails as a whole is rare (each update has its own savepoint) and is not un-counted.
 */
export interface CaptureObserver {
  updateHandled(kind: string, outcome: "ok" | "failed", seconds: number): void;
  messageStored(chatType: string): void;
  editRecorded(): void;
  deletionsPosted(n: number): void;
}

const NO_OBSERVER: CaptureObserver = {
  updateHandled() {},
  messageStored() {},
  editRecorded() {},
  deletionsPosted() {},
};

/** What capture works with. */
export interface CaptureOptions {
  ctx: HandlerContext;
  /** The store's transaction: one per batch, a savepoint per update. */
  transaction: <T>(fn: () => T) => T;
  observer?: CaptureObserver;
  hooks?: CaptureHooks;
}

/** Applies updates to the store. */
export class Capture {
  readonly #ctx: HandlerContext;
  readonly #transaction: <T>(fn: () => T) => T;
  readonly #hooks: CaptureHooks | undefined;
  readonly #observer: CaptureObserver;
  readonly stats: CaptureStats = {
    updates: 0,
    stored: 0,
    edits: 0,
    deletions: 0,
    failed: 0,
    lastUpdateAt: null,
  };

  constructor(o: CaptureOptions) {
    this.#ctx = o.ctx;
    this.#transaction = o.transaction;
    this.#observer = o.observer ?? NO_OBSERVER;
    this.#hooks = o.hooks;
  }

  /** Handles a batch of raw updates in one transaction. */
  processBatch(updates: readonly unknown[]): void {
    try {
      this.#inTransaction(updates);
    } catch (err) {
      // Rolled back: cached peers may name rows that are not there.
      this.#ctx.peers.resetCache();
      throw err;
    }
    this.stats.updates += updates.length;
    this.stats.lastUpdateAt = this.#ctx.now();
  }

  #inTransaction(updates: readonly unknown[]): void {
    this.#transaction(() => {
      for (const update of updates) {
        // One id per update, carried into every event row it writes (events.correlation_id).
        const correlationId = randomUUID();
        const started = performance.now();
        let kind = "unknown";
        try {
          kind = this.#transaction(() => this.#one(update, correlationId));
          this.#observer.updateHandled(kind, "ok", (performance.now() - started) / 1000);
        } catch (err) {
          // A locked database or a full disk is no fault of this update: fail the whole batch so
          // the queue keeps it and retries, rather than skip a message for good.
          if (isTransientStorageError(err)) throw err;
          this.#failed(update, err, correlationId);
          this.#observer.updateHandled(kind, "failed", (performance.now() - started) / 1000);
        }
        this.#hooks?.handled(update);
      }
      this.#hooks?.batchDone();
    });
  }

  /** Handles one update; returns its kind (`new`, `edit`, `delete`, `ignore`) for metrics. */
  #one(update: unknown, correlationId: string): string {
    const work = classifyUpdate(update, this.#ctx.selfId);
    switch (work.kind) {
      case "new": {
        const stored = storeNewMessage(this.#ctx, work.message, work.entities);
        if (stored) {
          this.stats.stored++;
          this.#observer.messageStored(stored.chatType);
        }
        return work.kind;
      }
      case "edit":
        if (recordEdit(this.#ctx, work.message, work.entities, correlationId) === "edited") {
          this.stats.edits++;
          this.#observer.editRecorded();
        }
        return work.kind;
      case "delete": {
        const { posted } = recordDeletions(this.#ctx, work.messageIds, work.channelId, correlationId);
        this.stats.deletions += posted;
        this.#observer.deletionsPosted(posted);
        return work.kind;
      }
      case "opened":
        recordOpened(this.#ctx, work.messageIds, work.channelId, correlationId);
        return work.kind;
      case "ignore":
        return work.kind;
    }
  }

  #failed(update: unknown, err: unknown, correlationId: string): void {
    this.stats.failed++;
    // The savepoint rolled back; cached peers may name rows that are not there.
    this.#ctx.peers.resetCache();
    const now = this.#ctx.now();
    const kind = (update as { className?: unknown })?.className;
    const message = err instanceof Error ? err.message : String(err);
    this.#ctx.log.error({ err, update: kind, correlationId }, "could not handle an update; skipped");
    this.#ctx.events.record(
      {
        source: "telegram",
        type: "update.failed",
        status: "error",
        occurredAt: now,
        error: message,
        details: { update: typeof kind === "string" ? kind : typeof update },
        correlationId,
      },
      now,
    );
  }
}
