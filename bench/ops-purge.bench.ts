/**
 * Purging expired messages: the housekeeping task (adaptive chunks, a yield between chunks) against
 * a baseline of one plain DELETE statement, on the same data, in the same run. Prints total time and
 * event-loop delay (perf_hooks.monitorEventLoopDelay) for both, and the ratios.
 * Goal: 1,000,000 expired messages, loop delay p99 < 50 ms, total < 30 s.
 *
 *   node bench/ops-purge.bench.ts [rows=1000000]
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { messageRetentionTask } from "../src/housekeeping/message-retention.ts";
import { silentLogger } from "../src/log.ts";
import { openStore, type Store } from "../src/store/db.ts";
import { RetentionQueries } from "../src/store/retention.ts";

const DAY = 86_400_000;

function fill(store: Store, rows: number, now: number): void {
  const insert = store.sqlite.prepare(
    "INSERT INTO messages (chat_id, message_id, chat_type, sender_id, date, text, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const types = ["user", "supergroup", "group", "self"];
  const text = "an ordinary message of a typical length, ".repeat(3);
  for (let start = 0; start < rows; start += 50_000) {
    store.transaction(() => {
      for (let i = start; i < Math.min(rows, start + 50_000); i++) {
        const type = types[i % types.length]!;
        const chat = type === "supergroup" ? -1000000000000 - (i % 500) : (i % 500) + 1;
        // Messages arrive in time order: dates grow with row ids, as in a real database.
        insert.run(chat, i + 1, type, 7, now - 10 * DAY - (rows - i) * 10, text, now - 10 * DAY);
      }
    });
  }
}

interface Figures {
  seconds: number;
  p99Ms: number;
  maxMs: number;
  deleted: number;
}

async function measure(run: () => Promise<number>): Promise<Figures> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A timer keeps ticking so a blocked loop shows up as delay.
  const ticker = setInterval(() => {}, 1);
  h.enable();
  // The monitor records a delay between two of its ticks: give it a first tick before the run.
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  const deleted = await run();
  const seconds = (performance.now() - t0) / 1000;
  // Let the monitor see the delay of a run that blocked until now.
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(ticker);
  return { seconds, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, deleted };
}

/** Runs the benchmark and prints its figures. */
export async function main(rows = Number(process.argv[2] ?? 1_000_000)): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tl-bench-purge-"));
  try {
    const now = Date.now();
    const fileA = path.join(dir, "a", "db.sqlite");
    const fileB = path.join(dir, "b", "db.sqlite");
    const t0 = performance.now();
    const a = openStore(fileA);
    fill(a, rows, now);
    a.close();
    openStore(fileB).close(); // creates the folder with the right modes
    copyFileSync(fileA, fileB);
    console.log(`filled ${rows} expired messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const days = { user: 1, group: 1, channel: 1, bot: 1 };
    const store = openStore(fileA);
    const task = messageRetentionTask(new RetentionQueries(store), days);
    const ctx = {
      now,
      signal: new AbortController().signal,
      yieldToLoop: () => new Promise<void>((r) => setImmediate(r)),
      stored: async <T>(_what: string, step: () => T) => step(),
      log: silentLogger(),
    };
    const chunked = await measure(async () => (await task.run(ctx)).messages ?? 0);
    store.close();

    const base = openStore(fileB);
    const oneStatement = await measure(async () =>
      base.transaction(
        () => base.sqlite.prepare("DELETE FROM messages WHERE date < ?").run(now - DAY).changes,
      ),
    );
    base.close();

    const row = (name: string, f: Figures) =>
      `${name.padEnd(28)} ${String(f.deleted).padStart(9)} rows  ${f.seconds.toFixed(2).padStart(7)} s  loop p99 ${f.p99Ms.toFixed(1).padStart(7)} ms  max ${f.maxMs.toFixed(1).padStart(8)} ms`;
    console.log(row("housekeeping (chunked)", chunked));
    console.log(row("baseline (one DELETE)", oneStatement));
    console.log(
      `ratios chunked/baseline: time ${(chunked.seconds / oneStatement.seconds).toFixed(2)}x, loop p99 ${(chunked.p99Ms / oneStatement.p99Ms).toFixed(3)}x, max ${(chunked.maxMs / oneStatement.maxMs).toFixed(3)}x`,
    );
    console.log(
      `goal: p99 < 50 ms → ${chunked.p99Ms < 50 ? "met" : "NOT met"}; total < 30 s → ${chunked.seconds < 30 ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
