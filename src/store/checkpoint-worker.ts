/**
 * The WAL checkpointer, run in a worker thread with its own connection. SQLite's automatic
 * checkpoint runs inside whichever commit crosses the threshold, on the event loop, fsync
 * included: that one commit (say, a deletion) then takes milliseconds. Here the copy back into the
 * database happens off the event loop, PASSIVE so it never blocks the writer.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");

const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or closing: the next tick tries again; the writer's safety-net checkpoint remains.
  }
}, intervalMs);

// The owner terminates this thread when it closes the database.
parentPort?.unref();
void timer;
