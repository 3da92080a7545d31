/**
 * What one housekeeping step is. The loop runs a list of tasks in order;
 * `src/app/housekeeping-part.ts` decides the list (report posts, retention, media purges, the
 * measure of kept media), so housekeeping itself knows no part of the service.
 */
import type { Logger } from "pino";

/** What a task gets for one run. */
export interface TaskContext {
  /** The run's start time (ms); cutoffs are computed from it. */
  now: number;
  /** Aborted when the service stops: finish the current chunk and return. */
  signal: AbortSignal;
  /** Lets other work run (ingest, health probes); call between chunks. */
  yieldToLoop(): Promise<void>;
  /**
   * Runs a storage step that must happen exactly once even when storage fails for a moment (a lock
   * held by another process, a full disk): it is waited out and retried. A task is otherwise
   * simply run again from the start, so only steps that must not repeat need this.
   */
  stored<T>(what: string, step: () => T): Promise<T>;
  log: Logger;
}

/** Counts of what a task removed or measured, e.g. `{ messages: 10, revisions: 3 }`. */
export type TaskCounts = Record<string, number>;

/** One step of a housekeeping run. */
export interface HousekeepingTask {
  /** Short name, used in logs and as a key of the run's details. */
  readonly name: string;
  run(ctx: TaskContext): Promise<TaskCounts>;
}
