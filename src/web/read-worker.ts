/**
 * The UI's reads on a worker thread (see reads.ts). This module is both sides: `ReadWorker` on the
 * service's thread, the loop answering requests in the worker. One worker answers one read at a
 * time, in the order asked; if it dies (out of memory, say) the reads in flight fail and the next
 * read starts a new one.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { type ReadInput, type ReadName, type ReadResult, type Reads, runRead } from "./reads.ts";

/** How long a UI read waits for a lock held by another process (the writer never blocks readers in WAL). */
const READ_BUSY_TIMEOUT_MS = 2_000;
/** SQLite's page cache of the worker's connection, in KiB. */
const CACHE_KIB = 16_384;

/** Marks this module's own workers, so loading it in another worker runs nothing. */
const WORKER_MARK = "telegram-logger ui reads";

interface Request {
  id: number;
  name: ReadName;
  input: unknown;
}
interface Answer {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}
interface Pending {
  /** The worker the read was sent to: only its death fails the read. */
  worker: Worker;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** Reads on a worker thread, through a read-only connection to `dbFile`. */
export class ReadWorker implements Reads {
  readonly #dbFile: string;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;

  constructor(dbFile: string) {
    this.#dbFile = dbFile;
  }

  run<N extends ReadName>(name: N, input: ReadInput<N>): Promise<ReadResult<N>> {
    if (this.#closed) return Promise.reject(new Error("the UI's reads are closed"));
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<ReadResult<N>>((resolve, reject) => {
      this.#pending.set(id, { worker, resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, name, input } satisfies Request);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#fail(null, new Error("the UI's reads were closed"));
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { mark: WORKER_MARK, dbFile: this.#dbFile },
    });
    // The service may stop with the worker idle; it must not keep the process alive.
    worker.unref();
    worker.on("message", (answer: Answer) => {
      const pending = this.#pending.get(answer.id);
      if (!pending) return;
      this.#pending.delete(answer.id);
      if (answer.error)
        pending.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      else pending.resolve(answer.result);
    });
    const died = (err: Error) => {
      if (this.#worker === worker) this.#worker = null;
      this.#fail(worker, err);
    };
    worker.on("error", died);
    worker.on("exit", (code) => died(new Error(`the UI's read worker stopped (exit ${code})`)));
    this.#worker = worker;
    return worker;
  }

  /** Rejects the reads sent to `worker` (every read when null). */
  #fail(worker: Worker | null, err: Error): void {
    for (const [id, p] of this.#pending) {
      if (worker !== null && p.worker !== worker) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
  }
}

function serve(dbFile: string): void {
  const port = parentPort;
  if (!port) return;
  const sqlite = new Database(dbFile, { readonly: true, fileMustExist: true, timeout: READ_BUSY_TIMEOUT_MS });
  sqlite.pragma(`cache_size = -${CACHE_KIB}`);
  port.on("message", (request: Request) => {
    let answer: Answer;
    try {
      answer = { id: request.id, result: runRead(sqlite, request.name, request.input as never) };
    } catch (err) {
      answer = {
        id: request.id,
        error: { message: (err as Error).message, code: (err as { code?: string }).code },
      };
    }
    port.postMessage(answer);
  });
}

if (!isMainThread && (workerData as { mark?: string } | null)?.mark === WORKER_MARK) {
  serve((workerData as { dbFile: string }).dbFile);
}
