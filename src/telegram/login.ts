/**
 * Interactive login on a terminal: phone number, the code Telegram sends, and the two-step
 * verification password when the account has one. The session is saved (0600) on success.
 */
import { createInterface } from "node:readline/promises";
import type { Logger } from "pino";
import type { TelegramClient } from "telegram";
import type { TelegramConfig } from "../config.ts";
import { createClient } from "./connect.ts";
import { writeSession } from "./session-file.ts";

/** Asks one question on the terminal; `hidden` does not echo what is typed. */
async function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    let asked = false;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        write(s);
      } else if (s.includes("\n")) write("\n");
    };
  }
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Runs the login dialogue and saves the session; returns the connected, authorized client. */
export async function interactiveLogin(cfg: TelegramConfig, log: Logger): Promise<TelegramClient> {
  const client = createClient(cfg, "", log);
  await client.start({
    phoneNumber: () => ask("Phone number (international format, e.g. +44…): "),
    phoneCode: () => ask("Login code Telegram sent you: "),
    password: (hint) => ask(`Two-step verification password${hint ? ` (hint: ${hint})` : ""}: `, true),
    onError: async (err) => {
      process.stderr.write(`Login error: ${err.message}\n`);
      return false;
    },
  });
  const me = await client.getMe();
  await writeSession(cfg.sessionFile, String(client.session.save()));
  log.info({ userId: me.id.toString(), sessionFile: cfg.sessionFile }, "logged in; session saved");
  return client;
}
