/**
 * The real command as operators run it: health and metrics over HTTP, a stalled housekeeping loop
 * turning /health to 503, SIGTERM ending in exit 0 with the database closed, kill -9 in the middle
 * of a heavy ingest losing nothing that was acknowledged, and bad settings exiting 78.
 *
 * These start `run` without Telegram credentials and with a WATCH_CONFIG file watching a folder of
 * five files: the service then runs the file audit alone, which needs no Telegram account.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { startFixture } from "../support/app-fixture.ts";
import { parseExposition, sampleValue } from "../support/prom-text.ts";
import { pollUntil, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/ingest-child.ts", import.meta.url));

/** A data folder, a watched folder with a few files, and its watch config: a file-audit-only service. */
function fileAuditEnv(dir: string, env: Record<string, string> = {}): Record<string, string> {
  const watched = path.join(dir, "watched");
  mkdirSync(watched, { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(path.join(watched, `f${i}.txt`), `file ${i}`);
  const watchConfig = path.join(dir, "watch.json");
  writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: watched, project: "docs" }] }));
  return { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: watchConfig, ...env };
}

describe("the service process", () => {
  it("answers /health 200 and /metrics, and exits 0 on SIGTERM with the database closed", async (t) => {
    const dir = tempDir(t);
    const svc = await startService(dir, fileAuditEnv(dir));
    t.after(() => svc.child.kill("SIGKILL"));
    const health = await pollUntil(svc.url("/health"), (_, body) => {
      const b = JSON.parse(body);
      return b.last_housekeeping_at !== null && b.watchers.roots[0]?.state === "ready";
    });
    assert.equal(health.status, 200, health.body);
    const body = JSON.parse(health.body);
    assert.equal(body.status, "ok");
    assert.deepEqual(body.telegram, { enabled: false });
    assert.deepEqual(body.outbox, { enabled: false });
    assert.deepEqual(body.watchers, {
      enabled: true,
      roots: [{ root: path.join(dir, "watched"), state: "ready" }],
    });
    assert.equal(body.database.ok, true);

    const metrics = await fetch(svc.url("/metrics"));
    const m = parseExposition(await metrics.text());
    assert.equal(sampleValue(m, "telegram_logger_housekeeping_runs_total", { status: "success" }), 1);
    assert.ok(sampleValue(m, "telegram_logger_process_start_time_seconds")! > 0);

    svc.child.kill("SIGTERM");
    const exit = await svc.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(
      svc.lines.some((l) => l.includes('"msg":"stopped"')),
      "logged that it stopped",
    );
    const db = path.join(dir, "data", "db", "telegram-logger.sqlite");
    assert.ok(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0, "WAL checkpointed on close");
    for (const line of svc.lines) assert.doesNotThrow(() => JSON.parse(line), `JSON log line: ${line}`);
  });

  it("answers 503 naming housekeeping when it has not completed in time", async (t) => {
    const dir = tempDir(t);
    const env = fileAuditEnv(dir, {
      HOUSEKEEPING_INTERVAL_SECS: "3600",
      HEALTH_HOUSEKEEPING_STALE_SECS: "1",
    });
    const svc = await startService(dir, env);
    t.after(() => svc.child.kill("SIGKILL"));
    const r = await pollUntil(svc.url("/health"), (status) => status === 503);
    const body = JSON.parse(r.body);
    assert.equal(body.status, "error");
    assert.match(body.reasons.join("\n"), /housekeeping last completed \d+ s ago \(limit 1 s\)/);
    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
  });

  it("answers 503 naming the watched folder when it goes away", async (t) => {
    const dir = tempDir(t);
    const svc = await startService(dir, fileAuditEnv(dir));
    t.after(() => svc.child.kill("SIGKILL"));
    await pollUntil(
      svc.url("/health"),
      (status, body) => status === 200 && JSON.parse(body).watchers.roots[0]?.state === "ready",
    );
    rmSync(path.join(dir, "watched"), { recursive: true, force: true });
    const r = await pollUntil(svc.url("/health"), (status) => status === 503);
    const body = JSON.parse(r.body);
    assert.equal(body.watchers.roots[0].state, "failed");
    assert.match(body.reasons.join("\n"), /watched/);
    svc.child.kill("SIGTERM");
    assert.equal((await svc.exited).code, 0);
  });

  it("keeps every acknowledged row and an intact database through kill -9 during a heavy ingest", async (t) => {
    const dataRoot = path.join(tempDir(t), "data");
    const child = spawn(process.execPath, [CHILD, dataRoot], { stdio: ["ignore", "pipe", "inherit"] });
    t.after(() => child.kill("SIGKILL"));
    let acked = 0;
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const m = /^acked (\d+)$/.exec(line);
        if (!m) return;
        acked = Number(m[1]);
        if (acked >= 2000) {
          child.kill("SIGKILL"); // in the middle of the next batch
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));

    const file = path.join(dataRoot, "db", "telegram-logger.sqlite");
    const db = new Database(file);
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    const ids = db.prepare("SELECT message_id FROM messages WHERE chat_id = 42 AND message_id <= ?").pluck();
    const present = new Set(ids.all(acked) as number[]);
    const missing = Array.from({ length: acked }, (_, i) => i + 1).filter((id) => !present.has(id));
    assert.deepEqual(missing, [], `all ${acked} acknowledged messages present`);
    db.close();

    // It starts again on the same data, and its health says so.
    const f = await startFixture(t, {}, dataRoot);
    await f.app.housekeeper.runNow();
    assert.equal(f.app.health().httpStatus, 200);
  });
});

describe("bad operational settings", () => {
  const run = (dir: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [MAIN, "run"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...fileAuditEnv(dir), ...env },
      encoding: "utf8",
      timeout: 30_000,
    });

  for (const [variable, value, pattern] of [
    ["HEALTH_PORT", "80a", /HEALTH_PORT: expected a whole number/],
    ["HTTP_HOST", "local host!", /HTTP_HOST: expected an IP address or a host name/],
  ] as const) {
    it(`${variable}=${value} → one line naming it, exit 78`, (t) => {
      const r = run(tempDir(t), { [variable]: value });
      assert.equal(r.status, 78, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    });
  }

  it("a port already in use → HEALTH_PORT named, exit 78", async (t) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    t.after(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const r = run(tempDir(t), { HEALTH_PORT: String(port) });
    assert.equal(r.status, 78, r.stderr);
    assert.match(r.stderr, new RegExp(`HEALTH_PORT: port ${port} on 127.0.0.1 is already in use`));
  });

  it("a DATA_ROOT that cannot be created → DATA_ROOT named, exit 78", (t) => {
    const dir = tempDir(t);
    writeFileSync(path.join(dir, "file"), "");
    const r = run(dir, { DATA_ROOT: path.join(dir, "file", "data") });
    assert.equal(r.status, 78, r.stderr);
    assert.match(r.stderr, /DATA_ROOT: cannot create or use .* \(ENOTDIR\)/);
  });
});
