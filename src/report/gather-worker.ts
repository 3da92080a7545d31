/**
 * Gathers a report in a worker thread, through its own read-only connection, for the service's
 * scheduled posts: a weekly report reads for about a second and a monthly one for five
 * (bench/report.bench.ts), which on the service's event loop would stall ingest and /health.
 * This module is both sides: `gatherInWorker` on the service's thread, the job in the worker.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { openReadOnly } from "../store/read-only.ts";
import { gatherReport, type ReportData } from "./gather.ts";
import { previousPeriod, type ReportPeriod } from "./period.ts";

/** SQLite's page cache of the worker's connection, in KiB: as the `report` command's. */
const CACHE_KIB = 4096;

/** What the worker is asked. */
export interface GatherJob {
  /** The service's database, opened read-only by the worker. */
  dbFile: string;
  /** What the report covers; the period before it is derived. */
  period: ReportPeriod;
  /** Whether days are cut in UTC rather than in the service's zone. */
  utc: boolean;
  /** When the report is made (ms). */
  now: number;
  /** How many chats, errors and the like each list shows. */
  top: number;
}

/** Marks this module's own workers, so loading it in another worker runs nothing. */
const JOB_MARK = "telegram-logger report job";

/**
 * Gathers the report of `job` in a new worker thread and resolves with its figures; rejects with
 * the worker's error (a locked or damaged database, say). The worker ends with the job, or at once
 * when `signal` aborts (the service stopping), which rejects.
 */
export function gatherInWorker(job: GatherJob, signal?: AbortSignal): Promise<ReportData> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error("stopped before the report was gathered"));
      return;
    }
    const worker = new Worker(new URL(import.meta.url), { workerData: { mark: JOB_MARK, job } });
    const stop = () => void worker.terminate();
    signal?.addEventListener("abort", stop, { once: true });
    worker.once("exit", () => signal?.removeEventListener("abort", stop));
    let answered = false;
    worker.once("message", (m: { data?: ReportData; error?: string; code?: string }) => {
      answered = true;
      if (m.data) resolve(m.data);
      else reject(Object.assign(new Error(m.error ?? "report failed"), { code: m.code }));
    });
    worker.once("error", (err) => {
      answered = true;
      reject(err);
    });
    worker.once("exit", (code) => {
      if (!answered) reject(new Error(`the report worker stopped (exit ${code}) before answering`));
    });
  });
}

function runJob(job: GatherJob): ReportData {
  const sqlite = openReadOnly(job.dbFile);
  try {
    sqlite.pragma(`cache_size = -${CACHE_KIB}`);
    return gatherReport(sqlite, job.period, previousPeriod(job.period, job.utc), job.now, { top: job.top });
  } finally {
    sqlite.close();
  }
}

if (!isMainThread && parentPort && (workerData as { mark?: string } | null)?.mark === JOB_MARK) {
  try {
    parentPort.postMessage({ data: runJob((workerData as { job: GatherJob }).job) });
  } catch (err) {
    parentPort.postMessage({ error: (err as Error).message, code: (err as { code?: string }).code });
  }
}
