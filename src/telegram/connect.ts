/**
 * Building and connecting the real Telegram client. The daemon never falls into an interactive
 * prompt: without a valid saved session it fails with `NotLoggedIn`, and the `run` command decides
 * whether a login can be run (a terminal) or the process must exit 78 with instructions.
 */

import type { Logger } from "pino";
import { TelegramClient } from "telegram";
import { StringSession } from "telegram/sessions/index.js";
import type { TelegramConfig } from "../config.ts";
import { PinoGramLogger } from "./gramjs-logger.ts";
import { readSession, writeSession } from "./session-file.ts";
import { NotATelethonSession, telethonSessionString } from "./telethon-session.ts";

/** There is no usable saved session. */
export class NotLoggedIn extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "NotLoggedIn";
  }
}

/**
 * A client for `session` (empty for a fresh login). Its `invoke` throws every FloodWait at once
 * (`floodSleepThreshold: 0`) instead of sleeping through it; GramJS's own `uploadFile` would still
 * sleep through any, so the log chat uploads with upload-file.ts instead.
 */
export function createClient(cfg: TelegramConfig, session: string, log: Logger): TelegramClient {
  const client = new TelegramClient(new StringSession(session), cfg.apiId, cfg.apiHash, {
    connectionRetries: 10,
    retryDelay: 2000,
    floodSleepThreshold: 0,
    baseLogger: new PinoGramLogger(log),
  });
  return client;
}

/**
 * The saved session; when there is none yet, the Python logger's Telethon session is imported
 * (and saved, so the import happens once).
 */
export async function loadSession(cfg: TelegramConfig, log: Logger): Promise<string | null> {
  const saved = await readSession(cfg.sessionFile);
  if (saved) return saved;
  let imported: string | null;
  try {
    imported = await telethonSessionString(cfg.telethonSessionFile);
  } catch (err) {
    if (!(err instanceof NotATelethonSession)) throw err;
    log.warn({ reason: err.message }, "the Telethon session was not imported");
    return null;
  }
  if (!imported) return null;
  await writeSession(cfg.sessionFile, imported);
  log.info(
    { from: cfg.telethonSessionFile, sessionFile: cfg.sessionFile },
    "imported the Python logger's Telethon session; no new login needed",
  );
  return imported;
}

/** Connects with the saved (or imported) session and checks it is still authorized. */
export async function connectAuthorized(cfg: TelegramConfig, log: Logger): Promise<TelegramClient> {
  const session = await loadSession(cfg, log);
  if (!session) throw new NotLoggedIn(`no saved Telegram session at ${cfg.sessionFile}`);
  const client = createClient(cfg, session, log);
  await client.connect();
  if (!(await client.checkAuthorization())) {
    await client.destroy();
    throw new NotLoggedIn(`the saved Telegram session at ${cfg.sessionFile} is no longer authorized`);
  }
  return client;
}
