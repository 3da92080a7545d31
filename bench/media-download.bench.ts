/**
 * Media download memory and speed: `downloadMessageMedia` (iterDownload → hash → write stream with
 * back-pressure) fetching a 100 MiB and a 1 GiB document through the offline client.
 * Target: downloading a 1 GiB document, RSS growth < 64 MB.
 *
 * The fake server keeps the file's bytes in this process, so each source buffer is built (a random
 * 1 MiB block repeated) and registered first, and growth is measured from the RSS after that and a
 * full GC. The fake serves each `upload.GetFile` as a view of that buffer (`subarray`, no whole-file
 * copy); per request it serializes the 512 KiB answer into TL bytes (one copy) which GramJS parses
 * back as a view, so the harness adds one 512 KiB garbage buffer per part, never the file.
 *
 * Each operation runs in its own child process (memory one operation freed but kept mapped must not
 * flatter the next), measured after building the source, `sync`, a GC and a peak-RSS reset:
 * - write-stream: the same bytes written with `fs.createWriteStream` in 512 KiB pieces (views of the
 *   source), with back-pressure: the floor for writing a file from Node.
 * - iter-only: `client.iterDownload` drained without hashing or writing: the fake's and GramJS's share.
 * - download: `downloadMessageMedia` to a file; the written file's sha256 is checked against the source.
 * Peak RSS growth is the larger of RSS sampled every 20 ms and VmHWM (reset through
 * /proc/self/clear_refs just before the operation; where that is unavailable, samples only), minus
 * the RSS at the start. ELU is the event loop's utilization during the operation.
 *
 * Run alone: `node bench/media-download.bench.ts` (`--quick` skips the 1 GiB file). Exports `run()`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import bigInt from "big-integer";
import type { Api, TelegramClient } from "telegram";
import { downloadMessageMedia, fileLocationOf } from "../src/telegram/media-download.ts";
import { createOfflineClient } from "../test/support/fake-telegram.ts";
import { message, user } from "../test/support/tl-factory.ts";
import {
  gc,
  makeTempDir,
  PRODUCTION_V8_FLAGS,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
} from "./support.ts";

const MiB = 1024 * 1024;
const MB = 1e6;
const PIECE = 512 * 1024;
const RSS_TARGET = 64 * MB;
const SAMPLE_MS = 20;
const SELF = fileURLToPath(import.meta.url);

interface Measured {
  seconds: number;
  /** Peak RSS over the RSS at the start (bytes). */
  growth: number;
  /** The same from the 20 ms samples only. */
  sampledGrowth: number;
  elu: number;
}

/** Resets VmHWM to the current RSS; false where /proc/self/clear_refs is not available. */
function resetPeak(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function vmHwm(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Runs `op` with RSS sampled every 20 ms, the peak counter reset at the start. */
async function measure(op: () => Promise<void>): Promise<Measured> {
  try {
    execFileSync("sync"); // one run's writeback must not slow the next
  } catch {}
  gc();
  gc();
  const hwm = resetPeak();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, SAMPLE_MS);
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  try {
    await op();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  // ELU is accounted at event-loop turns; an operation that only ran microtasks has not had one yet.
  await new Promise((resolve) => setImmediate(resolve));
  const elu = performance.eventLoopUtilization(elu0).utilization;
  peak = Math.max(peak, process.memoryUsage().rss);
  const sampledGrowth = peak - base;
  const growth = Math.max(sampledGrowth, hwm ? vmHwm() - base : 0);
  return { seconds, growth, sampledGrowth, elu };
}

/** `size` bytes: one random 1 MiB block repeated (cheap to build, not trivially compressible). */
function sourceBytes(size: number): Buffer {
  const block = randomBytes(MiB);
  const buf = Buffer.allocUnsafeSlow(size);
  for (let at = 0; at < size; at += MiB) block.copy(buf, at, 0, Math.min(MiB, size - at));
  return buf;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file, { highWaterMark: MiB }), hash);
  return hash.digest("hex");
}

/** The baseline: the same bytes through createWriteStream in 512 KiB pieces, with back-pressure. */
async function plainWrite(bytes: Buffer, file: string): Promise<void> {
  const out = createWriteStream(file, { mode: 0o600 });
  for (let at = 0; at < bytes.length; at += PIECE) {
    if (!out.write(bytes.subarray(at, at + PIECE))) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

/** The harness and GramJS alone: every part fetched and dropped. */
async function iterOnly(client: TelegramClient, msg: Api.Message): Promise<number> {
  const where = fileLocationOf(msg.media)!;
  let n = 0;
  for await (const chunk of client.iterDownload({
    file: where.location,
    dcId: where.dcId,
    fileSize: bigInt(where.size),
    requestSize: PIECE,
  })) {
    n += chunk.length;
  }
  return n;
}

const OPS = ["write-stream", "iter-only", "download"] as const;
type Op = (typeof OPS)[number];

interface ChildResult extends Measured {
  /** Bytes written or fetched equal the size; for `download`, also the sha256 checks. */
  ok: boolean;
  requests: number;
}

/** One operation in this (fresh) process: builds and registers the source, measures, verifies. */
async function child(op: Op, size: number, dir: string): Promise<ChildResult> {
  const source = sourceBytes(size);
  const expected = createHash("sha256").update(source).digest("hex");
  const { client, telegram } = createOfflineClient({ primeSelf: true });
  const file = path.join(dir, `${op}-${size}.bin`);
  try {
    const media = telegram.documentMedia({
      bytes: source,
      mimeType: "application/octet-stream",
      fileName: "big.bin",
    });
    const msg = message({ id: 1, peer: user({ id: 5, firstName: "Peer" }), media });
    let ok = false;
    let m: Measured;
    if (op === "write-stream") {
      m = await measure(() => plainWrite(source, file));
      ok = statSync(file).size === size;
    } else if (op === "iter-only") {
      let fetched = 0;
      m = await measure(async () => {
        fetched = await iterOnly(client, msg);
      });
      ok = fetched === size;
    } else {
      let result = { size: 0, sha256: "" };
      m = await measure(async () => {
        result = await downloadMessageMedia(client, msg, file);
      });
      ok = result.size === size && result.sha256 === expected && (await sha256File(file)) === expected;
    }
    return { ...m, ok, requests: telegram.requestsOf("upload.GetFile").length };
  } finally {
    rmSync(file, { force: true });
    await telegram.close();
  }
}

function spawnChild(op: Op, size: number, dir: string): ChildResult {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", ...PRODUCTION_V8_FLAGS, SELF, "--child", op, String(size), dir],
    {
      encoding: "utf8",
      maxBuffer: 16 * MiB,
    },
  );
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{"))
    throw new Error(`${op} ${size}: child failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(last) as ChildResult;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const rate = (size: number, m: Measured) => `${(size / MB / m.seconds).toFixed(0)} MB/s`;
const sizeMismatch = (ok: boolean) => (ok ? {} : { target: "size mismatch", met: false });

function rowsFor(label: string, size: number, dir: string): ResultRow[] {
  const write = spawnChild("write-stream", size, dir);
  const iter = spawnChild("iter-only", size, dir);
  const down = spawnChild("download", size, dir);
  const ratio = write.growth > 0 ? `${(down.growth / write.growth).toFixed(1)}×` : "n/a";
  if (label === "1 GiB")
    reportTarget({
      bench: "media-download",
      target: "1 GiB document download: RSS growth < 64 MB",
      figure: mb(down.growth),
      met: down.growth < RSS_TARGET && down.ok,
    });
  return [
    {
      metric: `${label} write-stream (baseline): RSS growth / speed / ELU`,
      value: `${mb(write.growth)} / ${rate(size, write)} / ${write.elu.toFixed(2)}`,
      ...sizeMismatch(write.ok),
    },
    {
      metric: `${label} iter-only (fake + GramJS): RSS growth / speed / ELU`,
      value: `${mb(iter.growth)} / ${rate(size, iter)} / ${iter.elu.toFixed(2)}`,
      ...sizeMismatch(iter.ok),
    },
    {
      metric: `${label} download: RSS growth (20 ms samples)`,
      value: `${mb(down.growth)} (${mb(down.sampledGrowth)})`,
      target: `< ${mb(RSS_TARGET)}`,
      met: down.growth < RSS_TARGET,
    },
    {
      metric: `${label} download: speed / ELU / GetFile requests`,
      value: `${rate(size, down)} / ${down.elu.toFixed(2)} / ${down.requests}`,
    },
    {
      metric: `${label} download vs write-stream: RSS growth, time`,
      value: `${ratio}, ${(down.seconds / write.seconds).toFixed(1)}×`,
    },
    { metric: `${label} sha256 of written file = source`, value: down.ok ? "yes" : "NO", met: down.ok },
  ];
}

export async function run(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const dir = makeTempDir("tl-media-bench-");
  const rows: ResultRow[] = [];
  try {
    rows.push(...rowsFor("100 MiB", 100 * MiB, dir));
    if (!quick) rows.push(...rowsFor("1 GiB", 1024 * MiB, dir));
  } finally {
    removeDir(dir);
  }
  printTable("Media download (downloadMessageMedia through the offline client)", rows);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === "--child") {
    const op = process.argv[3] as Op;
    if (!OPS.includes(op)) throw new Error(`unknown operation "${op}"`);
    console.log(JSON.stringify(await child(op, Number(process.argv[4]), process.argv[5]!)));
    process.exit(0); // GramJS may leave timers behind
  }
  await run();
}
