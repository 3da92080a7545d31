/**
 * `telegram-logger scan` (or `--once`): one reconcile pass of every watched folder; records what
 * changed, prints a line per folder, exits. Needs no Telegram credentials.
 */
import { ConfigError, EXIT_CONFIG } from "../config.ts";
import type { Command } from "./command.ts";
import { configOrExit, fail, failConfig, serviceEnvironment } from "./setup.ts";

const USAGE = `Usage: telegram-logger scan [--config FILE]
       telegram-logger --config FILE --once

One reconcile pass of every folder of the watch config: records what was created, modified,
renamed or deleted since the last pass (the first pass records a baseline), prints one line per
folder, exits. Needs no Telegram credentials. Run it while the service is stopped.

Settings (environment or ./.env):
  WATCH_CONFIG  the watch-config file (docs/watch-config.md); required unless --config is given
  DATA_ROOT     data folder holding the database (default ./data)

Options:
  --config FILE  the watch-config file; takes precedence over WATCH_CONFIG

Exit status: 0 ok, 1 a watched folder is offline, 64 usage error, 78 configuration error (no
watch config, an invalid one, or another bad variable; the message names it).`;

/** One pass of the file audit; exits 1 when a watched folder is offline. */
export const scan: Command = {
  name: "scan",
  summary: "one reconcile pass of every watched folder: record what changed, exit",
  usage: USAGE,
  async run({ configFile }) {
    const env = serviceEnvironment(configFile);
    // Checked before the rest, which would otherwise ask for Telegram credentials scan does not use.
    if (!env.WATCH_CONFIG?.trim())
      fail(
        "configuration error: WATCH_CONFIG: is required for scan (the watch-config file; or pass --config FILE)",
        EXIT_CONFIG,
      );
    const config = configOrExit(env, configFile);
    const { startService } = await import("./service.ts");
    const { log } = startService(config);
    const { scanOnce } = await import("../app.ts");
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
      if (err instanceof ConfigError) failConfig(err, configFile);
      throw err;
    }
    if (offline > 0) process.exit(1);
  },
};
