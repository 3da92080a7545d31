/**
 * One measured operation of bench/vault.bench.ts, run in a fresh child process so no run inherits
 * another's heap, JIT state or page faults: the vault's file encryption and decryption, Node's
 * AES-256-GCM alone in memory, and plain file copies. The child prints its wall time, CPU time
 * (user + system, every thread) and peak RSS growth as one JSON line.
 *
 * Native rows (`runNative`) run a C program on the same file instead: `openssl enc` and `dd`, also
 * into a file whose blocks `fallocate` reserved first, as the vault does for large files.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { decryptVaultToPath } from "../src/media/vault/decrypt.ts";
import { encryptFileToVault } from "../src/media/vault/encrypt.ts";
import { HEADER_SIZE } from "../src/media/vault/format.ts";
import { releaseBuffer } from "../src/media/vault/record-io.ts";
import { PRODUCTION_V8_FLAGS } from "./support.ts";

const SELF = fileURLToPath(import.meta.url);
const KEY = Buffer.alloc(32, 0x42);
const META = {
  fileName: "bench.bin",
  mimeType: "application/octet-stream",
  chatId: 1,
  messageId: 1,
  date: 0,
};

/** Operations measured in a child process. */
export const CHILD_OPS = [
  "encrypt",
  "decrypt",
  "copy-stream",
  "copy-positional",
  "node-enc-gc",
  "node-enc",
  "node-dec",
  "node-one",
] as const;
/** One of CHILD_OPS. */
export type ChildOp = (typeof CHILD_OPS)[number];

/** One measurement of one row. */
export interface Sample {
  mbps: number;
  /** CPU seconds (user + system) per GiB of plaintext; NaN when not measured. */
  cpuPerGiB: number;
  rssGrowth: number;
}

/** Resets the peak-RSS counter; returns the RSS to measure growth from (null: use maxRSS). */
function resetPeak(): number | null {
  (globalThis as { gc?: () => void }).gc?.();
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return process.memoryUsage().rss;
  } catch {
    return null;
  }
}

function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return Number(m![1]) * 1024;
}

/** Node's AES-256-GCM alone over `size` bytes in C-byte records (`node-one`: a single message). */
function nodeCrypto(op: ChildOp, size: number, chunk: number): void {
  const key = createSecretKey(KEY);
  const aad = randomBytes(HEADER_SIZE);
  const plain = randomBytes(chunk);
  const nonce = randomBytes(12);
  const records = Math.ceil(size / chunk);
  if (op === "node-one") {
    const c = createCipheriv("aes-256-gcm", key, nonce);
    c.setAAD(aad);
    for (let i = 0; i < records; i++) releaseBuffer(c.update(plain));
    c.final();
    return;
  }
  const e = createCipheriv("aes-256-gcm", key, nonce);
  e.setAAD(aad);
  const sealed = e.update(plain);
  e.final();
  const tag = e.getAuthTag();
  for (let i = 0; i < records; i++) {
    if (op === "node-dec") {
      // Every record is the same sealed one, so each decipher really verifies its tag.
      const d = createDecipheriv("aes-256-gcm", key, nonce);
      d.setAAD(aad);
      d.setAuthTag(tag);
      const out = d.update(sealed);
      d.final();
      releaseBuffer(out);
    } else {
      const n = Buffer.from(nonce);
      n.writeUInt32BE(i, 7);
      const c = createCipheriv("aes-256-gcm", key, n);
      c.setAAD(aad);
      const out = c.update(plain);
      c.final();
      c.getAuthTag();
      if (op === "node-enc") releaseBuffer(out);
    }
  }
}

/** Copies with positional reads and writes, `lanes` in flight, each lane reusing one buffer. */
async function positionalCopy(src: string, dst: string, chunk: number, lanes = 4): Promise<void> {
  const r = await open(src, "r");
  const w = await open(dst, "w");
  try {
    const size = (await r.stat()).size;
    let next = 0;
    const lane = async () => {
      const buf = Buffer.allocUnsafeSlow(chunk);
      for (let at = next; at < size; at = next) {
        next += chunk;
        const { bytesRead } = await r.read(buf, 0, chunk, at);
        await w.write(buf, 0, bytesRead, at);
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    await r.close();
    await w.close();
  }
}

/** Child side: one operation, then a JSON line with its time, CPU time and memory growth. */
async function child(op: ChildOp, src: string, dst: string, chunk: number, size: number): Promise<void> {
  const before = resetPeak();
  const rssBefore = before ?? process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (op === "encrypt") await encryptFileToVault(src, dst, KEY, META, { chunkSize: chunk, sync: false });
  else if (op === "decrypt") await decryptVaultToPath(src, KEY, dst, { flags: "w" });
  else if (op === "copy-stream")
    await pipeline(
      createReadStream(src, { highWaterMark: chunk }),
      createWriteStream(dst, { highWaterMark: chunk }),
    );
  else if (op === "copy-positional") await positionalCopy(src, dst, chunk);
  else nodeCrypto(op, size, chunk);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peak = before === null ? process.resourceUsage().maxRSS * 1024 : peakRss();
  const result = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssGrowth: peak - rssBefore };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Runs `op` over `size` bytes (`src` to `dst`, C = `chunk`) in a fresh Node process with the
 * production V8 flags, and returns its speed, CPU time and peak RSS growth.
 */
export function runChild(op: ChildOp, src: string, dst: string, chunk: number, size: number): Sample {
  const args = ["--expose-gc", ...PRODUCTION_V8_FLAGS, SELF, op, src, dst, String(chunk), String(size)];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${op} child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
    seconds: number;
    cpuSeconds: number;
    rssGrowth: number;
  };
  return {
    mbps: size / out.seconds / 1e6,
    cpuPerGiB: (out.cpuSeconds * 2 ** 30) / size,
    rssGrowth: out.rssGrowth,
  };
}

/** Rows measured by running a C program on the same file, file to file. */
export const NATIVE_OPS = ["openssl-enc-file", "dd-1m", "dd-chunk", "dd-chunk-prealloc"] as const;
/** One of NATIVE_OPS. */
export type NativeOp = (typeof NATIVE_OPS)[number];

/** CPU seconds (user + system) of this process's waited-for children so far, from /proc. */
function childrenCpuSeconds(): number | null {
  try {
    // Fields after the command name: 14-15 are utime, stime; 16-17 cutime, cstime (clock ticks).
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
  } catch {
    return 100;
  }
})();

/** The command line of a native row: C = `chunk` is openssl's read size and one dd's block. */
function nativeCommand(op: NativeOp, src: string, dst: string, chunk: number): [string, string[]] {
  if (op === "openssl-enc-file") {
    // AES-256-CTR: `openssl enc` refuses AEAD ciphers; CTR is GCM's cipher without the GHASH.
    const key = KEY.toString("hex");
    const iv = "00".repeat(16);
    return [
      "openssl",
      ["enc", "-aes-256-ctr", "-K", key, "-iv", iv, "-bufsize", String(chunk), "-in", src, "-out", dst],
    ];
  }
  const bs = op === "dd-1m" ? 1024 * 1024 : chunk;
  if (op === "dd-chunk-prealloc") {
    // What the vault does for a large file (src/media/vault/preallocate.ts): blocks reserved first,
    // then written without truncating them away again.
    const size = String(statSync(src).size);
    const script =
      ': >> "$2" && fallocate --keep-size --length "$1" -- "$2" && exec dd if="$3" of="$2" bs="$4" conv=notrunc status=none';
    return ["sh", ["-c", script, "sh", size, dst, src, String(bs)]];
  }
  return ["dd", [`if=${src}`, `of=${dst}`, `bs=${bs}`, "status=none"]];
}

/**
 * Runs a native row over `src` (`size` bytes) into the file `dst`: wall time around the process,
 * and its CPU time from this process's children counters (RSS is not measured). Null when the
 * program is missing or fails.
 */
export function runNative(
  op: NativeOp,
  src: string,
  dst: string,
  chunk: number,
  size: number,
): Sample | null {
  const [cmd, args] = nativeCommand(op, src, dst, chunk);
  const cpu0 = childrenCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = childrenCpuSeconds();
  if (r.status !== 0) return null;
  return {
    mbps: size / seconds / 1e6,
    cpuPerGiB: cpu0 === null || cpu1 === null ? Number.NaN : ((cpu1 - cpu0) * 2 ** 30) / size,
    rssGrowth: Number.NaN,
  };
}

if (process.argv[1] === SELF) {
  const [op, src, dst, chunk, size] = process.argv.slice(2);
  if (!CHILD_OPS.includes(op as ChildOp)) throw new Error(`unknown operation ${op}`);
  await child(op as ChildOp, src!, dst!, Number(chunk), Number(size));
}
