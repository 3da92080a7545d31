#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `telegram-logger` command. `run` (the default) is the service; `login` only logs in;
 * `scan` (or `--once`) is one pass of the file audit; `decrypt` restores files from the encrypted
 * deleted-media vault (src/media/vault/); `export` writes the audit trail as CSV or JSON lines
 * (src/export/); `report` summarizes a day or a week of it (src/report/); `verify` checks that
 * everything kept is intact (src/verify/); `warm-cache` fills Node's compile cache with every
 * module (src/compile-cache.ts; the Docker image runs it). Arguments are parsed in src/cli/args.ts; a
 * usage mistake exits 64 (EX_USAGE). Configuration mistakes print one line naming the variable and
 * exit 78 (EX_CONFIG), which the systemd unit lists in RestartPreventExitStatus so a broken .env
 * does not restart-loop.
 */
import { existsSync } from "node:fs";
import { flushCompileCache } from "node:module";
import type { TelegramClient } from "telegram";
import { type App, scanOnce, startApp } from "./app.ts";
import { EXIT_USAGE, type HelpTopic, parseCommandLine } from "./cli/args.ts";
import { COMMAND_USAGE, GENERAL_USAGE } from "./cli/usage.ts";
import { type Config, ConfigError, EXIT_CONFIG, loadConfig, secretValues } from "./config.ts";
import { ErrorLog } from "./http/health/error-log.ts";
import { createLogger, type Logger } from "./log.ts";

function fail(message: string, status: number): never {
  process.stderr.write(`telegram-logger: ${message}\n`);
  process.exit(status);
}

/** Set when `--config FILE` replaced WATCH_CONFIG, so its errors name the flag the user typed. */
let watchConfigFromFlag = false;

function failConfig(err: ConfigError): never {
  const culprit = watchConfigFromFlag && err.variable === "WATCH_CONFIG" ? "--config" : err.variable;
  fail(`configuration error: ${culprit}${err.message.slice(err.variable.length)}`, EXIT_CONFIG);
}

async function usageOf(topic: HelpTopic): Promise<string> {
  if (topic === null) return GENERAL_USAGE;
  if (topic === "decrypt") return (await import("./media/vault/decrypt-command.ts")).DECRYPT_USAGE;
  if (topic === "export") return (await import("./export/options.ts")).EXPORT_USAGE;
  if (topic === "report") return (await import("./report/options.ts")).REPORT_USAGE;
  if (topic === "verify") return (await import("./verify/verify-command.ts")).VERIFY_USAGE;
  return COMMAND_USAGE[topic];
}

function loadEnvFile(): void {
  const file = process.env.ENV_FILE ?? ".env";
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    fail(`configuration error: ENV_FILE: cannot read ${file}: ${(err as Error).message}`, EXIT_CONFIG);
  }
}

function configOrExit(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err);
    throw err;
  }
}

function howToLogIn(reason: string): string {
  return `${reason}. Log in once on a terminal: \`telegram-logger login\` (npm run login; in Docker: docker run -it --rm -v tl-data:/data --env-file .env IMAGE login)`;
}

async function login(config: Config, log: Logger): Promise<void> {
  if (!config.telegram) fail("configuration error: API_ID: is required for login", EXIT_CONFIG);
  if (!process.stdin.isTTY) fail("login needs a terminal to ask for the phone number and code", EXIT_CONFIG);
  const { interactiveLogin } = await import("./telegram/login.ts");
  const client = await interactiveLogin(config.telegram, log);
  await client.destroy();
}

/** How long closing the Telegram connection may take at shutdown. */
const DISCONNECT_TIMEOUT_MS = 2_000;

async function run(config: Config, log: Logger, errors: ErrorLog): Promise<void> {
  let client: TelegramClient | undefined;
  if (config.telegram) {
    // GramJS is loaded only when Telegram is configured (a file-audit-only run does without it).
    const { connectAuthorized, NotLoggedIn } = await import("./telegram/connect.ts");
    const { interactiveLogin } = await import("./telegram/login.ts");
    try {
      client = await connectAuthorized(config.telegram, log);
    } catch (err) {
      if (!(err instanceof NotLoggedIn)) throw err;
      if (!process.stdin.isTTY) fail(howToLogIn(err.message), EXIT_CONFIG);
      process.stdout.write(`${err.message}: logging in first.\n`);
      client = await interactiveLogin(config.telegram, log);
    }
  }
  let app: App;
  try {
    app = await startApp({ config, telegram: client, logger: log, errors });
  } catch (err) {
    await client?.destroy();
    if (err instanceof ConfigError) failConfig(err);
    throw err;
  }
  // Every module this run needs is loaded: save the compile cache now, not only at a clean exit.
  flushCompileCache();
  let stopping = false;
  // Stop intake, drain what is in flight (bounded inside app.stop), close the database, exit 0.
  // A second signal while draining means "now": exit at once.
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    try {
      await app.stop();
      await Promise.race([
        client?.destroy(),
        new Promise((resolve) => setTimeout(resolve, DISCONNECT_TIMEOUT_MS).unref()),
      ]);
    } catch (err) {
      log.error({ err }, "error while shutting down");
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function scan(config: Config, log: Logger): Promise<void> {
  const tty = process.stderr.isTTY;
  let offline = 0;
  try {
    await scanOnce(
      config,
      log,
      (cfg, outcome) => {
        if (tty) process.stderr.write("\r\x1b[K");
        if (!outcome.online) {
          offline++;
          process.stdout.write(`${cfg.project} (${cfg.path}): offline: ${outcome.reason}\n`);
          return;
        }
        const c = outcome.counts;
        const what =
          outcome.baseline && !cfg.emitOnStart
            ? "baseline recorded"
            : `${c.created} created, ${c.modified} modified, ${c.deleted} deleted, ${c.renamed} renamed`;
        const problems = outcome.skipped.length + outcome.errors.length;
        process.stdout.write(
          `${cfg.project} (${cfg.path}): ${outcome.files} files, ${what}${problems ? `, ${problems} skipped or unreadable` : ""} (${(outcome.durationMs / 1000).toFixed(1)} s)\n`,
        );
      },
      tty ? (cfg, n) => process.stderr.write(`\r\x1b[K${cfg.project}: ${n} files scanned…`) : undefined,
    );
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err);
    throw err;
  }
  if (offline > 0) process.exit(1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `decrypt` has its own options and needs only the key, not a valid service configuration.
  if (args[0] === "decrypt") {
    loadEnvFile();
    const { runDecryptCommand } = await import("./media/vault/decrypt-command.ts");
    process.exitCode = await runDecryptCommand(args.slice(1), process.env);
    return;
  }
  // So have `export`, `report` and `verify`, which need only DATA_ROOT (and verify the key): they read the
  // database while the service runs.
  if (args[0] === "export") {
    loadEnvFile();
    const { runExportCommand } = await import("./export/export-command.ts");
    process.exitCode = await runExportCommand(args.slice(1), process.env);
    return;
  }
  if (args[0] === "report") {
    loadEnvFile();
    const { runReportCommand } = await import("./report/report-command.ts");
    process.exitCode = await runReportCommand(args.slice(1), process.env);
    return;
  }
  if (args[0] === "verify") {
    loadEnvFile();
    const { runVerifyCommand } = await import("./verify/verify-command.ts");
    process.exitCode = await runVerifyCommand(args.slice(1), process.env);
    return;
  }
  const line = parseCommandLine(args);
  if (line.kind === "usage-error") fail(`${line.message}\n\n${await usageOf(line.topic)}`, EXIT_USAGE);
  if (line.kind === "help") {
    process.stdout.write(`${await usageOf(line.topic)}\n`);
    return;
  }
  const { command, configFile } = line;
  // Needs no configuration either: it only loads modules.
  if (command === "warm-cache") {
    const { warmCompileCache } = await import("./compile-cache.ts");
    try {
      const { dir, modules } = await warmCompileCache();
      process.stdout.write(`${modules} modules compiled into ${dir}\n`);
    } catch (err) {
      if (err instanceof ConfigError) failConfig(err);
      throw err;
    }
    return;
  }
  loadEnvFile();
  watchConfigFromFlag = configFile !== null;
  const env = configFile === null ? process.env : { ...process.env, WATCH_CONFIG: configFile };
  // Checked before the rest, which would otherwise ask for Telegram credentials scan does not use.
  if (command === "scan" && !env.WATCH_CONFIG?.trim())
    fail(
      "configuration error: WATCH_CONFIG: is required for scan (the watch-config file; or pass --config FILE)",
      EXIT_CONFIG,
    );
  const config = configOrExit(env);
  // Every error logged is remembered for /health (last_error_at, last_error_msg), sanitized.
  const errors = new ErrorLog(
    () => Date.now(),
    () => secretValues(config),
  );
  const log = createLogger({
    level: config.logLevel,
    onError: (message, err) => errors.record(message, err),
  });
  // One bad promise somewhere (GramJS has a few) must not take the service down.
  process.on("unhandledRejection", (reason) =>
    log.error({ err: reason }, "unhandled rejection (service keeps running)"),
  );
  if (command === "login") await login(config, log);
  else if (command === "scan") await scan(config, log);
  else await run(config, log, errors);
}

main().catch((err: unknown) => {
  process.stderr.write(`telegram-logger: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
