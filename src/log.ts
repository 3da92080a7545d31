/**
 * The service logger: pino, JSON lines to stdout (pretty, through pino-pretty, when stdout is a
 * terminal).
 * Secrets are redacted by key wherever they appear in a logged object; code never logs the
 * session string, API_HASH, the vault key or a NATS password or token in a message either.
 */
import pino, { type DestinationStream, type Logger } from "pino";

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
  // NATS credentials (NATS_PASSWORD, NATS_TOKEN): the client's option names and our settings' own.
  "pass",
  "token",
  "*.pass",
  "*.token",
  "nats.auth",
  "config.nats.auth",
];

/** pino's numeric level for `error`. */
const ERROR_LEVEL = 50;

/** Called for every entry logged at `error` or `fatal`: how /health learns about errors. */
export type ErrorListener = (message: string, err: unknown) => void;

/** Options for `createLogger`. */
export interface LoggerOptions {
  level: string;
  /** Human-readable output (default: when stdout is a terminal). */
  pretty?: boolean;
  onError?: ErrorListener;
  /** Where JSON lines go (default stdout); tests pass a sink. */
  destination?: DestinationStream;
}

/** The message and error of a pino call, whatever form its arguments take. */
function entryOf(args: unknown[]): { message: string; err: unknown } {
  const [first, second] = args;
  if (typeof first === "string") return { message: first, err: undefined };
  if (first instanceof Error)
    return { message: typeof second === "string" ? second : first.message, err: first };
  const err = (first as { err?: unknown } | null)?.err;
  return { message: typeof second === "string" ? second : "", err };
}

/** Creates the root logger. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  const onError = options.onError;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { service: "telegram-logger" },
    redact: { paths: REDACT, censor: "[redacted]" },
    transport: pretty
      ? { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:standard" } }
      : undefined,
  };
  if (onError) {
    settings.hooks = {
      logMethod(args, method, level) {
        if (level >= ERROR_LEVEL) {
          const { message, err } = entryOf(args);
          onError(message, err);
        }
        return method.apply(this, args);
      },
    };
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that drops everything, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
