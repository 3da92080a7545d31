/**
 * Helpers for file-audit tests: a running app with a watch config on real temporary folders, and
 * `waitFor`, a bounded poll for conditions that depend on the watcher's own delivery (there is nothing
 * else to await for an event the kernel has not delivered yet). Tests never assert on timings.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { type App, startApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait-for.ts";

export { waitFor };

/** A file-audit event row as tests read it. */
export interface FsEvent {
  type: string;
  status: string;
  path: string | null;
  file_size: number | null;
  checksum: string | null;
  details: Record<string, unknown>;
  error: string | null;
}

/** A running app auditing folders, without Telegram. */
export interface AuditFixture {
  app: App;
  base: string;
  dataRoot: string;
  configFile: string;
  /** Every `fs`/`system` file-audit event so far, oldest first. */
  events(type?: string): FsEvent[];
  stop(): Promise<void>;
  restart(): Promise<AuditFixture>;
}

/** Writes `config` (the JSON object) as the watch-config file. */
export function writeWatchConfig(file: string, config: unknown): void {
  writeFileSync(file, JSON.stringify(config, null, 2));
}

/** Starts an app with `config` written to a watch-config file in a fresh temp folder. */
export async function startAudit(
  t: TestContext,
  config: unknown,
  base = tempDir(t, "tl-fsw-"),
): Promise<AuditFixture> {
  const dataRoot = path.join(base, "data");
  const configFile = path.join(base, "watch.json");
  writeWatchConfig(configFile, config);
  return launch(t, base, dataRoot, configFile);
}

async function launch(
  t: TestContext,
  base: string,
  dataRoot: string,
  configFile: string,
): Promise<AuditFixture> {
  const app = await startApp({
    // Any free port for /health: test files run in parallel.
    config: loadConfig({ DATA_ROOT: dataRoot, WATCH_CONFIG: configFile, HEALTH_PORT: "0" }),
    logger: silentLogger(),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  t.after(stop);
  return {
    app,
    base,
    dataRoot,
    configFile,
    events: (type) =>
      (
        app.store.sqlite
          .prepare(
            `SELECT type, status, path, file_size, checksum, details, error FROM events WHERE source IN ('fs', 'system') AND type <> 'housekeeping.run' ${type ? "AND type = ?" : ""} ORDER BY id`,
          )
          .all(...(type ? [type] : [])) as Array<Omit<FsEvent, "details"> & { details: string | null }>
      ).map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : {} })),
    stop,
    restart: async () => {
      await stop();
      return launch(t, base, dataRoot, configFile);
    },
  };
}

/** A file-audit-only service started as a process, with everything it printed so far. */
export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
}

/**
 * Starts `command args…` (the real `run`, possibly behind a wrapper such as `unshare`) with the
 * file audit of `dir/watch.json` alone and a free health port; killed when the test ends.
 */
export function spawnFileAuditService(
  t: TestContext,
  dir: string,
  command: string,
  args: string[],
): ServiceProcess {
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      DATA_ROOT: path.join(dir, "data"),
      WATCH_CONFIG: path.join(dir, "watch.json"),
      HEALTH_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  return { child, output: () => out };
}
