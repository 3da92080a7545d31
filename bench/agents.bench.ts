/**
 * Remote file agents over NATS JetStream, beside baselines measured in the same run:
 *  1. the local audit: N files created at once in a folder the service watches → N `file.created`
 *     rows (the service alone, the way the file audit runs today);
 *  2. the whole agent path: the same burst in a folder a `telegram-logger agent` process watches →
 *     N rows in the central store, written by the recorder (`startApp` with NATS_URL) in this
 *     process, through a real `nats-server -js`; with the agent's peak RSS;
 *  3. the JetStream client alone: N messages of the same size published with the same window of
 *     acknowledgements in flight (the ceiling the publisher works under).
 * Target (issue 17): the whole path within 1.5× of the local audit's time, 0 lost. The local audit
 * runs first, the agent's burst second: the order (page cache, write-back) may favour the second.
 * Figures: docs/agents.md, Measured.
 * Run: node bench/run.ts agents   (AGENTS_BENCH_FILES=20000 by default; the figure is 100000)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { encodeMessage } from "../src/agents/wire.ts";
import { startApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { burst, waitQuiet } from "./fswatch-watchers.ts";
import { PRODUCTION_V8_FLAGS, perSec, printTable, reportTarget } from "./support.ts";

const N = Number(process.env.AGENTS_BENCH_FILES ?? 20_000);
const SETTLE_MS = 300;
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const NATS_BIN =
  spawnSync("nats-server", ["--version"]).status === 0 ? "nats-server" : "/usr/sbin/nats-server";
/** The publisher's window (src/agents/publisher.ts). */
const WINDOW = 512;

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startNats(storeDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(NATS_BIN, ["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => {
      log += d;
      if (log.includes("Server is ready")) resolve();
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
    child.once("exit", () => reject(new Error(`nats-server exited: ${log}`)));
  });
  return child;
}

function watchConfig(file: string, root: string): void {
  writeFileSync(
    file,
    JSON.stringify({ settle_ms: SETTLE_MS, directories: [{ path: root, poll_interval: 3600 }] }),
  );
}

/** The highest resident set size of process `pid` so far (Linux), bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** 1. The service audits the burst itself. */
async function localAudit(base: string): Promise<{ ms: number; rows: number }> {
  const root = path.join(base, "local-root");
  mkdirSync(root);
  const cfg = path.join(base, "local-watch.json");
  watchConfig(cfg, root);
  const app = await startApp({
    config: loadConfig({ DATA_ROOT: path.join(base, "local-data"), WATCH_CONFIG: cfg, HEALTH_PORT: "0" }),
    logger: silentLogger(),
  });
  await app.idle();
  const count = app.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'file.created'");
  const t0 = performance.now();
  await burst(root, N);
  await waitQuiet(() => (count.get() as { n: number }).n, 10_000, 600_000, N);
  const ms = performance.now() - t0;
  const rows = (count.get() as { n: number }).n;
  await app.stop();
  return { ms, rows };
}

/** 2. An agent process audits the burst; the recorder in this process stores it. */
async function agentPath(base: string, url: string): Promise<{ ms: number; rows: number; rss: number }> {
  const root = path.join(base, "agent-root");
  mkdirSync(root);
  const cfg = path.join(base, "agent-watch.json");
  watchConfig(cfg, root);
  const recorder = await startApp({
    config: loadConfig({ DATA_ROOT: path.join(base, "central"), NATS_URL: url, HEALTH_PORT: "0" }),
    logger: silentLogger(),
  });
  const agent = spawn(process.execPath, [...PRODUCTION_V8_FLAGS, MAIN, "agent"], {
    env: {
      PATH: process.env.PATH ?? "",
      MALLOC_ARENA_MAX: "2",
      NATS_URL: url,
      AGENT_ID: "bench",
      WATCH_CONFIG: cfg,
      DATA_ROOT: path.join(base, "agent-data"),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Ready once its first (empty) reconcile is done: give it the time to start and watch.
  await new Promise((r) => setTimeout(r, 4_000));
  const count = recorder.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'file.created'");
  const t0 = performance.now();
  await burst(root, N);
  await waitQuiet(() => (count.get() as { n: number }).n, 15_000, 900_000, N);
  const ms = performance.now() - t0;
  const rows = (count.get() as { n: number }).n;
  const rss = peakRss(agent.pid!);
  agent.kill("SIGTERM");
  await new Promise((r) => agent.once("exit", r));
  await recorder.stop();
  return { ms, rows, rss };
}

/** 3. The client alone: N messages like the agent's, WINDOW in flight, each acknowledged. */
async function publishAlone(url: string): Promise<number> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "BENCH", subjects: ["bench.>"] });
  const js = jetstream(nc);
  const event = JSON.stringify({
    source: "fs",
    type: "file.created",
    status: "success",
    occurredAt: Date.now(),
    path: "/srv/share/d12/f345.txt",
    project: "share",
    username: null,
    fileSize: 1,
    checksum: null,
    details: { root: "/srv/share", kind: "file", uid: 1000, owner: "user", mtime: new Date().toISOString() },
    correlationId: "2f1c9c2e-6a55-4c1b-9d1e-3a0b9f3f1a11",
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i += WINDOW) {
    const sends: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(N, i + WINDOW); k++)
      sends.push(
        js.publish(
          "bench.a",
          encodeMessage({ agent: "a", host: "h", seq: k, recordedAt: Date.now() }, event),
          {
            msgID: `a:${k}`,
          },
        ),
      );
    await Promise.all(sends);
  }
  const ms = performance.now() - t0;
  await nc.close();
  return ms;
}

/** Runs the three measurements and prints figures and ratios. */
export async function run(): Promise<void> {
  if (spawnSync(NATS_BIN, ["--version"]).status !== 0) {
    console.log("agents: skipped, nats-server is not installed (apt-get install nats-server)");
    return;
  }
  const base = mkdtempSync(path.join(tmpdir(), "tl-agents-bench-"));
  const port = await freePort();
  const nats = await startNats(path.join(base, "js"), port);
  const url = `nats://127.0.0.1:${port}`;
  try {
    console.log(`remote file agents, N = ${N} files in one burst, settle window ${SETTLE_MS} ms`);
    const local = await localAudit(base);
    const remote = await agentPath(base, url);
    const aloneMs = await publishAlone(url);
    const ratio = remote.ms / local.ms;
    const met = remote.rows === N && ratio <= 1.5;
    printTable(`Burst of ${N} files → rows`, [
      {
        metric: "local audit (baseline): file.created rows",
        value: `${local.rows} (${N - local.rows} lost) in ${sec(local.ms)}, ${perSec(local.rows, local.ms, "events/s")}`,
      },
      {
        metric: "agent → JetStream → recorder: rows",
        value: `${remote.rows} (${N - remote.rows} lost) in ${sec(remote.ms)}, ${perSec(remote.rows, remote.ms, "events/s")}`,
        target: "0 lost",
        met: remote.rows === N,
      },
      {
        metric: "agent path / local audit",
        value: `${ratio.toFixed(2)}×`,
        target: "≤ 1.5×",
        met: ratio <= 1.5,
      },
      { metric: "agent peak RSS", value: `${(remote.rss / 1e6).toFixed(0)} MB` },
      {
        metric: `JetStream client alone: ${N} publishes, ${WINDOW} in flight`,
        value: `${sec(aloneMs)}, ${perSec(N, aloneMs, "msg/s")}`,
      },
    ]);
    reportTarget({
      bench: "agents",
      target: `${N}-file burst on an agent → ${N} central rows, 0 lost, within 1.5× of the local audit`,
      figure: `${remote.rows} rows in ${sec(remote.ms)} (${ratio.toFixed(2)}× the local ${sec(local.ms)})`,
      met,
    });
  } finally {
    nats.kill("SIGKILL");
    rmSync(base, { recursive: true, force: true });
  }
}
