/**
 * The idle service: time from spawn to a healthy /health, resident memory once settled, /health
 * latency, and SIGTERM-to-exit time, against a baseline in the same run: a bare Node process that
 * answers HTTP (the floor any Node service pays). Goal (issue 5): RSS < 120 MB, start to healthy < 1 s.
 *
 * The service runs the file audit alone with a 1,000-file folder in WATCH_CONFIG. Until the file
 * audit is wired in, the folder is not watched: the figures are those of the service without it.
 *
 *   node bench/ops-idle.bench.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const BARE = `require("node:http").createServer((q, s) => s.end("ok")).listen(0, "127.0.0.1", function () { console.log(JSON.stringify({ msg: "http listening", port: this.address().port })); });`;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function waitForPort(child: ChildProcess): Promise<number> {
  let buf = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      buf += d;
      const m = /"msg":"http listening"[^\n]*"port":(\d+)|"port":(\d+)[^\n]*"msg":"http listening"/.exec(buf);
      if (m) resolve(Number(m[1] ?? m[2]));
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}`)));
  });
}

interface Figures {
  startMs: number;
  rssMb: number;
  p50Ms: number;
  p99Ms: number;
  stopMs: number;
}

async function measure(args: string[], env: Record<string, string>, healthPath: string): Promise<Figures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await waitForPort(child);
  const url = `http://127.0.0.1:${port}${healthPath}`;
  for (;;) {
    const r = await fetch(url).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 3000)); // settle
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const a = performance.now();
    await (await fetch(url)).text();
    lat.push(performance.now() - a);
  }
  lat.sort((a, b) => a - b);
  const rss = rssMb(child.pid!);
  const s0 = performance.now();
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  return {
    startMs,
    rssMb: rss,
    p50Ms: lat[Math.floor(lat.length * 0.5)]!,
    p99Ms: lat[Math.floor(lat.length * 0.99)]!,
    stopMs: performance.now() - s0,
  };
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tl-bench-idle-"));
  try {
    const folder = path.join(dir, "watched");
    mkdirSync(folder);
    for (let i = 0; i < 1000; i++)
      writeFileSync(path.join(folder, `file-${i}.txt`), `file ${i}\n`.repeat(20));
    const watchConfig = path.join(dir, "watch.json");
    writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: folder, project: "idle" }] }));
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: watchConfig, HEALTH_PORT: "0" };
    // With the V8 flag `npm start`, the Dockerfile and the systemd unit use.
    const service = await measure(["--max-semi-space-size=4", MAIN, "run"], env, "/health");
    const bare = await measure(["-e", BARE], {}, "/");
    const row = (name: string, f: Figures) =>
      `${name.padEnd(24)} start→healthy ${f.startMs.toFixed(0).padStart(5)} ms  RSS ${f.rssMb.toFixed(1).padStart(6)} MB  probe p50 ${f.p50Ms.toFixed(2)} ms p99 ${f.p99Ms.toFixed(2)} ms  SIGTERM→exit ${f.stopMs.toFixed(0)} ms`;
    console.log(row("service (idle)", service));
    console.log(row("baseline (bare node http)", bare));
    console.log(
      `ratios service/baseline: start ${(service.startMs / bare.startMs).toFixed(2)}x, RSS ${(service.rssMb / bare.rssMb).toFixed(2)}x, probe p99 ${(service.p99Ms / bare.p99Ms).toFixed(2)}x`,
    );
    console.log(
      `goal: RSS < 120 MB → ${service.rssMb < 120 ? "met" : "NOT met"}; start to healthy < 1 s → ${service.startMs < 1000 ? "met" : "NOT met"}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
