/**
 * The housekeeping loop: at start and then every `HOUSEKEEPING_INTERVAL_SECS`, runs each task in
 * order. Every run is recorded as one `events` row (`housekeeping.run`, with the counts per task,
 * the duration and a correlation id), counted in metrics, and — when every task succeeded — moves
 * the heartbeat /health checks (`last_housekeeping_at`). A task cut short by a storage failure (a
 * lock held by another process, a full disk) is run again after a pause; any other failure is
 * logged (which /health sees as an error) and does not stop the others.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { EventStore } from "../store/events.ts";
import { untilStored } from "../store/storage-retry.ts";
import type { HousekeepingTask, TaskCounts } from "./task.ts";

/** What a run did. */
export interface RunResult {
  status: "success" | "error";
  startedAt: number;
  durationMs: number;
  counts: Record<string, TaskCounts>;
  errors: Record<string, string>;
  correlationId: string;
}

/** Everything the loop needs. */
export interface HousekeeperDeps {
  tasks: readonly HousekeepingTask[];
  events: EventStore;
  clock: Clock;
  intervalMs: number;
  log: Logger;
  /** Told after every run (metrics). */
  onRun?: (result: RunResult) => void;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the tasks periodically. */
export class Housekeeper {
  readonly #d: HousekeeperDeps;
  readonly #stop = new AbortController();
  #lastSuccessAt: number | null = null;
  #lastRun: RunResult | null = null;
  #current: Promise<RunResult> | null = null;
  #loop: Promise<void> | null = null;

  constructor(deps: HousekeeperDeps) {
    this.#d = deps;
  }

  /** When a run last completed without error (the heartbeat), or null. */
  get lastSuccessAt(): number | null {
    return this.#lastSuccessAt;
  }

  get lastRun(): RunResult | null {
    return this.#lastRun;
  }

  /** Starts the loop: a first run now, then one every interval. */
  start(): void {
    this.#loop ??= (async () => {
      while (!this.#stop.signal.aborted) {
        await this.runNow();
        await this.#d.clock.sleep(this.#d.intervalMs, this.#stop.signal);
      }
    })();
  }

  /** Runs once now (or joins the run in progress). */
  runNow(): Promise<RunResult> {
    this.#current ??= this.#run().finally(() => {
      this.#current = null;
    });
    return this.#current;
  }

  /** Stops the loop; a run in progress stops after its current chunk. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#current?.catch(() => {});
    await this.#loop;
  }

  async #run(): Promise<RunResult> {
    const { clock, events, log } = this.#d;
    const startedAt = clock.now();
    const started = performance.now();
    const correlationId = randomUUID();
    const runLog = log.child({ correlationId });
    const counts: Record<string, TaskCounts> = {};
    const errors: Record<string, string> = {};
    const retry = { clock, signal: this.#stop.signal, log: runLog };
    for (const task of this.#d.tasks) {
      if (this.#stop.signal.aborted) break;
      try {
        // Tasks only remove what has expired, so one cut short by a storage failure is run again.
        counts[task.name] = await untilStored(
          `housekeeping task ${task.name}`,
          () =>
            task.run({
              now: startedAt,
              signal: this.#stop.signal,
              yieldToLoop,
              stored: (what, step) => untilStored(what, step, retry),
              log: runLog,
            }),
          retry,
        );
      } catch (err) {
        errors[task.name] = err instanceof Error ? err.message : String(err);
        runLog.error({ err, task: task.name }, "housekeeping task failed");
      }
    }
    const durationMs = Math.round(performance.now() - started);
    const status = Object.keys(errors).length === 0 ? "success" : "error";
    const result: RunResult = { status, startedAt, durationMs, counts, errors, correlationId };
    try {
      await untilStored(
        "recording the housekeeping run",
        () =>
          events.record(
            {
              source: "system",
              type: "housekeeping.run",
              status,
              occurredAt: startedAt,
              details: { counts, ...(status === "error" ? { errors } : {}) },
              error: status === "error" ? Object.keys(errors).join(", ") : null,
              durationMs,
              correlationId,
            },
            clock.now(),
          ),
        retry,
      );
    } catch (err) {
      if (!this.#stop.signal.aborted) runLog.error({ err }, "could not record the housekeeping run");
    }
    if (status === "success" && !this.#stop.signal.aborted) this.#lastSuccessAt = clock.now();
    this.#lastRun = result;
    this.#d.onRun?.(result);
    runLog.info({ status, durationMs, counts }, "housekeeping run");
    return result;
  }
}

/** Per-task counts summed by key: `{messages: {messages: 3}, events: {events: 2}}` → `{messages: 3, events: 2}`. */
export function totalCounts(counts: Record<string, TaskCounts>): TaskCounts {
  const out: TaskCounts = {};
  for (const c of Object.values(counts)) for (const [k, n] of Object.entries(c)) out[k] = (out[k] ?? 0) + n;
  return out;
}
