/**
 * When the CRM database (crm-export.ts) is brought up to date in the running service: at start
 * (changes recorded while it was down, or while the CRM held its file), shortly after the file
 * audit records changes, and at stop. A failed copy is tried again with the pause every storage
 * step uses; the rows wait in the service's own database meanwhile, so nothing is lost.
 */
import { setImmediate as turn } from "node:timers/promises";
import type { Logger } from "pino";
import type { Clock } from "../../clock.ts";
import { untilStored } from "../../store/storage-retry.ts";
import type { CrmExport } from "./crm-export.ts";

/** How long after a recorded change the CRM database is updated: changes come in bursts. */
const CRM_EXPORT_DELAY_MS = 250;
/** When a copy fails for a reason other than storage (the file was made unusable), the next try. */
const BROKEN_RETRY_MS = 60_000;

/** Runs a `CrmExport`; every call comes from the service's one thread. */
export class CrmExportLoop {
  readonly #export: CrmExport;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(exp: CrmExport, clock: Clock, log: Logger) {
    this.#export = exp;
    this.#clock = clock;
    this.#log = log;
  }

  /** Brings the CRM database up to date now (in the background). */
  start(): void {
    this.#run();
  }

  /** File changes were recorded: the CRM database is updated shortly. */
  changed(): void {
    if (this.#stopping.signal.aborted || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, CRM_EXPORT_DELAY_MS);
  }

  #run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#copyAll().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopping.signal.aborted) {
        this.#again = false;
        this.#run();
      }
    });
  }

  async #copyAll(): Promise<void> {
    try {
      const retry = { clock: this.#clock, signal: this.#stopping.signal, log: this.#log };
      while (
        await untilStored("copying file changes to the CRM database", () => this.#export.copyBatch(), retry)
      ) {
        await turn(); // a long backlog goes a batch per turn of the event loop
      }
    } catch (err) {
      if (this.#stopping.signal.aborted) return;
      this.#log.error(
        { err, file: this.#export.file },
        "file changes could not be copied to the CRM database",
      );
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#run();
      }, BROKEN_RETRY_MS);
    }
  }

  /** Closes the CRM database without copying (the service did not start). */
  abandon(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopping.abort();
    this.#export.close();
  }

  /** Copies what is left (one try when storage still fails) and closes the CRM database. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopping.abort();
    await this.#running;
    try {
      while (this.#export.copyBatch()) {}
    } catch (err) {
      this.#log.warn(
        { err, file: this.#export.file },
        "file changes not yet in the CRM database are copied at the next start",
      );
    }
    this.#export.close();
  }
}
