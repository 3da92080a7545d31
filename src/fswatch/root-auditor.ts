/**
 * The file audit of one watched root. Watcher events are hints: each touched path waits until it
 * has been quiet for the settle window (watch/hint-settler.ts), then is examined
 * (watch/hint-examiner.ts). A burst of hints (more than the kernel queue can be trusted with)
 * switches the root to one reconcile pass once the burst is over, which also finds what the watcher
 * lost. A root that cannot be reached is offline until it is back. All work on a root runs in one
 * serial queue, so hints and scans never race on the snapshot; each task gets its own correlation
 * id, passed down to every row it writes.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Logger } from "pino";
import type { DirStateStore } from "../store/dir-state.ts";
import type { FileStateStore } from "../store/file-state.ts";
import { storageRetryPolicy } from "../store/storage-retry.ts";
import type { RootContext } from "./change.ts";
import { type ReconcileOutcome, reconcileRoot } from "./reconcile/reconcile.ts";
import { checkRoot } from "./reconcile/root-check.ts";
import type { Recorder } from "./recorder.ts";
import { HintExaminer } from "./watch/hint-examiner.ts";
import { HintSettler } from "./watch/hint-settler.ts";
import type { RootWatcher } from "./watch/root-watcher.ts";
import { watchRoot } from "./watch/watch-root.ts";

const MAX_OFFLINE_CHECK_MS = 5000;

/** Where a root stands. */
export type RootState = "starting" | "watching" | "scheduled-scans" | "fallback" | "offline" | "stopped";

/** A root's status, for health and the `scan` command. */
export interface RootStatus {
  root: string;
  project: string;
  state: RootState;
  lastScanAt: number | null;
  lastError: string | null;
}

/** What an auditor needs. */
export interface RootAuditorDeps {
  fileState: FileStateStore;
  dirState: DirStateStore;
  recorder: Recorder;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
  log: Logger;
  settleMs: number;
  renameWindowMs: number;
}

/** The longest pause before the reconcile pass that follows a failed task (the first is 1 s). */
const MAX_FAILURE_PAUSE_MS = 60_000;

/** Audits one root until stopped. */
export class RootAuditor {
  readonly ctx: RootContext;
  readonly #d: RootAuditorDeps;
  #state: RootState = "starting";
  #watcher: RootWatcher | undefined;
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  readonly #hints: HintSettler;
  readonly #examiner: HintExaminer;
  #pollTimer: NodeJS.Timeout | undefined;
  readonly #fellBack = Promise.withResolvers<void>();
  #offlineTimer: NodeJS.Timeout | undefined;
  #errorScanTimer: NodeJS.Timeout | undefined;
  readonly #reported = new Set<string>();
  #lastScanAt: number | null = null;
  #lastError: string | null = null;
  readonly #failures = storageRetryPolicy(MAX_FAILURE_PAUSE_MS);

  constructor(ctx: RootContext, deps: RootAuditorDeps) {
    this.ctx = ctx;
    this.#d = deps;
    this.#hints = new HintSettler({
      now: deps.now,
      settleMs: deps.settleMs,
      // While a step is failing, writing each change would meet the same lock (and hold the event
      // loop each time); the pass that follows the failure records them all.
      settled: (batch) =>
        this.#enqueue(async (correlationId) => {
          if (!this.#failing) await this.#examiner.examine(batch, correlationId);
        }),
      burstOver: (seenAt) => this.#reconcile("burst", seenAt),
    });
    this.#examiner = new HintExaminer(
      { ...deps, ctx },
      {
        verifyOnline: (correlationId) => this.#verifyOnline(correlationId),
        note: (rel, type, status, problem, correlationId) =>
          this.#noteOnce(rel, type, status, problem, correlationId),
        rehint: (rel, seenAt) => this.#hints.rehint(rel, seenAt),
        enqueue: (task) => this.#enqueue(task),
        rescan: (seenAt) => this.#reconcile("folder took a known name", seenAt),
      },
    );
  }

  get root(): string {
    return this.ctx.cfg.path;
  }

  /** Starts watching (unless the root is a network share), then reconciles once. */
  async start(): Promise<void> {
    const check = await checkRoot(this.root, this.#d.fileState.getRoot(this.root)?.mountPoint ?? false);
    if (!check.online) {
      this.#goOffline(check.reason, null);
      return;
    }
    await this.#startWatching();
    this.#reconcile("start");
  }

  /** True when nothing is pending now (scheduled scans and offline checks do not count). */
  get settled(): boolean {
    return this.#hints.size === 0 && this.#examiner.waiting === 0 && this.#queued === 0;
  }

  status(): RootStatus {
    return {
      root: this.root,
      project: this.ctx.cfg.project,
      state: this.#state,
      lastScanAt: this.#lastScanAt,
      lastError: this.#lastError,
    };
  }

  /** Queues a reconcile pass now (used by `scan`-like requests and tests). */
  rescan(reason: string): void {
    this.#reconcile(reason);
  }

  /** Stops watching and timers; waits for work in flight. */
  async stop(): Promise<void> {
    this.#state = "stopped";
    this.#clearTimers();
    const w = this.#watcher;
    this.#watcher = undefined;
    await w?.close();
    await this.#chain;
  }

  /** Stops every timer; pending hints go with the settle timer. */
  #clearTimers(): void {
    this.#hints.clear();
    this.#examiner.clear();
    for (const t of [this.#pollTimer, this.#offlineTimer, this.#errorScanTimer]) clearTimeout(t);
    this.#pollTimer = this.#offlineTimer = this.#errorScanTimer = undefined;
  }

  async #startWatching(): Promise<void> {
    if (this.ctx.cfg.network) {
      this.#state = "scheduled-scans";
      return;
    }
    const w = watchRoot(
      this.ctx.cfg.watcher,
      this.root,
      (abs) => this.ctx.filter.excludesDir(this.#rel(abs)),
      {
        hint: (abs, kind) => this.#hint(abs, kind),
        error: (err) => {
          // Recording the problem may fail too (storage): that must not escape into the
          // watcher's event emitter and end the process.
          try {
            this.#watchError(err);
          } catch (failure) {
            this.#failed(failure, "could not record a watcher error; a reconcile pass follows");
          }
        },
      },
    );
    this.#watcher = w;
    // chokidar never gets ready once the watch limit stopped it: the fallback ends the wait.
    await Promise.race([w.ready, this.#fellBack.promise]);
    if (this.#state === "starting") this.#state = "watching";
  }

  #rel(abs: string): string {
    return path.relative(this.root, abs).split(path.sep).join("/");
  }

  /** Runs `task` after the root's earlier tasks, with a new id for every row it writes. */
  #enqueue(task: (correlationId: string) => Promise<void>): void {
    this.#queued++;
    this.#chain = this.#chain
      .then(async () => {
        if (this.#state === "stopped") return;
        await task(randomUUID());
      })
      .catch((err: unknown) => this.#failed(err, "file audit task failed; a reconcile pass follows"))
      .finally(() => {
        this.#queued--;
      });
  }

  /**
   * A step failed (a locked database, a full disk, ...). Whatever it missed — a change not written,
   * a pass cut short — the next pass finds: it comes soon, then less often while failures go on.
   */
  #failed(err: unknown, message: string): void {
    this.#lastError = (err as Error).message;
    const retryInMs = this.#failures.logFailure(
      this.#d.log,
      err,
      message,
      { root: this.root },
      this.ctx.cfg.pollIntervalMs,
    );
    this.#schedulePoll(retryInMs);
  }

  #hint(abs: string, kind: "file" | "dir"): void {
    if (this.#state === "stopped" || this.#state === "offline") return;
    const rel = this.#rel(abs);
    if (rel === "" || rel.startsWith("..")) {
      if (kind === "dir")
        this.#enqueue(async (correlationId) => void (await this.#verifyOnline(correlationId)));
      return;
    }
    // A folder is looked at too: it may be a renamed one (its files arrive as hints of their own).
    if (kind === "dir" && this.ctx.filter.excludesDir(rel)) return;
    this.#hints.hint(rel);
  }

  async #verifyOnline(correlationId: string): Promise<boolean> {
    const check = await checkRoot(this.root, this.#d.fileState.getRoot(this.root)?.mountPoint ?? false);
    if (!check.online) this.#goOffline(check.reason, correlationId);
    return check.online;
  }

  /** Whether a step failed and no pass has succeeded since. */
  get #failing(): boolean {
    return this.#failures.failing;
  }

  #reconcile(reason: string, seenAt?: Map<string, number>): void {
    this.#enqueue(async (correlationId) => {
      // An empty write transaction first: a database still locked should not cost a walk of the tree.
      if (this.#failing) this.#d.transaction(() => {});
      const outcome = await reconcileRoot(this.ctx, this.#d, correlationId, { seenAt });
      this.#afterScan(reason, outcome, correlationId);
    });
  }

  #afterScan(reason: string, outcome: ReconcileOutcome, correlationId: string): void {
    if (!outcome.online) {
      this.#goOffline(outcome.reason, correlationId);
      return;
    }
    this.#lastScanAt = this.#d.now();
    this.#failures.succeeded();
    for (const s of outcome.skipped)
      this.#noteOnce(s.rel, "file.skipped", "skipped", s.reason, correlationId);
    for (const e of outcome.errors) this.#noteOnce(e.rel, "file.error", "error", e.error, correlationId);
    for (const rel of outcome.retry) this.#hints.rehint(rel, this.#d.now());
    this.#d.log.info(
      {
        root: this.root,
        reason,
        files: outcome.files,
        ...outcome.counts,
        baseline: outcome.baseline,
        ms: outcome.durationMs,
        correlationId,
      },
      "reconciled",
    );
    this.#schedulePoll();
  }

  #schedulePoll(delayMs = this.ctx.cfg.pollIntervalMs): void {
    clearTimeout(this.#pollTimer);
    if (this.#state === "stopped" || this.#state === "offline") return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      this.#reconcile("schedule");
    }, delayMs);
    this.#pollTimer.unref();
  }

  /**
   * Records each (path, kind of problem) once per run, so a scheduled scan does not repeat it
   * forever, and the watcher's EACCES and the scan's EACCES on one folder are one event.
   */
  #noteOnce(
    rel: string,
    type: string,
    status: "skipped" | "error" | "warning",
    problem: string,
    correlationId: string | null,
  ): void {
    const key = `${type}\0${rel}\0${problem.split(":")[0]}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    if (status === "error") this.#lastError = `${rel}: ${problem}`;
    this.#d.recorder.note(this.ctx, type, status, {
      rel,
      error: status === "error" ? problem : undefined,
      details: { reason: problem },
      correlationId,
    });
  }

  #watchError(err: NodeJS.ErrnoException): void {
    if (this.#state === "stopped" || this.#state === "offline") return;
    this.#d.log.warn({ root: this.root, code: err.code, err: err.message }, "watcher error");
    if (err.code === "ENOSPC" || err.code === "EMFILE") {
      if (this.#state !== "fallback") {
        this.#state = "fallback";
        this.#fellBack.resolve();
        this.#lastError = `watch limit reached (${err.code})`;
        const w = this.#watcher;
        this.#watcher = undefined;
        void w?.close();
        this.#d.recorder.note(this.ctx, "watch.fallback", "warning", {
          error: err.message,
          details: {
            reason: `the system's file-watch limit is reached (${err.code}): this folder falls back to scheduled scans`,
            pollIntervalSec: this.ctx.cfg.pollIntervalMs / 1000,
          },
        });
      }
    } else if (err.code === "EACCES" || err.code === "EPERM") {
      const p = (err as { path?: string }).path;
      this.#noteOnce(p ? this.#rel(p) : "", "file.error", "error", err.message, null);
    } else {
      this.#noteOnce("", "watch.error", "error", `${err.code ?? "error"}: ${err.message}`, null);
    }
    // Whatever went wrong, the snapshot comparison finds what the watcher may have missed.
    clearTimeout(this.#errorScanTimer);
    this.#errorScanTimer = setTimeout(() => {
      this.#errorScanTimer = undefined;
      this.#reconcile(`watcher error ${err.code ?? ""}`.trim());
    }, this.#d.settleMs);
  }

  #goOffline(reason: string, correlationId: string | null): void {
    if (this.#state === "offline" || this.#state === "stopped") return;
    this.#state = "offline";
    this.#lastError = `offline: ${reason}`;
    this.#clearTimers();
    const w = this.#watcher;
    this.#watcher = undefined;
    void w?.close();
    this.#d.fileState.saveRoot(this.root, { status: "offline" }, this.#d.now());
    this.#d.recorder.note(this.ctx, "root.offline", "error", {
      error: reason,
      details: { reason },
      correlationId,
    });
    this.#d.log.warn({ root: this.root, reason }, "watched folder offline");
    this.#scheduleOfflineCheck();
  }

  #scheduleOfflineCheck(): void {
    const every = Math.min(this.ctx.cfg.pollIntervalMs, MAX_OFFLINE_CHECK_MS);
    this.#offlineTimer = setTimeout(() => {
      this.#offlineTimer = undefined;
      void this.#checkBack();
    }, every);
  }

  async #checkBack(): Promise<void> {
    if (this.#state !== "offline") return;
    const check = await checkRoot(this.root, this.#d.fileState.getRoot(this.root)?.mountPoint ?? false);
    if (this.#state !== "offline") return;
    if (!check.online) {
      this.#scheduleOfflineCheck();
      return;
    }
    this.#state = "starting";
    this.#lastError = null;
    this.#d.recorder.note(this.ctx, "root.online", "success", {
      details: { reason: "folder reachable again" },
    });
    this.#d.log.info({ root: this.root }, "watched folder back online");
    await this.#startWatching();
    this.#reconcile("back online");
  }
}
