import type { Reads } from "./reads.ts";

/** What every page's routes get: the reads (run off the service's thread) and the clock. */
export interface PageDeps {
  reads: Reads;
  /** Now, in ms since the epoch (a test's clock in tests). */
  now: () => number;
}
