/**
 * Deletion → its post queued (target: p99 < 1 ms with 1,000,000 messages stored).
 *
 * The database is filled with 1,000,000 message rows (direct SQL into the schema `openStore`
 * creates; private chats, basic groups, supergroups and channels, in time order), then:
 *
 * 1. capture (the target's figure): the real app is started on that database (test fixture,
 *    offline Telegram) and its own `Capture` instance, as `startApp` wired it, is used directly:
 *    per deletion, the time of `capture.processBatch([update])`: lookup + mark + event + outbox
 *    row in one transaction. The timed loop is synchronous, so the feed sender cannot run during
 *    it (it is effectively paused). Half id-only deletions (`UpdateDeleteMessages`: private chats
 *    and basic groups), half channel deletions, in random order, after a warm-up of 200.
 * 2. what-if: the same with SQLite's automatic WAL checkpoint off, to show what the tail is made of.
 * 3. baselines, same ids, same database, better-sqlite3 prepared statements, one transaction per
 *    deletion: the indexed SELECT (as the app looks up) + UPDATE; and the same plus the two
 *    INSERTs the app also writes (event, outbox row): the SQL floor of what capture does.
 * 4. end to end through the same app (informational): the container handed to GramJS's
 *    `_handleUpdate` until its outbox row is visible (polled every event-loop turn), with the feed
 *    sender running and the app idle between deletions.
 *
 * Scale (defaults in brackets): BENCH_DELETE_ROWS [1000000], BENCH_DELETIONS [3000],
 * BENCH_E2E_DELETIONS [1000]. About 25 s and 300 MB of disk with the defaults.
 */
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import bigInt from "big-integer";
import { Api } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import { loadConfig } from "../src/config.ts";
import type { Store } from "../src/store/db.ts";
import { MessageStore } from "../src/store/messages.ts";
import { Capture } from "../src/telegram/capture.ts";
import { type AppFixture, fixtureEnv, startFixture } from "../test/support/app-fixture.ts";
import { createOfflineClient } from "../test/support/fake-telegram.ts";
import { updates } from "../test/support/tl-factory.ts";
import { buildWorld, fillMessages, type Target } from "./data.ts";
import type { ResultRow, Stats } from "./support.ts";
import {
  gc,
  latencyRow,
  makeTempDir,
  ms,
  perSec,
  printTable,
  removeDir,
  reportTarget,
  seeded,
  stats,
  turn,
} from "./support.ts";

const ROWS = Number(process.env.BENCH_DELETE_ROWS ?? 1_000_000);
const DELETIONS = Number(process.env.BENCH_DELETIONS ?? 3_000);
const E2E_DELETIONS = Number(process.env.BENCH_E2E_DELETIONS ?? 1_000);
const TARGET_P99_MS = 1;
const SELF_ID = 100;

function deletionUpdate(t: Target): Api.TypeUpdate {
  const fields = { messages: [t.messageId], pts: 1, ptsCount: 1 };
  if (t.channelId === null) return new Api.UpdateDeleteMessages(fields);
  return new Api.UpdateDeleteChannelMessages({ ...fields, channelId: bigInt(t.channelId) });
}

/** SQLite's plan for each lookup MessageStore prepares (its exact SQL, captured at prepare). */
function lookupPlans(store: Store): string[] {
  const seen: string[] = [];
  const prepare = store.sqlite.prepare.bind(store.sqlite);
  store.sqlite.prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as typeof prepare;
  new MessageStore(store.db);
  store.sqlite.prepare = prepare;
  return seen
    .filter((s) => /^select/i.test(s))
    .map((s) => {
      const args = s.split("?").slice(1).fill("0");
      const plan = prepare(`EXPLAIN QUERY PLAN ${s}`).all(...args) as { detail: string }[];
      return `${s.slice(s.indexOf(" where ") + 7)}  →  ${plan.map((p) => p.detail).join("; ")}`;
    });
}

/** Captures the app's own `Capture` instance: the one its ingest queue calls. */
async function appCapture(f: AppFixture): Promise<Capture> {
  const proto = Capture.prototype;
  const original = proto.processBatch;
  let found: Capture | undefined;
  proto.processBatch = function (this: Capture, batch) {
    found = this;
    return original.call(this, batch);
  };
  try {
    const probe = new Api.UpdateShort({
      update: deletionUpdate({ channelId: null, chatId: 0, messageId: 2 ** 31 - 1 }),
      date: 0,
    });
    _handleUpdate(f.telegram.client, probe as unknown as Api.TypeUpdate);
    await turn();
    await f.app.idle();
  } finally {
    proto.processBatch = original;
  }
  if (!found) throw new Error("the app's Capture was not reached through dispatch");
  return found;
}

/** `capture.processBatch([deletion])` per deletion, in a synchronous loop. */
function captureLatency(capture: Capture, store: Store, targets: readonly Target[]) {
  const count = store.sqlite.prepare("SELECT count(*) FROM outbox WHERE kind = 'message.deleted'").pluck();
  const before = count.get() as number;
  const failedBefore = capture.stats.failed;
  const toRun = targets.map(deletionUpdate);
  const idOnly: number[] = [];
  const channel: number[] = [];
  gc();
  for (let i = 0; i < toRun.length; i++) {
    const t0 = performance.now();
    capture.processBatch([toRun[i]]);
    (targets[i]!.channelId === null ? idOnly : channel).push(performance.now() - t0);
  }
  const queued = (count.get() as number) - before;
  return { idOnly, channel, ok: queued === targets.length && capture.stats.failed === failedBefore };
}

/** Raw SQL per deletion, same ids; `full` adds the event and outbox INSERTs. Undoes its writes. */
function rawLatency(store: Store, targets: readonly Target[], full: boolean): number[] {
  const db = store.sqlite;
  const byChat = db.prepare("SELECT * FROM messages WHERE chat_id = ? AND message_id = ?");
  const byId = db.prepare("SELECT * FROM messages WHERE message_id = ? AND chat_id > -1000000000000");
  const mark = db.prepare(
    "UPDATE messages SET deleted_at = ?, deletion_kind = 'deleted' WHERE id = ? AND deleted_at IS NULL",
  );
  const event = db.prepare(
    "INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id, details, correlation_id) VALUES (?, ?, 'telegram', 'message.deleted', 'success', ?, ?, ?, 'bench') RETURNING id",
  );
  const post = db.prepare(
    "INSERT INTO outbox (kind, random_id, text, entities, topic, not_before, event_id, correlation_id, created_at) VALUES ('bench', '1', ?, ?, ?, ?, ?, 'bench', ?)",
  );
  const one = db.transaction((t: Target) => {
    const rows = (t.channelId === null ? byId.all(t.messageId) : byChat.all(t.chatId, t.messageId)) as {
      id: number;
      chat_id: number;
      message_id: number;
      text: string;
      entities: string;
    }[];
    const now = Date.now();
    for (const r of rows) {
      mark.run(now, r.id);
      if (!full) continue;
      const { id } = event.get(now, now, r.chat_id, r.message_id, '{"deletion":"deleted"}') as { id: number };
      post.run(r.text, r.entities, "chat", now, id, now);
    }
    return rows.length;
  });
  const samples: number[] = [];
  gc();
  for (const t of targets) {
    const t0 = performance.now();
    if (one.immediate(t) !== 1) throw new Error(`baseline: message ${t.channelId}/${t.messageId} not found`);
    samples.push(performance.now() - t0);
  }
  db.prepare(
    "UPDATE messages SET deleted_at = NULL, deletion_kind = NULL WHERE deleted_at IS NOT NULL",
  ).run();
  db.prepare("DELETE FROM events WHERE correlation_id = 'bench'").run();
  db.prepare("DELETE FROM outbox WHERE kind = 'bench'").run();
  return samples;
}

/** Through the app: `_handleUpdate` until the outbox row is visible; app idle in between. */
async function endToEnd(f: AppFixture, targets: readonly Target[]) {
  const lastId = f.app.store.sqlite.prepare("SELECT coalesce(max(id), 0) FROM outbox").pluck();
  const date = Math.floor(Date.now() / 1000);
  const containers = targets.map((t) =>
    t.channelId === null
      ? new Api.UpdateShort({ update: deletionUpdate(t), date })
      : updates([deletionUpdate(t)]),
  );
  const samples: number[] = [];
  let queued = 0;
  await f.app.idle();
  for (const [i, c] of containers.entries()) {
    const before = lastId.get() as number;
    const t0 = performance.now();
    _handleUpdate(f.telegram.client, c as unknown as Api.TypeUpdate);
    for (let n = 0; (lastId.get() as number) === before && n < 1000; n++) await turn();
    if (i >= 20) samples.push(performance.now() - t0); // the first 20 warm up
    if (i >= 20 && (lastId.get() as number) !== before) queued++;
    await f.app.idle();
  }
  return { samples, ok: queued === samples.length };
}

/**
 * The baseline for the end-to-end figure: the same deletion containers through GramJS's dispatch
 * of a fresh offline client into a Raw handler that only notes the time, measured the same way
 * (from `_handleUpdate` until the handler ran, polled every event-loop turn).
 */
async function gramjsDispatchLatency(targets: readonly Target[]): Promise<number[]> {
  const { client, telegram } = createOfflineClient({ self: { id: SELF_ID, firstName: "Owner" } });
  try {
    await client.getMe();
    let reached = 0;
    client.addEventHandler(() => {
      reached++;
    }, new Raw({}));
    const date = Math.floor(Date.now() / 1000);
    const samples: number[] = [];
    for (const [i, t] of targets.entries()) {
      const c =
        t.channelId === null
          ? new Api.UpdateShort({ update: deletionUpdate(t), date })
          : updates([deletionUpdate(t)]);
      const before = reached;
      const t0 = performance.now();
      _handleUpdate(client, c as unknown as Api.TypeUpdate);
      for (let n = 0; reached === before && n < 1000; n++) await turn();
      if (i >= 20) samples.push(performance.now() - t0);
    }
    return samples;
  } finally {
    await telegram.close();
  }
}

export async function run(): Promise<void> {
  const dataRoot = makeTempDir("tl-bench-deletion-");
  try {
    const config = loadConfig(fixtureEnv(dataRoot));
    const rng = seeded(2);
    const world = buildWorld({ users: 2000, groups: 200, supergroups: 300, channels: 50 }, SELF_ID);
    console.log(`deletion latency: filling ${ROWS.toLocaleString("en-US")} messages…`);
    const filled = fillMessages(config.dbFile, world, rng, ROWS);
    const [warm, targets, whatIfTargets, e2eTargets] = [200, DELETIONS, DELETIONS, E2E_DELETIONS + 20].map(
      filled.pick,
    );
    const mib = statSync(config.dbFile).size / 2 ** 20;
    console.log(
      `  filled in ${(filled.ms / 1000).toFixed(1)} s (${perSec(ROWS, filled.ms, "rows/s")}), ${mib.toFixed(0)} MiB`,
    );

    // A short fold window keeps the end-to-end run short; the sender is not involved before it.
    const f = await startFixture(null, { FEED_FOLD_WINDOW_MS: "5" }, dataRoot);
    let raw: number[], rawFull: number[], cap: ReturnType<typeof captureLatency>, whatIf: typeof cap;
    let e2e: Awaited<ReturnType<typeof endToEnd>>;
    let dispatchOnly: number[];
    try {
      const store = f.app.store;
      const capture = await appCapture(f);
      for (const p of lookupPlans(store)) console.log(`  plan: ${p}`);
      rawLatency(store, warm!, true); // warm-up (statements, JIT)
      raw = rawLatency(store, targets!, false);
      rawFull = rawLatency(store, targets!, true);
      captureLatency(capture, store, warm!); // JIT warm-up: a running service is warm
      cap = captureLatency(capture, store, targets!);
      const autocheckpoint = store.sqlite.pragma("wal_autocheckpoint", { simple: true });
      store.sqlite.pragma("wal_autocheckpoint = 0");
      whatIf = captureLatency(capture, store, whatIfTargets!);
      store.sqlite.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      store.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      dispatchOnly = await gramjsDispatchLatency(e2eTargets!);
      e2e = await endToEnd(f, e2eTargets!); // first lets the sender fold and send the backlog
    } finally {
      await f.stop();
      await f.telegram.close();
    }

    const all = stats([...cap.idOnly, ...cap.channel]);
    const rawStats = stats(raw);
    const rawFullStats = stats(rawFull);
    const e2eStats = stats(e2e.samples);
    const dispatchStats = stats(dispatchOnly);
    const queuedRow = (ok: boolean, n: number): ResultRow => ({
      metric: "  outbox rows queued = deletions",
      value: `${ok ? "" : "NOT "}all ${n}`,
      met: ok,
    });
    const ratioRow = (metric: string, base: Stats): ResultRow => ({
      metric,
      value: `p50 ${(all.p50 / base.p50).toFixed(1)}×, p99 ${(all.p99 / base.p99).toFixed(1)}×`,
    });
    const noCkpt = stats([...whatIf.idOnly, ...whatIf.channel]);
    const rows: ResultRow[] = [
      latencyRow(`capture.processBatch, all ${all.n}`, all, TARGET_P99_MS),
      latencyRow(`  id-only ${cap.idOnly.length}`, stats(cap.idOnly)),
      latencyRow(`  channel ${cap.channel.length}`, stats(cap.channel)),
      queuedRow(cap.ok, all.n),
      latencyRow(`  what-if wal_autocheckpoint=0, ${noCkpt.n}`, noCkpt),
      latencyRow("raw SELECT+UPDATE, same ids", rawStats),
      latencyRow("raw SELECT+UPDATE+2 INSERTs", rawFullStats),
      ratioRow("  capture / raw SELECT+UPDATE", rawStats),
      ratioRow("  capture / raw with INSERTs", rawFullStats),
      latencyRow(`app end to end, ${e2eStats.n}`, e2eStats),
      queuedRow(e2e.ok, e2eStats.n),
      latencyRow(
        `GramJS dispatch alone (same containers, handler reached), ${dispatchStats.n}`,
        dispatchStats,
      ),
    ];
    printTable(
      `Deletion → post queued, ${ROWS.toLocaleString("en-US")} messages stored (p50 / p90 / p99 / max)`,
      rows,
    );
    reportTarget({
      bench: "deletion-latency",
      target: `deletion → post queued p99 < ${TARGET_P99_MS} ms with ${ROWS.toLocaleString("en-US")} messages`,
      figure: `capture p99 ${ms(all.p99)} (p50 ${ms(all.p50)}); raw SQL p99 ${ms(rawStats.p99)}; end to end p99 ${ms(e2eStats.p99)}`,
      met: all.p99 < TARGET_P99_MS && cap.ok,
    });
  } finally {
    removeDir(dataRoot);
  }
}
