/**
 * The service logger: pino, JSON lines to stdout (pretty on a terminal or in debug mode).
 * Secrets are redacted by key wherever they appear in a logged object; code never logs the
 * session string, API_HASH or the vault key in a message either.
 */
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

const REDACT = [
  "apiHash",
  "api_hash",
  "session",
  "sessionString",
  "password",
  "phoneCode",
  "deletedMediaKey",
  "key",
  "*.apiHash",
  "*.session",
  "*.password",
  "*.deletedMediaKey",
  "*.key",
  "config.telegram.apiHash",
  "config.media.deletedMediaKey",
];

/** Creates the root logger. */
export function createLogger(options: { level: string; pretty?: boolean }): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY;
  return pino({
    level: options.level,
    base: { service: "telegram-logger" },
    redact: { paths: REDACT, censor: "[redacted]" },
    transport: pretty
      ? { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:standard" } }
      : undefined,
  });
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
