/**
 * `telegram-logger warm-cache` (what the Docker image runs at build time): it fills Node's compile
 * cache with every module of the service, so a later run finds everything it loads already there
 * and compiles nothing (no TypeScript stripping, no compiling from source). Node writes what it had
 * to compile into the cache when the process exits, so an unchanged cache means nothing was missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { pollUntil, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const SRC = path.dirname(MAIN);

function command(cwd: string, env: Record<string, string>, args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file of the compile cache with its size and modification time. */
function cacheEntries(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const s = statSync(path.join(dir, f));
    if (s.isFile()) entries.set(f, `${s.size}@${s.mtimeMs}`);
  }
  return entries;
}

describe("warm-cache", () => {
  it("exits 78 naming NODE_COMPILE_CACHE when there is no compile cache", (t) => {
    const r = command(tempDir(t), {}, ["warm-cache"]);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /NODE_COMPILE_CACHE/);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one clear line");
  });

  it("compiles every module of the service, so neither a file-audit run nor Telegram's modules compile more", async (t) => {
    const dir = tempDir(t);
    const cache = path.join(dir, "compile-cache");
    const r = command(dir, { NODE_COMPILE_CACHE: cache }, ["warm-cache"]);
    assert.equal(r.status, 0, r.stderr);
    const modules = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    assert.match(r.stdout, new RegExp(`^${modules.length} modules compiled into ${cache}`));
    const warmed = cacheEntries(cache);
    assert.ok(warmed.size >= modules.length, `${warmed.size} cache entries for ${modules.length} modules`);

    const watched = path.join(dir, "watched");
    mkdirSync(watched);
    writeFileSync(path.join(watched, "a.txt"), "a");
    writeFileSync(
      path.join(dir, "watch.json"),
      JSON.stringify({ directories: [{ path: watched, project: "p" }] }),
    );
    const svc = await startService(dir, {
      DATA_ROOT: path.join(dir, "data"),
      WATCH_CONFIG: path.join(dir, "watch.json"),
      NODE_COMPILE_CACHE: cache,
    });
    t.after(() => svc.child.kill("SIGKILL"));
    const health = await pollUntil(svc.url("/health"), (_, body) => {
      const b = JSON.parse(body);
      return b.last_housekeeping_at !== null && b.watchers.roots[0]?.state === "ready";
    });
    assert.equal(health.status, 200, health.body);
    svc.child.kill("SIGTERM");
    assert.deepEqual(await svc.exited, { code: 0, signal: null });
    assert.deepEqual(cacheEntries(cache), warmed, "the run found every module in the cache");

    // Telegram configured without a saved session: GramJS and the connection code load, then it exits 78.
    const telegram = command(
      dir,
      {
        NODE_COMPILE_CACHE: cache,
        API_ID: "1",
        API_HASH: "0123456789abcdef0123456789abcdef",
        LOG_CHAT_ID: "me",
        DATA_ROOT: path.join(dir, "tg-data"),
      },
      ["run"],
    );
    assert.equal(telegram.status, 78, telegram.stderr);
    assert.match(telegram.stderr, /no saved Telegram session/);
    assert.deepEqual(cacheEntries(cache), warmed, "Telegram's modules were in the cache");
  });
});
