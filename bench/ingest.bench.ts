/**
 * Ingest throughput (target: ≥ 20,000 messages/s).
 *
 * New messages go through the REAL GramJS dispatch of an offline client (`_handleUpdate` from
 * `telegram/client/updates.js`, exactly what the network layer calls) into the real app started by
 * the test fixture, and on into SQLite. Containers are realistic (see `generateNewMessages`) and are
 * built and round-tripped through TL bytes BEFORE the timed section; the timed section hands them
 * to `_handleUpdate`, then waits for `app.idle()` and counts the rows in SQLite.
 *
 * Two feeding modes:
 * - burst: every container handed over in one go (the queue then drains in batches of 512);
 * - streamed: 50 containers per event-loop turn, as if read from the socket a few at a time
 *   (smaller batches, so more transactions).
 *
 * Baselines measured in the same process, on the same rows:
 * - raw better-sqlite3: a plain prepared `INSERT` into the same `messages` schema (created by
 *   `openStore`), one transaction per 512 rows (the ingest queue's batch size);
 * - GramJS dispatch alone: a `Raw` handler that does nothing, same containers, same client setup
 *   (`session.processEntities` disabled as the app does), so the app's own share is visible.
 *
 * Scale: BENCH_INGEST_MESSAGES [30000], BENCH_INGEST_RUNS [3 rounds]. About 30 s; the parsed
 * containers take ~12 KB each in memory (GramJS objects), so ~600 MB RSS with the defaults.
 */
import { performance } from "node:perf_hooks";
import type { Api, TelegramClient } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import { openStore } from "../src/store/db.ts";
import { startFixture } from "../test/support/app-fixture.ts";
import { createOfflineClient } from "../test/support/fake-telegram.ts";
import { buildWorld, generateNewMessages, updatesIn, viaBytes } from "./data.ts";
import {
  gc,
  makeTempDir,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
  seeded,
  turn,
} from "./support.ts";

const MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES ?? 30_000);
const RUNS = Number(process.env.BENCH_INGEST_RUNS ?? 3);
const STREAM_CHUNK = 50;
const APP_BATCH = 512; // IngestQueue's default maxBatch
const TARGET = 20_000;

type Mode = "burst" | "streamed";

function dispatch(client: TelegramClient, container: Api.TypeUpdates): void {
  _handleUpdate(client, container as unknown as Api.TypeUpdate);
}

async function feed(
  client: TelegramClient,
  containers: readonly Api.TypeUpdates[],
  mode: Mode,
): Promise<void> {
  if (mode === "burst") {
    for (const c of containers) dispatch(client, c);
    return;
  }
  for (let i = 0; i < containers.length; i += STREAM_CHUNK) {
    for (const c of containers.slice(i, i + STREAM_CHUNK)) dispatch(client, c);
    await turn();
  }
}

interface AppRun {
  ms: number;
  rows: number;
  /** `updates.GetDifference`/`GetChannelDifference` calls: the app's catch-up saw a pts gap. */
  catchUps: number;
  /** The stored rows, in insertion order, for the raw baseline (kept from one run only). */
  data?: unknown[][];
}

const COLUMNS =
  "chat_id, message_id, chat_type, sender_id, date, edit_date, text, entities, media, grouped_id, " +
  "reply_to_message_id, forward, outgoing, noforwards, self_destructing, ttl_period, recorded_at";

/** One timed run of the real app on a fresh data folder. */
async function appIngest(
  containers: readonly Api.TypeUpdates[],
  expected: number,
  mode: Mode,
  keep: boolean,
): Promise<AppRun> {
  const dataRoot = makeTempDir("tl-bench-ingest-");
  const f = await startFixture(null, {}, dataRoot);
  try {
    const count = f.app.store.sqlite.prepare("SELECT count(*) AS n FROM messages").pluck();
    gc();
    const t0 = performance.now();
    await feed(f.telegram.client, containers, mode);
    let rows = -1;
    for (;;) {
      await turn(); // dispatch reaches handlers a few microtasks after _handleUpdate returns
      await f.app.idle();
      const now = count.get() as number;
      if (now >= expected || now === rows) {
        rows = now;
        break;
      }
      rows = now;
    }
    const ms = performance.now() - t0;
    const data = keep
      ? (f.app.store.sqlite.prepare(`SELECT ${COLUMNS} FROM messages ORDER BY id`).raw().all() as unknown[][])
      : undefined;
    const catchUps = f.telegram.requests.filter((r) =>
      /^updates\.Get(Channel)?Difference$/.test(r.className),
    ).length;
    return { ms, rows, data, catchUps };
  } finally {
    await f.stop();
    await f.telegram.close();
    removeDir(dataRoot);
  }
}

/** The same containers through GramJS's dispatch into a Raw handler that does nothing. */
async function dispatchOnly(
  containers: readonly Api.TypeUpdates[],
  expected: number,
  mode: Mode,
): Promise<number> {
  const { client, telegram } = createOfflineClient({
    self: { id: 100, firstName: "Owner" },
    primeSelf: true,
  });
  client.session.processEntities = () => {};
  let seen = 0;
  client.addEventHandler(() => {
    seen++;
  }, new Raw({}));
  try {
    gc();
    const t0 = performance.now();
    await feed(client, containers, mode);
    while (seen < expected) await turn();
    return performance.now() - t0;
  } finally {
    await telegram.close();
  }
}

/** The same rows into the same schema with a plain prepared INSERT, 512 rows per transaction. */
function rawInsert(data: readonly unknown[][]): number {
  const dir = makeTempDir("tl-bench-raw-");
  const store = openStore(`${dir}/raw.sqlite`);
  try {
    const marks = COLUMNS.split(",")
      .map(() => "?")
      .join(", ");
    const insert = store.sqlite.prepare(`INSERT INTO messages (${COLUMNS}) VALUES (${marks})`);
    const batch = store.sqlite.transaction((rows: readonly unknown[][]) => {
      for (const r of rows) insert.run(r);
    });
    gc();
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += APP_BATCH) batch.immediate(data.slice(i, i + APP_BATCH));
    return performance.now() - t0;
  } finally {
    store.close();
    removeDir(dir);
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString("en-US");

export async function run(): Promise<void> {
  console.log(`ingest: ${MESSAGES.toLocaleString("en-US")} new messages, ${RUNS} rounds`);
  const world = buildWorld();
  const built = generateNewMessages(world, seeded(1), MESSAGES);
  const containers = built.containers.map(viaBytes); // as the network layer hands them over
  built.containers.length = 0; // only the parsed copies are kept (GramJS objects are ~12 KB each)
  const expected = containers.reduce((n, c) => n + updatesIn(c), 0);
  const mix = new Map<string, number>();
  for (const m of built.messages) mix.set(m.kind, (mix.get(m.kind) ?? 0) + 1);
  gc();
  const kinds = [...mix].map(([k, v]) => `${k} ${((100 * v) / expected).toFixed(0)}%`).join(", ");
  const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
  console.log(`  ${containers.length.toLocaleString("en-US")} containers; ${kinds}; rss ${rss} MiB`);

  // Warm-up (JIT, file cache): a tenth of the containers through the app and the bare dispatch.
  const warm = containers.slice(0, Math.ceil(containers.length / 10));
  const warmExpected = warm.reduce((n, c) => n + updatesIn(c), 0);
  await appIngest(warm, warmExpected, "burst", false);
  await dispatchOnly(warm, warmExpected, "burst");

  // Rounds interleave every variant, so load from elsewhere on the machine hits them alike;
  // ratios are taken per round, then the median.
  const t = { burst: [] as number[], streamed: [] as number[], raw: [] as number[] };
  const d = { burst: [] as number[], streamed: [] as number[] };
  const ratio: number[] = [];
  const share: number[] = [];
  let data: unknown[][] | undefined;
  let allStored = true;
  for (let round = 0; round < RUNS; round++) {
    for (const mode of ["burst", "streamed"] as const) {
      const r = await appIngest(containers, expected, mode, data === undefined);
      data ??= r.data;
      t[mode].push(r.ms);
      if (r.catchUps > 0)
        console.log(`  ! ${mode} round ${round + 1}: ${r.catchUps} catch-up requests (pts gaps)`);
      if (r.rows !== expected) {
        allStored = false;
        console.log(`  ! ${mode} round ${round + 1}: ${r.rows} rows stored, ${expected} messages pushed`);
      }
    }
    t.raw.push(rawInsert(data!));
    for (const mode of ["burst", "streamed"] as const)
      d[mode].push(await dispatchOnly(containers, expected, mode));
    ratio.push(t.raw[round]! / t.burst[round]!);
    share.push(d.burst[round]! / t.burst[round]!);
  }

  const target = `≥ ${TARGET.toLocaleString("en-US")} msg/s`;
  const appRow = (metric: string, xs: number[]): ResultRow[] => [
    {
      metric,
      value: `${rate(expected, median(xs))} msg/s`,
      target,
      met: (expected * 1000) / median(xs) >= TARGET,
    },
    { metric: "  rounds", value: xs.map((x) => rate(expected, x)).join(" / ") },
  ];
  const rows: ResultRow[] = [
    ...appRow("app ingest, burst", t.burst),
    ...appRow(`app ingest, streamed ${STREAM_CHUNK} containers/turn`, t.streamed),
    {
      metric: "rows stored = messages pushed",
      value: allStored ? `${expected} = ${expected}` : "NO",
      met: allStored,
    },
    {
      metric: `raw better-sqlite3 INSERT, ${APP_BATCH}/txn`,
      value: `${rate(expected, median(t.raw))} msg/s`,
    },
    { metric: "  app burst / raw", value: `${(median(ratio) * 100).toFixed(1)} %` },
    { metric: "GramJS dispatch alone, burst", value: `${rate(expected, median(d.burst))} msg/s` },
    { metric: "GramJS dispatch alone, streamed", value: `${rate(expected, median(d.streamed))} msg/s` },
    { metric: "  dispatch share of app time (burst)", value: `${(median(share) * 100).toFixed(1)} %` },
    {
      metric: "  app without dispatch (burst)",
      value: `${rate(expected, median(t.burst) - median(d.burst))} msg/s`,
    },
  ];
  printTable(
    `Ingest throughput (${expected.toLocaleString("en-US")} messages, median of ${RUNS} rounds)`,
    rows,
  );

  reportTarget({
    bench: "ingest",
    target: `${target} through real dispatch into the store`,
    figure: `${rate(expected, median(t.burst))} msg/s burst, ${rate(expected, median(t.streamed))} msg/s streamed; raw SQL ${rate(expected, median(t.raw))} msg/s; rows ${allStored ? "all stored" : "MISSING"}`,
    met: (expected * 1000) / median(t.burst) >= TARGET && allStored,
  });
}
