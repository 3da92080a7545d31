/**
 * /health while the database is busy (target: a health probe never hangs; it answers within 1 s
 * even when the database is busy). A health probe that hangs gets a healthy service restarted
 * by Docker or systemd, so the probe's worst case counts, not its median.
 *
 * The real service (`src/main.ts run`, production flags, file audit alone on a 1,000-file folder)
 * is probed with GET /health every 50 ms, one probe at a time and without a client timeout, while
 * a writer creates or modifies a few files per second in the watched folder, so the service has
 * writes to make. Two phases in the same run:
 * - baseline (10 s): nothing else touches the database;
 * - busy (20 s): this process holds the database's write lock from its own connection
 *   (`BEGIN IMMEDIATE`, 4 s, `COMMIT`, 50 ms free, again), as another writer (`scan`, `report`, a
 *   backup) would. Holding the lock does not block this process's event loop, so probing goes on;
 *   the lock is taken without waiting (busy timeout 0, retried), so the probes' clock is never
 *   stopped by this process.
 * Then the lock is released and every file change made in the run must reach `events` (lost = 0).
 *
 *   node bench/run.ts health-busy
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { loadConfig } from "../src/config.ts";
import {
  makeTempDir,
  ms,
  PRODUCTION_ENV,
  PRODUCTION_V8_FLAGS,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
  type Stats,
  stats,
  waitForHttpPort,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const FILES = 1000;
const BASELINE_MS = 10_000;
const BUSY_MS = 20_000;
const PROBE_EVERY_MS = 50;
const HOLD_MS = 4000;
const FREE_MS = 50;
/** One file change every 250 ms: a few per second. */
const CHANGE_EVERY_MS = 250;
/**
 * How long the service may take, once the lock is free, to record what it missed: a failed write
 * is retried after a pause that doubles up to 60 s (src/fswatch/root-auditor.ts), so twice that.
 */
const CATCH_UP_MS = 120_000;
const TARGET_MS = 1000;

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Probes {
  latencies: number[];
  /** HTTP status (or "failed" when no answer came) → how many. */
  answers: Map<string, number>;
}

/** Probes `url` one at a time, every `PROBE_EVERY_MS`, until `until` (performance.now()). */
async function probe(url: string, until: number): Promise<Probes> {
  const result: Probes = { latencies: [], answers: new Map() };
  while (performance.now() < until) {
    const sent = performance.now();
    const status = await fetch(url)
      .then(async (r) => {
        await r.text();
        return String(r.status);
      })
      .catch(() => "failed");
    const took = performance.now() - sent;
    result.latencies.push(took);
    result.answers.set(status, (result.answers.get(status) ?? 0) + 1);
    await sleep(Math.max(0, PROBE_EVERY_MS - took));
  }
  return result;
}

/** Creates a new file or modifies one of the original files (never the same one twice) every `CHANGE_EVERY_MS`. */
function startChanges(folder: string): { created: string[]; modified: string[]; stop(): void } {
  const created: string[] = [];
  const modified: string[] = [];
  const timer = setInterval(() => {
    if ((created.length + modified.length) % 2 === 0) {
      const file = path.join(folder, `new-${created.length}.txt`);
      writeFileSync(file, `created during the run ${created.length}\n`);
      created.push(file);
    } else {
      const file = path.join(folder, `file-${modified.length}.txt`);
      appendFileSync(file, `modified during the run\n`);
      modified.push(file);
    }
  }, CHANGE_EVERY_MS);
  return { created, modified, stop: () => clearInterval(timer) };
}

/** Holds the write lock of `db` for `HOLD_MS`, frees it for `FREE_MS`, again, until `until`. */
async function holdWriteLock(
  db: Database.Database,
  until: number,
): Promise<{ holds: number; heldMs: number }> {
  let holds = 0;
  let heldMs = 0;
  while (performance.now() < until) {
    // busy timeout 0: a busy database answers at once, and this process retries without blocking.
    for (;;) {
      try {
        db.exec("BEGIN IMMEDIATE");
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
        await sleep(2);
      }
    }
    const from = performance.now();
    await sleep(Math.min(HOLD_MS, Math.max(0, until - from)));
    db.exec("COMMIT");
    holds++;
    heldMs += performance.now() - from;
    await sleep(FREE_MS);
  }
  return { holds, heldMs };
}

/** How many of `paths` have a successful `type` event. */
function recorded(db: Database.Database, type: string, paths: readonly string[]): number {
  const row = db
    .prepare(
      "select count(distinct path) as n from events where type = ? and status = 'success' and path in (select value from json_each(?))",
    )
    .get(type, JSON.stringify(paths)) as { n: number };
  return row.n;
}

/** Waits (up to `CATCH_UP_MS`) until every change made has its event; what was found, and when. */
async function awaitRecorded(
  db: Database.Database,
  changes: { created: string[]; modified: string[] },
): Promise<{ found: { created: number; modified: number }; caughtUpMs: number }> {
  const from = performance.now();
  let found = { created: 0, modified: 0 };
  while (performance.now() - from < CATCH_UP_MS) {
    found = {
      created: recorded(db, "file.created", changes.created),
      modified: recorded(db, "file.modified", changes.modified),
    };
    if (found.created === changes.created.length && found.modified === changes.modified.length) break;
    await sleep(100);
  }
  return { found, caughtUpMs: performance.now() - from };
}

function phaseRows(name: string, p: Probes, s: Stats): ResultRow[] {
  const answers = [...p.answers].map(([status, n]) => `${n}× ${status}`).join(", ");
  const slow = p.latencies.filter((t) => t >= TARGET_MS);
  const slowSecs = slow.reduce((a, t) => a + t, 0) / 1000;
  return [
    { metric: `${name}: probes`, value: `${s.n} (${answers})` },
    { metric: `${name}: p50 / p99 / max`, value: `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}` },
    {
      metric: `${name}: probes ≥ ${ms(TARGET_MS)}`,
      value: `${slow.length} (${slowSecs.toFixed(1)} s waited)`,
    },
  ];
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const dir = makeTempDir("tl-bench-health-busy-");
  let service: ReturnType<typeof spawn> | undefined;
  let db: Database.Database | undefined;
  try {
    const folder = path.join(dir, "watched");
    mkdirSync(folder);
    for (let i = 0; i < FILES; i++)
      writeFileSync(path.join(folder, `file-${i}.txt`), `file ${i}\n`.repeat(20));
    const watchConfig = path.join(dir, "watch.json");
    writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: folder, project: "busy" }] }));
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: watchConfig, HEALTH_PORT: "0" };
    const dbFile = loadConfig(env).dbFile;
    const warnings = new Map<string, number>(); // "message: error" → how many times logged
    service = spawn(process.execPath, [...PRODUCTION_V8_FLAGS, MAIN, "run"], {
      env: { PATH: process.env.PATH ?? "", ...PRODUCTION_ENV, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await waitForHttpPort(service, (line) => {
      if (!line.startsWith("{")) return;
      const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
      if (entry.level < 40) return;
      const what = `${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""}`;
      warnings.set(what, (warnings.get(what) ?? 0) + 1);
    });
    const url = `http://127.0.0.1:${port}/health`;
    while ((await fetch(url).catch(() => null))?.status !== 200) await sleep(10);
    await sleep(3000); // the first start's baseline scan of the folder settles

    const changes = startChanges(folder);
    const baseline = await probe(url, performance.now() + BASELINE_MS);
    db = new Database(dbFile, { timeout: 0 });
    const busyUntil = performance.now() + BUSY_MS;
    const [busy, lock] = await Promise.all([probe(url, busyUntil), holdWriteLock(db, busyUntil)]);
    changes.stop();

    const { found, caughtUpMs } = await awaitRecorded(db, changes);
    const want = { created: changes.created.length, modified: changes.modified.length };
    const lost = want.created - found.created + want.modified - found.modified;

    const b = stats(baseline.latencies);
    const s = stats(busy.latencies);
    const met = s.max < TARGET_MS;
    printTable(
      `GET /health every ${PROBE_EVERY_MS} ms, file audit of ${FILES} files, a change every ${CHANGE_EVERY_MS} ms`,
      [
        ...phaseRows(`baseline (${BASELINE_MS / 1000} s)`, baseline, b),
        ...phaseRows(`busy (${BUSY_MS / 1000} s)`, busy, s),
        {
          metric: "busy: write lock held",
          value: `${(lock.heldMs / 1000).toFixed(1)} s in ${lock.holds} holds of ≤ ${HOLD_MS / 1000} s`,
        },
        { metric: "max busy / max baseline", value: `${(s.max / b.max).toFixed(1)}x` },
        { metric: "max latency while busy", value: ms(s.max), target: `< ${ms(TARGET_MS)}`, met },
        {
          metric: "file changes recorded",
          value: `${found.created}/${want.created} created, ${found.modified}/${want.modified} modified (${(caughtUpMs / 1000).toFixed(1)} s after the lock was freed)`,
        },
        {
          metric: `file changes lost (not recorded within ${CATCH_UP_MS / 1000} s)`,
          value: String(lost),
          target: "0",
          met: lost === 0,
        },
      ],
    );
    if (warnings.size === 0) console.log("  the service logged no warning or error");
    for (const [what, n] of warnings) console.log(`  the service logged ${n}× "${what}"`);
    console.log(`\ntarget: max < ${TARGET_MS} ms while busy: ${met ? "met" : "not met"} (max ${ms(s.max)})`);
    reportTarget({
      bench: "health-busy",
      target: `/health max < ${TARGET_MS} ms while the database is busy`,
      figure: `max ${ms(s.max)} (baseline max ${ms(b.max)})`,
      met,
    });
    reportTarget({
      bench: "health-busy",
      target: "no file change lost to a busy database",
      figure: `${lost} lost`,
      met: lost === 0,
    });
  } finally {
    if (db?.inTransaction) db.exec("COMMIT");
    db?.close();
    if (service && service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((r) => service!.once("exit", r));
      service.kill("SIGTERM");
      await exited;
    }
    removeDir(dir);
  }
}
