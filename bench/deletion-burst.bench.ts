/**
 * A burst of deletions (target: 1,000 deletions in one burst → ≤ 3 posts, all 1,000
 * present).
 *
 * The real app (test fixture, offline Telegram) first stores 1,000 realistic messages pushed
 * through GramJS's dispatch (private chats, basic groups, supergroups, channels). Then all of them
 * are deleted in one burst, the way Telegram reports it: `UpdateShort{UpdateDeleteMessages}` with
 * up to 100 ids each for private chats and basic groups, `Updates{UpdateDeleteChannelMessages}`
 * with up to 100 ids per channel, in shuffled order, all handed to `_handleUpdate` at once. After
 * `app.idle()`, the messages that reached the log chat are counted, and every one of the 1,000
 * texts is looked for in the posts' texts and in their attached files (the folded listing).
 *
 * Runs with the fixture's feed settings (6,000 posts/min, fold window 50 ms), with the production
 * default fold window (1,500 ms), and with the production defaults for both (20 posts/min,
 * 1,500 ms), plus two informational runs where the updates arrive 20 ms apart. Time is from the
 * first deletion handed over to `app.idle()`; capture time is measured by wrapping the app's own
 * `Capture.processBatch` during the burst (instrumentation only). About 10 s in all.
 */
import { performance } from "node:perf_hooks";
import bigInt from "big-integer";
import { Api } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Capture } from "../src/telegram/capture.ts";
import { LOG_CHANNEL_ID, startFixture } from "../test/support/app-fixture.ts";
import type { DeliveredMessage } from "../test/support/fake-telegram.ts";
import { updates } from "../test/support/tl-factory.ts";
import {
  buildWorld,
  type GeneratedMessage,
  generateNewMessages,
  type PtsSequence,
  viaBytes,
} from "./data.ts";
import { makeTempDir, printTable, type ResultRow, removeDir, reportTarget, seeded, turn } from "./support.ts";

const COUNT = 1000;
const MAX_POSTS = 3;
const TIME_LIMIT_MS = 90_000;

const PROD = { FEED_POSTS_PER_MINUTE: "20", FEED_FOLD_WINDOW_MS: "1500" };
/** `spreadMs`: informational runs where the deletion updates arrive that far apart, not at once. */
const RUNS: { label: string; env: Record<string, string>; spreadMs?: number }[] = [
  { label: "fixture: 6000/min, fold 50 ms", env: {} },
  { label: "fold 1500 ms (prod default), 6000/min", env: { FEED_FOLD_WINDOW_MS: "1500" } },
  { label: "prod defaults: 20/min, fold 1500 ms", env: PROD },
  { label: "(info) prod defaults, updates 20 ms apart", env: PROD, spreadMs: 20 },
  { label: "(info) fixture, updates 20 ms apart", env: {}, spreadMs: 20 },
];

function dispatch(client: Parameters<typeof _handleUpdate>[0], container: Api.TypeUpdates): void {
  _handleUpdate(client, container as unknown as Api.TypeUpdate);
}

/** The deletions Telegram would send for `messages`: ≤ 100 ids per update, shuffled. */
function deletionBurst(
  messages: readonly GeneratedMessage[],
  pts: PtsSequence,
  rng: () => number,
): Api.TypeUpdates[] {
  const byChannel = new Map<number, number[]>();
  const idOnly: number[] = [];
  for (const m of messages) {
    if (m.kind === "private" || m.kind === "group") idOnly.push(m.messageId);
    else byChannel.set(m.peerId, [...(byChannel.get(m.peerId) ?? []), m.messageId]);
  }
  const chunks = <T>(xs: T[]) =>
    Array.from({ length: Math.ceil(xs.length / 100) }, (_, i) => xs.slice(i * 100, i * 100 + 100));
  // One list per pts sequence (the account's, each channel's), each in order.
  const sequences: Api.TypeUpdates[][] = [
    chunks(idOnly).map((ids) => {
      const update = new Api.UpdateDeleteMessages({
        messages: ids,
        pts: pts.account(ids.length),
        ptsCount: ids.length,
      });
      return new Api.UpdateShort({ update, date: Math.floor(Date.now() / 1000) });
    }),
  ];
  for (const [channelId, all] of byChannel) {
    sequences.push(
      chunks(all).map((ids) => {
        const channel = bigInt(channelId);
        const update = new Api.UpdateDeleteChannelMessages({
          channelId: channel,
          messages: ids,
          pts: pts.channel(channelId, ids.length),
          ptsCount: ids.length,
        });
        return updates([update]);
      }),
    );
  }
  // Interleaved at random across chats; each sequence stays in order, as Telegram sends it.
  const out: Api.TypeUpdates[] = [];
  for (let left = sequences.flat().length; left > 0; left--) {
    const open = sequences.filter((q) => q.length > 0);
    out.push(open[Math.floor(rng() * open.length)]!.shift()!);
  }
  return out.map(viaBytes);
}

interface BurstResult {
  posts: DeliveredMessage[];
  /** Time spent in the app's `Capture.processBatch` (lookups, marks, events, outbox rows). */
  captureMs: number;
  found: number;
  ms: number;
  stored: number;
  containers: number;
  timedOut: boolean;
  texts: string[];
}

async function burst(env: Record<string, string>, seed: number, spreadMs = 0): Promise<BurstResult> {
  const rng = seeded(seed);
  const world = buildWorld({ users: 120, groups: 15, supergroups: 20, channels: 8 });
  const built = generateNewMessages(world, rng, COUNT);
  const arrivals = built.containers.map(viaBytes);
  const deletions = deletionBurst(built.messages, built.pts, rng);
  const dataRoot = makeTempDir("tl-bench-burst-");
  const f = await startFixture(null, env, dataRoot);
  let timedOut = false;
  try {
    const client = f.telegram.client;
    for (const c of arrivals) dispatch(client, c);
    await turn();
    await f.app.idle();
    const stored = f.app.store.sqlite.prepare("SELECT count(*) FROM messages").pluck().get() as number;
    const sentBefore = f.telegram.sent.length;

    // Instrumentation only: time the app's own capture calls during the burst.
    let captureMs = 0;
    const proto = Capture.prototype;
    const original = proto.processBatch;
    proto.processBatch = function (this: Capture, batch) {
      const start = performance.now();
      original.call(this, batch);
      captureMs += performance.now() - start;
    };
    const t0 = performance.now();
    for (const c of deletions) {
      dispatch(client, c);
      if (spreadMs > 0) await new Promise((resolve) => setTimeout(resolve, spreadMs));
    }
    await turn();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), TIME_LIMIT_MS);
    });
    timedOut = (await Promise.race([f.app.idle(), limit])) === "timeout";
    clearTimeout(timer);
    const ms = performance.now() - t0;
    proto.processBatch = original;

    const posts = f.telegram.sent.slice(sentBefore).filter((p) => p.chatId === `-100${LOG_CHANNEL_ID}`);
    const haystack = posts
      .map((p) => `${p.message}\n${p.uploadedBytes?.toString("utf8") ?? ""}`)
      .join("\n\0\n");
    const found = built.messages.filter((m) => haystack.includes(m.text)).length;
    const texts = built.messages.map((m) => m.text);
    return { posts, captureMs, found, ms, stored, containers: deletions.length, timedOut, texts };
  } finally {
    // A run cut short may sit in the sender's pacing sleep: do not wait for it.
    if (!timedOut) await f.stop();
    await f.telegram.close();
    removeDir(dataRoot);
  }
}

function describePosts(posts: readonly DeliveredMessage[], texts: readonly string[]): string {
  return posts
    .map((p) => {
      const file = p.uploadedBytes?.toString("utf8");
      const inFile = file === undefined ? 0 : texts.filter((t) => file.includes(t)).length;
      const inText = texts.filter((t) => p.message.includes(t)).length;
      const kind =
        p.via === "messages.SendMedia" ? `file ${(p.uploadedBytes!.length / 1024).toFixed(0)} KiB` : "text";
      return `${kind}: ${inFile ? `${inFile} listed` : `${inText} in text`}`;
    })
    .join("; ");
}

export async function run(): Promise<void> {
  console.log(`deletion burst: ${COUNT} messages stored, then all deleted in one burst`);
  const rows: ResultRow[] = [];
  const outcomes: string[] = [];
  let allMet = true;
  for (const [i, r] of RUNS.entries()) {
    const res = await burst(r.env, 10 + i, r.spreadMs);
    const postsOk = res.posts.length <= MAX_POSTS && !res.timedOut;
    const foundOk = res.found === COUNT && res.stored === COUNT;
    if (r.spreadMs === undefined) allMet &&= postsOk && foundOk;
    rows.push({ metric: r.label, value: "" });
    rows.push({
      metric: "  posts in the log chat",
      value: `${res.posts.length}${res.timedOut ? " (timed out)" : ""}`,
      target: `≤ ${MAX_POSTS}`,
      met: postsOk,
    });
    rows.push({
      metric: "  messages found in posts/files",
      value: `${res.found} / ${res.stored}`,
      target: `all ${COUNT}`,
      met: foundOk,
    });
    rows.push({ metric: "  burst → idle", value: `${(res.ms / 1000).toFixed(2)} s` });
    rows.push({
      metric: "    of which capture (processBatch)",
      value: `${(res.captureMs / 1000).toFixed(2)} s`,
    });
    rows.push({ metric: "  deletion updates (containers)", value: String(res.containers) });
    console.log(
      `  ${r.label}: ${describePosts(res.posts.slice(0, 8), res.texts)}${res.posts.length > 8 ? "; …" : ""}`,
    );
    if (r.spreadMs === undefined)
      outcomes.push(
        `${r.label}: ${res.posts.length} posts, ${res.found}/${COUNT} found, ${(res.ms / 1000).toFixed(2)} s`,
      );
  }
  printTable(`Deletion burst (${COUNT} deletions at once)`, rows);
  reportTarget({
    bench: "deletion-burst",
    target: `${COUNT} deletions in one burst → ≤ ${MAX_POSTS} posts, all ${COUNT} present`,
    figure: outcomes.join("; "),
    met: allMet,
  });
}
