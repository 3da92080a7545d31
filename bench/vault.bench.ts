/**
 * Vault throughput and memory (issue 3): encrypting and decrypting 100 MiB and 1 GiB files.
 *
 * Baselines measured in the same run:
 * - `openssl speed -evp aes-256-gcm -bytes C` (encrypt, and with `-decrypt`), C = the vault's chunk
 *   size: each vault record is one GCM message of C bytes, so this is OpenSSL's speed for exactly
 *   the unit of work the vault does (one init + one C-byte message + tag), on one core, in memory.
 *   Target: ≥ 70% of it.
 * - a plain file copy through the same stream pipeline (read → write, same buffer size): the I/O
 *   ceiling of a file-to-file operation on this machine.
 *
 * Each operation runs in its own child process, so peak RSS (getrusage maxRSS) minus the RSS
 * before the operation is that operation's own memory growth. Target: < 64 MB whatever the size.
 * Files live in a temporary folder under the OS temp dir and are removed at the end.
 *
 * Run alone: `node bench/vault.bench.ts` (`--quick` skips the 1 GiB file). Exports `main()` (and
 * `run`, the name bench/run.ts calls).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { decryptVaultFile } from "../src/media/vault/decrypt.ts";
import { encryptFileToVault } from "../src/media/vault/encrypt.ts";
import { DEFAULT_CHUNK_SIZE, TAG_SIZE } from "../src/media/vault/format.ts";

const SELF = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;
const KEY = Buffer.alloc(32, 0x42);
const META = {
  fileName: "bench.bin",
  mimeType: "application/octet-stream",
  chatId: 1,
  messageId: 1,
  date: 0,
};
const RSS_TARGET = 64 * 1e6;
const RATIO_TARGET = 0.7;

type Op = "encrypt" | "decrypt" | "copy" | "encrypt-null" | "decrypt-null";

interface ChildResult {
  seconds: number;
  bytes: number;
  rssGrowth: number;
}

/** Discards everything: measures the pipeline without the write side. */
function nullSink(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb();
    },
    writev(_c, cb) {
      cb();
    },
  });
}

/** Child side: one operation, then a JSON line with its time and memory growth. */
async function child(op: Op, src: string, dst: string, chunk: number): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  let bytes = 0;
  if (op === "encrypt" || op === "encrypt-null") {
    if (op === "encrypt") {
      const r = await encryptFileToVault(src, dst, KEY, META, { chunkSize: chunk, sync: false });
      bytes = r.size;
    } else {
      // Same encryptor, output discarded: encrypt a file into the vault format in a null sink.
      const { encryptStream } = await import("../src/media/vault/encrypt.ts");
      await pipeline(
        createReadStream(src, { highWaterMark: chunk }),
        (s: AsyncIterable<Buffer>) => encryptStream(s, KEY, META, { chunkSize: chunk }),
        nullSink(),
      );
    }
  } else if (op === "decrypt" || op === "decrypt-null") {
    await decryptVaultFile(
      src,
      KEY,
      op === "decrypt"
        ? createWriteStream(dst, { flags: "w", mode: 0o600, highWaterMark: chunk })
        : nullSink(),
    );
  } else {
    await pipeline(
      createReadStream(src, { highWaterMark: chunk }),
      createWriteStream(dst, { highWaterMark: chunk }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const rssGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;
  process.stdout.write(`${JSON.stringify({ seconds, bytes, rssGrowth })}\n`);
}

function runChild(op: Op, src: string, dst: string, chunk: number): ChildResult {
  const r = spawnSync(process.execPath, [SELF, "--child", op, src, dst, String(chunk)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${op} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

/** OpenSSL's AES-256-GCM speed at `bytes` per message, in bytes/s; null without openssl. */
function opensslSpeed(bytes: number, decrypt: boolean): number | null {
  try {
    const out = execFileSync(
      "openssl",
      [
        "speed",
        "-seconds",
        "2",
        "-bytes",
        String(bytes),
        ...(decrypt ? ["-decrypt"] : []),
        "-evp",
        "aes-256-gcm",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const m = /^AES-256-GCM\s+([\d.]+)k/m.exec(out);
    return m ? Number(m[1]) * 1000 : null;
  } catch {
    return null;
  }
}

function makeFile(file: string, size: number): void {
  const block = randomBytes(16 * MiB);
  const fd = openSync(file, "w", 0o600);
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(block.length, size - done);
      writeSync(fd, block, 0, n);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

const mbps = (bytes: number, s: number) => bytes / s / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  what: string;
  mbps: number;
  ratio?: number;
  rss: number;
}

/** Runs `op` `reps` times (each in a fresh process); median throughput, worst RSS growth. */
function measure(op: Op, src: string, dst: string, chunk: number, size: number, reps: number) {
  const speeds: number[] = [];
  let rss = 0;
  for (let i = 0; i < reps; i++) {
    rmSync(dst, { recursive: true, force: true });
    const r = runChild(op, src, dst, chunk);
    speeds.push(mbps(size, r.seconds));
    rss = Math.max(rss, r.rssGrowth);
  }
  return { mbps: median(speeds), rss };
}

function print(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(
    `  ${"operation".padEnd(44)} ${"MB/s".padStart(8)} ${"vs base".padStart(8)} ${"RSS +MB".padStart(8)}`,
  );
  for (const r of rows) {
    const ratio = r.ratio === undefined ? "" : `${(r.ratio * 100).toFixed(0)}%`;
    console.log(
      `  ${r.what.padEnd(44)} ${r.mbps.toFixed(0).padStart(8)} ${ratio.padStart(8)} ${(r.rss / 1e6).toFixed(1).padStart(8)}`,
    );
  }
}

function target(name: string, figure: string, met: boolean): void {
  console.log(`  [${met ? "met" : "NOT MET"}] ${name}: ${figure}`);
  console.log(`##TARGET ${JSON.stringify({ bench: "vault", target: name, figure, met })}`);
}

/** The benchmark: prints tables and the targets; never fails on a figure. */
export async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const base = mkdtempSync(path.join(tmpdir(), "tl-vault-bench-"));
  try {
    const free = (() => {
      const s = statfsSync(base);
      return s.bavail * s.bsize;
    })();
    const sizes = [100 * MiB, ...(!quick && free > 4 * 1024 * MiB ? [1024 * MiB] : [])];
    console.log(
      `temp: ${base}, free ${(free / 2 ** 30).toFixed(1)} GiB; sizes: ${sizes.map((s) => `${s / MiB} MiB`).join(", ")}`,
    );
    const outcomes: { size: number; enc: Row; dec: Row }[] = [];

    // 1. Chunk size: 100 MiB at 64 KiB, 256 KiB and 1 MiB, against openssl at each size.
    const plain100 = path.join(base, "plain-100");
    makeFile(plain100, 100 * MiB);
    const chunkRows: Row[] = [];
    for (const chunk of [64 * 1024, 256 * 1024, 1024 * 1024]) {
      const osslE = opensslSpeed(chunk, false);
      const vaultDir = path.join(base, `vault-${chunk}`);
      const e = measure("encrypt-null", plain100, path.join(base, "unused"), chunk, 100 * MiB, 3);
      rmSync(vaultDir, { recursive: true, force: true });
      runChild("encrypt", plain100, vaultDir, chunk);
      const vaultFile = path.join(vaultDir, readdirSync(vaultDir)[0]!);
      const osslD = opensslSpeed(chunk, true);
      const d = measure("decrypt-null", vaultFile, path.join(base, "unused"), chunk + TAG_SIZE, 100 * MiB, 3);
      rmSync(vaultDir, { recursive: true, force: true });
      const k = `${chunk / 1024} KiB`;
      if (osslE) chunkRows.push({ what: `openssl speed encrypt, ${k} messages`, mbps: osslE / 1e6, rss: 0 });
      chunkRows.push({
        what: `vault encrypt file -> null, ${k} chunks`,
        mbps: e.mbps,
        ratio: osslE ? (e.mbps * 1e6) / osslE : undefined,
        rss: e.rss,
      });
      if (osslD) chunkRows.push({ what: `openssl speed decrypt, ${k} messages`, mbps: osslD / 1e6, rss: 0 });
      chunkRows.push({
        what: `vault decrypt file -> null, ${k} chunks`,
        mbps: d.mbps,
        ratio: osslD ? (d.mbps * 1e6) / osslD : undefined,
        rss: d.rss,
      });
    }
    print("Chunk size (100 MiB, output discarded; ratio vs openssl at the same message size)", chunkRows);

    // 2. File to file at the default chunk size, 100 MiB and 1 GiB.
    const C = DEFAULT_CHUNK_SIZE;
    const osslE = opensslSpeed(C, false);
    const osslD = opensslSpeed(C, true);
    for (const size of sizes) {
      const plain = size === 100 * MiB ? plain100 : path.join(base, `plain-${size}`);
      if (plain !== plain100) makeFile(plain, size);
      const reps = size > 200 * MiB ? 2 : 3;
      const copy = measure("copy", plain, path.join(base, "copy"), C, size, reps);
      rmSync(path.join(base, "copy"), { force: true });
      const enc = measure("encrypt", plain, path.join(base, "vault"), C, size, reps);
      const vaultFile = path.join(base, "vault", readdirSync(path.join(base, "vault"))[0]!);
      const dec = measure("decrypt", vaultFile, path.join(base, "restored"), C, size, reps);
      rmSync(path.join(base, "restored"), { force: true });
      rmSync(path.join(base, "vault"), { recursive: true, force: true });
      if (plain !== plain100) rmSync(plain, { force: true });
      const label = `${size / MiB} MiB`;
      const rows: Row[] = [
        { what: `openssl speed encrypt, ${C / 1024} KiB messages`, mbps: (osslE ?? 0) / 1e6, rss: 0 },
        { what: `openssl speed decrypt, ${C / 1024} KiB messages`, mbps: (osslD ?? 0) / 1e6, rss: 0 },
        { what: "plain copy file -> file (I/O ceiling)", mbps: copy.mbps, rss: copy.rss },
        {
          what: "vault encrypt file -> file",
          mbps: enc.mbps,
          ratio: osslE ? (enc.mbps * 1e6) / osslE : undefined,
          rss: enc.rss,
        },
        {
          what: "vault decrypt file -> file",
          mbps: dec.mbps,
          ratio: osslD ? (dec.mbps * 1e6) / osslD : undefined,
          rss: dec.rss,
        },
      ];
      print(`File to file, ${label}, ${C / 1024} KiB chunks (page cache; no fsync)`, rows);
      outcomes.push({ size, enc: rows[3]!, dec: rows[4]! });
    }

    console.log("\nTargets");
    for (const o of outcomes) {
      const label = `${o.size / MiB} MiB`;
      for (const [what, r] of [
        ["encrypt", o.enc],
        ["decrypt", o.dec],
      ] as const) {
        if (r.ratio !== undefined) {
          target(
            `${what} ${label} ≥ 70% of openssl (${DEFAULT_CHUNK_SIZE / 1024} KiB)`,
            `${r.mbps.toFixed(0)} MB/s = ${(r.ratio * 100).toFixed(0)}%`,
            r.ratio >= RATIO_TARGET,
          );
        }
        target(
          `${what} ${label} peak RSS growth < 64 MB`,
          `${(r.rss / 1e6).toFixed(1)} MB`,
          r.rss < RSS_TARGET,
        );
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** The name bench/run.ts calls. */
export const run = main;

if (process.argv[1] === SELF) {
  if (process.argv[2] === "--child") {
    const [op, src, dst, chunk] = process.argv.slice(3);
    await child(op as Op, src!, dst!, Number(chunk));
  } else {
    await main();
  }
}
