/**
 * The file audit: one `RootAuditor` per watched folder, changed live when the watch config changes
 * (roots added, removed or changed without a restart; an invalid edit is reported and the previous
 * config stays), plus the digests. Also runs the one-shot `scan`.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { DirStateStore } from "../store/dir-state.ts";
import type { EventSink, EventStore } from "../store/events.ts";
import type { FileStateStore } from "../store/file-state.ts";
import type { KeyValueStore } from "../store/kv.ts";
import type { RootContext } from "./change.ts";
import { pathFilter } from "./config/filters.ts";
import type { RootConfig, WatchConfig } from "./config/watch-config.ts";
import { Digester, type DigestSink } from "./digest/digester.ts";
import { type ReconcileOutcome, reconcileRoot } from "./reconcile/reconcile.ts";
import { Recorder } from "./recorder.ts";
import { RootAuditor, type RootStatus } from "./root-auditor.ts";

/** What the file audit needs from the app. */
export interface FileAuditDeps {
  /**
   * Where every event of the audit goes, in the transaction of its snapshot change: the `events`
   * table (the service), or the outbox of a file agent.
   */
  events: EventSink;
  fileState: FileStateStore;
  dirState: DirStateStore;
  /** Keeps each root's digest watermark. */
  kv: KeyValueStore;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
  log: Logger;
  /**
   * Where digests go, and the `events` table they read the recorded changes back from (the same one
   * as `events`); without one, nothing is posted.
   */
  digest?: { sink: DigestSink; events: EventStore };
  /** Told of every recorded change (metrics), after it commits. */
  onChange?: (type: string, root: string) => void;
}

function context(cfg: RootConfig): RootContext {
  return { cfg, filter: pathFilter(cfg.include, cfg.exclude, cfg.important) };
}

/** Runs the audit of every watched folder. */
export class FileAudit {
  readonly #d: FileAuditDeps;
  /** The one writer of every root's rows. */
  readonly #recorder: Recorder;
  readonly #digester: Digester | undefined;
  readonly #roots = new Map<string, { auditor: RootAuditor; json: string }>();
  #config: WatchConfig | undefined;
  #changing: Promise<void> = Promise.resolve();
  #busy = 0;

  constructor(deps: FileAuditDeps) {
    this.#d = deps;
    const digest = deps.digest;
    this.#digester = digest
      ? new Digester({
          sink: digest.sink,
          now: deps.now,
          transaction: deps.transaction,
          kv: deps.kv,
          events: digest.events,
          log: deps.log,
        })
      : undefined;
    this.#recorder = new Recorder({
      events: deps.events,
      fileState: deps.fileState,
      transaction: deps.transaction,
      now: deps.now,
      onRecorded: (ctx, changes) => {
        for (const c of changes) deps.onChange?.(`file.${c.type}`, ctx.cfg.path);
        this.#digester?.add(ctx, changes);
      },
    });
  }

  /** The config in force. */
  get config(): WatchConfig | undefined {
    return this.#config;
  }

  /**
   * Applies `config`: starts new roots, stops removed ones, restarts changed ones (each start
   * reconciles, so nothing changed meanwhile is missed). Resolves when every watcher is ready.
   */
  apply(config: WatchConfig): Promise<void> {
    this.#busy++;
    // A failed apply is the caller's to report; the next one (and stop) must still run.
    const applied = this.#changing.catch(() => {}).then(() => this.#apply(config));
    this.#changing = applied.finally(() => this.#busy--);
    return this.#changing;
  }

  async #apply(config: WatchConfig): Promise<void> {
    const timingChanged =
      this.#config !== undefined &&
      (this.#config.settleMs !== config.settleMs || this.#config.renameWindowMs !== config.renameWindowMs);
    this.#config = config;
    const wanted = new Map(config.directories.map((d) => [d.path, d]));
    for (const [root, r] of [...this.#roots]) {
      const next = wanted.get(root);
      if (next && JSON.stringify(next) === r.json && !timingChanged) continue;
      this.#roots.delete(root);
      this.#digester?.flushAll(root);
      await r.auditor.stop();
      this.#d.log.info({ root }, next ? "watched folder changed: restarting it" : "watched folder removed");
    }
    const starting: Promise<void>[] = [];
    for (const [root, cfg] of wanted) {
      if (this.#roots.has(root)) continue;
      const ctx = context(cfg);
      // Changes a crash kept from their digest are posted before the root records new ones.
      this.#digester?.recover(ctx);
      const auditor = new RootAuditor(ctx, {
        fileState: this.#d.fileState,
        dirState: this.#d.dirState,
        transaction: this.#d.transaction,
        recorder: this.#recorder,
        now: this.#d.now,
        log: this.#d.log,
        settleMs: config.settleMs,
        renameWindowMs: config.renameWindowMs,
      });
      this.#roots.set(root, { auditor, json: JSON.stringify(cfg) });
      starting.push(auditor.start());
    }
    await Promise.all(starting);
  }

  /** Records an invalid edit of the watch config (the previous config stays in force). */
  rejectEdit(problem: string): void {
    this.#d.log.error({ problem }, "watch config edit rejected; the previous config stays in force");
    try {
      this.#d.events.record(
        {
          source: "system",
          type: "watch.config_rejected",
          status: "error",
          occurredAt: this.#d.now(),
          error: problem,
          details: { kept: this.#config?.directories.map((d) => d.path) ?? [] },
        },
        this.#d.now(),
      );
    } catch (err) {
      // Storage failing too: the log line above is the record; the service goes on.
      this.#d.log.error({ err }, "could not record the rejected watch config edit");
    }
  }

  /** True when no root has work pending now. */
  get settled(): boolean {
    return this.#busy === 0 && [...this.#roots.values()].every((r) => r.auditor.settled);
  }

  /** Resolves once every root is settled (polls: the watcher's hints arrive on their own schedule). */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      await this.#changing.catch(() => {});
      quiet = this.settled ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Each root's status, for health. */
  status(): RootStatus[] {
    return [...this.#roots.values()].map((r) => r.auditor.status());
  }

  /** The auditor of `root` (tests and tools). */
  auditor(root: string): RootAuditor | undefined {
    return this.#roots.get(root)?.auditor;
  }

  /** Stops every root; queued digests go to the outbox. */
  async stop(): Promise<void> {
    await this.#changing.catch(() => {});
    await Promise.all([...this.#roots.values()].map((r) => r.auditor.stop()));
    this.#roots.clear();
    this.#digester?.flushAll();
  }

  /** One reconcile pass of every root in `config`, without watchers (`telegram-logger scan`). */
  async scanOnce(
    config: WatchConfig,
    onRoot?: (cfg: RootConfig, outcome: ReconcileOutcome) => void,
    onProgress?: (cfg: RootConfig, filesSeen: number) => void,
  ): Promise<ReconcileOutcome[]> {
    const outcomes: ReconcileOutcome[] = [];
    for (const cfg of config.directories) {
      const ctx = context(cfg);
      this.#digester?.recover(ctx);
      const recorder = this.#recorder;
      const correlationId = randomUUID(); // one per folder's pass
      const outcome = await reconcileRoot(
        ctx,
        {
          fileState: this.#d.fileState,
          dirState: this.#d.dirState,
          recorder,
          transaction: this.#d.transaction,
          now: this.#d.now,
        },
        correlationId,
        { onProgress: (n) => onProgress?.(cfg, n) },
      );
      if (!outcome.online) {
        recorder.note(ctx, "root.offline", "error", {
          error: outcome.reason,
          details: { reason: outcome.reason },
          correlationId,
        });
      } else {
        for (const s of outcome.skipped)
          recorder.note(ctx, "file.skipped", "skipped", {
            rel: s.rel,
            details: { reason: s.reason },
            correlationId,
          });
        for (const e of outcome.errors)
          recorder.note(ctx, "file.error", "error", {
            rel: e.rel,
            error: e.error,
            details: { reason: e.error },
            correlationId,
          });
      }
      outcomes.push(outcome);
      onRoot?.(cfg, outcome);
    }
    this.#digester?.flushAll();
    return outcomes;
  }
}
