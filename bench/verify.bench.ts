/**
 * `telegram-logger verify` on a large store: the real command, as a process, over buffered media
 * and encrypted vault files recorded in a real database. Baselines in the same run: `sha256sum`
 * over the same buffered files (what a C program reaches for the hashing verify does), and
 * verify on an empty data folder (start-up, and the RSS it has anyway).
 * Goal (our own): hashing at least at `sha256sum`'s speed, memory flat whatever the
 * store's size (measured for 1 GiB: 2–8 MB of growth, where reading through a stream per file grew
 * 70 MB; Node's SHA-256 runs at about three times sha256sum's speed on the test machine).
 *
 *   node bench/verify.bench.ts [MiB=1024]
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encryptFileToVault } from "../src/media/vault/encrypt.ts";
import { dataPathsOf } from "../src/store/data-paths.ts";
import { openStore } from "../src/store/db.ts";
import {
  makeTempDir,
  PEAK_RSS_HOOK,
  PRODUCTION_V8_FLAGS,
  peakRssMbOf,
  printTable,
  removeDir,
  reportTarget,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const MiB = 1024 * 1024;
const FILE_MIB = 16;
const KEY = Buffer.alloc(32, 7);
const RSS_GROWTH_TARGET_MB = 16;

/** A data folder with `buffered` MiB of stored media and `vaulted` MiB of encrypted vault files. */
async function makeStore(root: string, bufferedMiB: number, vaultedMiB: number): Promise<string[]> {
  const paths = dataPathsOf(root);
  const store = openStore(paths.dbFile);
  mkdirSync(paths.mediaDir, { recursive: true });
  const message = store.sqlite.prepare(
    "INSERT INTO messages (chat_id, message_id, chat_type, date, recorded_at) VALUES (42, ?, 'user', 0, 0) RETURNING id",
  );
  const file = store.sqlite.prepare(
    "INSERT INTO media_files (message_row_id, status, size, sha256, blob, vault_file, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
  );
  const buffered: string[] = [];
  const block = randomBytes(FILE_MIB * MiB);
  let n = 0;
  const add = () => {
    n++;
    block.writeUInt32BE(n, 0); // every file differs, so none is deduplicated
    return {
      id: (message.get(n) as { id: number }).id,
      sha256: createHash("sha256").update(block).digest("hex"),
    };
  };
  for (let i = 0; i < bufferedMiB / FILE_MIB; i++) {
    const { id, sha256 } = add();
    const blob = randomBytes(16).toString("hex");
    writeFileSync(path.join(paths.mediaDir, blob), block);
    file.run(id, "stored", block.length, sha256, blob, null);
    buffered.push(path.join(paths.mediaDir, blob));
  }
  const plain = path.join(root, "plain");
  for (let i = 0; i < vaultedMiB / FILE_MIB; i++) {
    const { id, sha256 } = add();
    writeFileSync(plain, block);
    const meta = {
      fileName: "f.bin",
      mimeType: "application/octet-stream",
      chatId: 42,
      messageId: n,
      date: 0,
    };
    const kept = await encryptFileToVault(plain, paths.vaultDir, KEY, meta, { sync: false });
    file.run(id, "vaulted", block.length, sha256, null, path.basename(kept.path));
  }
  store.close();
  return buffered;
}

interface Run {
  seconds: number;
  peakRssMb: number;
}

function verifyOnce(root: string, withKey: boolean): Run {
  const t0 = performance.now();
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", DATA_ROOT: root };
  if (withKey) env.DELETED_MEDIA_KEY_B64 = KEY.toString("base64");
  const r = spawnSync(process.execPath, [...PRODUCTION_V8_FLAGS, "--import", PEAK_RSS_HOOK, MAIN, "verify"], {
    env,
    encoding: "utf8",
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`verify failed (${r.status}): ${r.stdout}${r.stderr}`);
  return { seconds, peakRssMb: peakRssMbOf(r.stderr) };
}

function sha256sum(files: string[]): number | null {
  const t0 = performance.now();
  const r = spawnSync("sha256sum", files, { stdio: "ignore" });
  return r.status === 0 ? (performance.now() - t0) / 1000 : null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The benchmark: prints a table and the target; never fails on a figure. */
export async function run(): Promise<void> {
  const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1024);
  const dir = makeTempDir("tl-verify-bench-");
  try {
    const empty = path.join(dir, "empty");
    await makeStore(empty, 0, 0);
    const root = path.join(dir, "data");
    const buffered = await makeStore(root, (total * 3) / 4, total / 4);
    const rounds = [0, 1, 2];
    const none = rounds.map(() => verifyOnce(empty, true));
    const withKey = rounds.map(() => verifyOnce(root, true));
    const noKey = rounds.map(() => verifyOnce(root, false));
    const c = rounds.map(() => sha256sum(buffered)).filter((x): x is number => x !== null);
    const start = median(none.map((r) => r.seconds));
    const baseRss = median(none.map((r) => r.peakRssMb));
    const mbps = (mib: number, s: number) => `${Math.round((mib * MiB) / 1e6 / s)} MB/s`;
    const bufferedMiB = (total * 3) / 4;
    const keyed = median(withKey.map((r) => r.seconds)) - start;
    const unkeyed = median(noKey.map((r) => r.seconds)) - start;
    const growthOf = (runs: Run[]) => Math.max(...runs.map((r) => r.peakRssMb)) - baseRss;
    const growth = Math.max(growthOf(withKey), growthOf(noKey));
    printTable(
      `verify of ${bufferedMiB} MiB buffered and ${total / 4} MiB vaulted (${FILE_MIB} MiB files; median of 3)`,
      [
        {
          metric: "empty data folder (start-up)",
          value: `${start.toFixed(2)} s, ${baseRss.toFixed(0)} MB peak`,
        },
        { metric: "sha256sum over the buffered files", value: c.length ? mbps(bufferedMiB, median(c)) : "-" },
        { metric: "verify without the key (vault: headers only)", value: mbps(bufferedMiB, unkeyed) },
        {
          metric: "  vs sha256sum",
          value: c.length
            ? `${((bufferedMiB / unkeyed / (bufferedMiB / median(c))) * 100).toFixed(0)}%`
            : "-",
        },
        { metric: "verify with the key (vault decrypted and hashed)", value: mbps(total, keyed) },
        {
          metric: "peak RSS growth over the empty folder, without the key",
          value: `${growthOf(noKey).toFixed(1)} MB`,
        },
        {
          metric: "peak RSS growth over the empty folder, with the key",
          value: `${growthOf(withKey).toFixed(1)} MB`,
        },
      ],
    );
    reportTarget({
      bench: "verify",
      target: `peak RSS growth < ${RSS_GROWTH_TARGET_MB} MB verifying ${total} MiB`,
      figure: `${growth.toFixed(1)} MB`,
      met: growth < RSS_GROWTH_TARGET_MB,
    });
  } finally {
    removeDir(dir);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
