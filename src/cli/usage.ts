/**
 * The help texts of `telegram-logger`: the general usage and one per command, each saying what the
 * command does, the settings it needs and its exit statuses. `decrypt`'s is kept with its options
 * (src/media/vault/decrypt-command.ts), `export`'s with its own (src/export/export-command.ts).
 * README.md's Commands section says the same for readers.
 */
import type { CommandName } from "./args.ts";

/** `telegram-logger --help`, `telegram-logger help`: every command and flag. */
export const GENERAL_USAGE = `Usage: telegram-logger [command] [--config FILE] [--once]

Commands:
  run         run the service (default): Telegram capture and/or the file audit of watched folders
  login       log in to Telegram on this terminal and save the session
  scan        one reconcile pass of every watched folder: record what changed, exit
  decrypt     decrypt the deleted-media vault: decrypt --in FILE|DIR --out DIR [--force]
  export      the audit trail as CSV or JSON lines, filtered: export --since 7d --out audit.csv
  report      a summary of a day, week or month: report daily, report monthly --date 2026-10-01
  verify      check that the database, media, vault and archive are intact: verify [--full]
  warm-cache  compile every module into Node's compile cache (NODE_COMPILE_CACHE), exit
  help        show this help; help COMMAND (or COMMAND --help) shows that command's

Options (run, scan):
  --config FILE  the watch-config file of the file audit; takes precedence over WATCH_CONFIG
  --once         one pass and exit, the same as scan: telegram-logger --config watch.json --once
  -h, --help     show help

Configuration comes from the environment (and ./.env when present); see README.md.
Exit status: 0 ok, 64 usage error, 78 configuration error (the message names the variable);
each command's help lists its own.`;

const RUN_USAGE = `Usage: telegram-logger [run] [--config FILE]

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

const SCAN_USAGE = `Usage: telegram-logger scan [--config FILE]
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

const LOGIN_USAGE = `Usage: telegram-logger login

Logs in to Telegram on this terminal (phone number, the code Telegram sends, the two-step
verification password if the account has one) and saves the session, so the service can start
where nobody can type (systemd, Docker). Run it once before the first unattended start.

Settings (environment or ./.env):
  API_ID, API_HASH  Telegram API credentials from my.telegram.org (required)
  LOG_CHAT_ID       where recovered messages go, \`me\` or a marked chat id (required)
  SESSION_FILE      where the session is saved, mode 0600 (default DATA_ROOT/db/telegram.session)

Exit status: 0 logged in, 1 login failed, 64 usage error, 78 configuration error (the message names
the variable) or no terminal.`;

const WARM_CACHE_USAGE = `Usage: telegram-logger warm-cache

Loads every module once so Node's compile cache (the folder NODE_COMPILE_CACHE names) holds them
all, then exits; the Docker image runs it at build time, the systemd unit before each start.

Exit status: 0 ok, 64 usage error, 78 NODE_COMPILE_CACHE not set or not usable.`;

/** The help text of each command parsed by src/cli/args.ts. */
export const COMMAND_USAGE: Record<CommandName, string> = {
  run: RUN_USAGE,
  scan: SCAN_USAGE,
  login: LOGIN_USAGE,
  "warm-cache": WARM_CACHE_USAGE,
};
