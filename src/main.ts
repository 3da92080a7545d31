#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `telegram-logger` command. `run` (the default) is the service; `login` only logs in;
 * `decrypt` restores files from the encrypted deleted-media vault (src/media/vault/); `warm-cache`
 * fills Node's compile cache with every module (src/compile-cache.ts; the Docker image runs it).
 * Configuration mistakes print one line naming the variable and exit 78 (EX_CONFIG), which the
 * systemd unit lists in RestartPreventExitStatus so a broken .env does not restart-loop.
 */
import { existsSync } from "node:fs";
import { flushCompileCache } from "node:module";
import { parseArgs } from "node:util";
import type { TelegramClient } from "telegram";
import { type App, scanOnce, startApp } from "./app.ts";
import { type Config, ConfigError, EXIT_CONFIG, loadConfig, secretValues } from "./config.ts";
import { ErrorLog } from "./http/health/error-log.ts";
import { createLogger, type Logger } from "./log.ts";

const USAGE = `Usage: telegram-logger [command]

Commands:
  run         run the service (default)
  login       log in to Telegram on this terminal and save the session
  decrypt     decrypt the deleted-media vault: decrypt --in FILE|DIR --out DIR [--force]
  scan        one reconcile pass of every watched folder (WATCH_CONFIG): record what changed, exit
  warm-cache  compile every module into Node's compile cache (NODE_COMPILE_CACHE), exit
  help        show this help

Configuration comes from the environment (and ./.env when present); see README.md.`;

function fail(message: string, status: number): never {
  process.stderr.write(`telegram-logger: ${message}\n`);
  process.exit(status);
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

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`, EXIT_CONFIG);
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
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`, EXIT_CONFIG);
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
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`, EXIT_CONFIG);
    throw err;
  }
  if (offline > 0) process.exit(1);
}

async function main(): Promise<void> {
  // `decrypt` has its own options and needs only the key, not a valid service configuration.
  if (process.argv[2] === "decrypt") {
    loadEnvFile();
    const { runDecryptCommand } = await import("./media/vault/decrypt-command.ts");
    process.exitCode = await runDecryptCommand(process.argv.slice(3), process.env);
    return;
  }
  // Needs no configuration either: it only loads modules.
  if (process.argv[2] === "warm-cache") {
    const { warmCompileCache } = await import("./compile-cache.ts");
    try {
      const { dir, modules } = await warmCompileCache();
      process.stdout.write(`${modules} modules compiled into ${dir}\n`);
    } catch (err) {
      if (err instanceof ConfigError) fail(`configuration error: ${err.message}`, EXIT_CONFIG);
      throw err;
    }
    return;
  }
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0] ?? "run";
  if (values.help || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== "run" && command !== "login" && command !== "scan")
    fail(`unknown command "${command}"\n${USAGE}`, 64);
  loadEnvFile();
  const config = configOrExit();
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
