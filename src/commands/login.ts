/** `telegram-logger login`: the interactive Telegram login alone; saves the session (mode 0600). */
import { EXIT_CONFIG } from "../config.ts";
import type { Command } from "./command.ts";
import { configOrExit, fail, serviceEnvironment } from "./setup.ts";

const USAGE = `Usage: telegram-logger login

Logs in to Telegram on this terminal (phone number, the code Telegram sends, the two-step
verification password if the account has one) and saves the session, so the service can start
where nobody can type (systemd, Docker). Run it once before the first unattended start.

Settings (environment or ./.env):
  API_ID, API_HASH  Telegram API credentials from my.telegram.org (required)
  LOG_CHAT_ID       where recovered messages go, \`me\` or a marked chat id (required)
  SESSION_FILE      where the session is saved, mode 0600 (default DATA_ROOT/db/telegram.session)

Exit status: 0 logged in, 1 login failed, 64 usage error, 78 configuration error (the message names
the variable) or no terminal.`;

/** Logs in on this terminal, so the service can later start where nobody can type. */
export const login: Command = {
  name: "login",
  summary: "log in to Telegram on this terminal and save the session",
  usage: USAGE,
  async run({ configFile }) {
    const config = configOrExit(serviceEnvironment(configFile), configFile);
    const { startService } = await import("./service.ts");
    const { log } = startService(config);
    if (!config.telegram) fail("configuration error: API_ID: is required for login", EXIT_CONFIG);
    if (!process.stdin.isTTY)
      fail("login needs a terminal to ask for the phone number and code", EXIT_CONFIG);
    const { interactiveLogin } = await import("../telegram/login.ts");
    const client = await interactiveLogin(config.telegram, log);
    await client.destroy();
  },
};
