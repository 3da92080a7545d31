/**
 * `telegram-logger run` (the default): the service, until SIGTERM or SIGINT. Telegram capture when
 * credentials are set, the file audit when a watch config is given, both when both are.
 */
import { flushCompileCache } from "node:module";
import type { TelegramClient } from "telegram";
import type { App } from "../app.ts";
import { ConfigError, EXIT_CONFIG } from "../config.ts";
import type { Command } from "./command.ts";
import { configOrExit, fail, failConfig, serviceEnvironment } from "./setup.ts";

/** How long closing the Telegram connection may take at shutdown. */
const DISCONNECT_TIMEOUT_MS = 2_000;

const USAGE = `Usage: telegram-logger [run] [--config FILE]

Runs the service until SIGTERM or SIGINT. Telegram capture (every message stored, deletions and
edits posted to the log chat) is on when API_ID and API_HASH are set; the file audit of watched
folders is on when a watch config is given. With a watch config and no credentials it runs the
file audit alone (and says so when Telegram settings such as LOG_CHAT_ID are set but unused).
Without a saved session it logs in on a terminal; without a terminal it exits 78.

Settings (environment or ./.env; all of them in README.md):
  API_ID, API_HASH  Telegram API credentials (my.telegram.org); setting either (or SESSION_FILE,
                    TELETHON_SESSION_FILE) turns capture on
  LOG_CHAT_ID       with them: where recovered messages go, \`me\` or a marked chat id
  WATCH_CONFIG      the watch-config file of the file audit (docs/watch-config.md)
  DATA_ROOT         data folder (default ./data)
  Credentials, a watch config, or both are needed.

Options:
  --config FILE  the watch-config file; takes precedence over WATCH_CONFIG
  --once         one pass of the watched folders and exit: the scan command

Exit status: 0 stopped by SIGTERM/SIGINT, 1 unexpected failure, 64 usage error, 78 configuration
error (the message names the variable) or no saved session and no terminal to log in on.`;

function howToLogIn(reason: string): string {
  return `${reason}. Log in once on a terminal: \`telegram-logger login\` (npm run login; in Docker: docker run -it --rm -v tl-data:/data --env-file .env IMAGE login)`;
}

/** The service: starts it and returns; signal handlers stop it and exit. */
export const run: Command = {
  name: "run",
  summary: "run the service (default): Telegram capture and/or the file audit of watched folders",
  usage: USAGE,
  async run({ configFile }) {
    const config = configOrExit(serviceEnvironment(configFile), configFile);
    const { startService } = await import("./service.ts");
    const { log, errors } = startService(config);
    const { startApp } = await import("../app.ts");
    let client: TelegramClient | undefined;
    if (config.telegram) {
      // GramJS is loaded only when Telegram is configured (a file-audit-only run does without it).
      const { connectAuthorized, NotLoggedIn } = await import("../telegram/connect.ts");
      const { interactiveLogin } = await import("../telegram/login.ts");
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
      if (err instanceof ConfigError) failConfig(err, configFile);
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
  },
};
