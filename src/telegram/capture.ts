/**
 * Telegram capture: takes batches of raw updates from the ingest queue and runs the handler each
 * one needs, all in one transaction per batch and a savepoint per update, so a malformed update is
 * recorded as an error event and skipped without losing the rest of the batch.
 */
import { randomUUID } from "node:crypto";
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

/** Applies updates to the store. */
export class Capture {
  readonly #ctx: HandlerContext;
  readonly #transaction: <T>(fn: () => T) => T;
  hooks: CaptureHooks | undefined;
  readonly stats: CaptureStats = {
    updates: 0,
    stored: 0,
    edits: 0,
    deletions: 0,
    failed: 0,
    lastUpdateAt: null,
  };

  constructor(ctx: HandlerContext, transaction: <T>(fn: () => T) => T) {
    this.#ctx = ctx;
    this.#transaction = transaction;
  }

  /** Handles a batch of raw updates in one transaction. */
  processBatch(updates: readonly unknown[]): void {
    this.#transaction(() => {
      for (const update of updates) {
        try {
          this.#transaction(() => this.#one(update));
        } catch (err) {
          this.#failed(update, err);
        }
        this.hooks?.handled(update);
      }
      this.hooks?.batchDone();
    });
    this.stats.updates += updates.length;
    this.stats.lastUpdateAt = this.#ctx.now();
  }

  #one(update: unknown): void {
    const work = classifyUpdate(update, this.#ctx.selfId);
    switch (work.kind) {
      case "new":
        if (storeNewMessage(this.#ctx, work.message, work.entities) !== null) this.stats.stored++;
        return;
      case "edit":
        if (recordEdit(this.#ctx, work.message, work.entities, randomUUID()) === "edited") this.stats.edits++;
        return;
      case "delete":
        this.stats.deletions += recordDeletions(
          this.#ctx,
          work.messageIds,
          work.channelId,
          randomUUID(),
        ).posted;
        return;
      case "opened":
        recordOpened(this.#ctx, work.messageIds, work.channelId, randomUUID());
        return;
      case "ignore":
        return;
    }
  }

  #failed(update: unknown, err: unknown): void {
    this.stats.failed++;
    // The savepoint rolled back; cached peers may name rows that are not there.
    this.#ctx.peers.resetCache();
    const now = this.#ctx.now();
    const kind = (update as { className?: unknown })?.className;
    const message = err instanceof Error ? err.message : String(err);
    this.#ctx.log.error({ err, update: kind }, "could not handle an update; skipped");
    this.#ctx.events.record(
      {
        source: "telegram",
        type: "update.failed",
        status: "error",
        occurredAt: now,
        error: message,
        details: { update: typeof kind === "string" ? kind : typeof update },
      },
      now,
    );
  }
}
