/**
 * A real logger (the service's own `createLogger`) whose entries a test reads back: which warnings
 * and errors the service logged while a fault was staged, and a wait for a given one.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { createLogger, type Logger, type LoggerOptions } from "../../src/log.ts";

/** One logged entry: pino's numeric level (40 warn, 50 error) and its message. */
export interface LogLine {
  level: number;
  msg: string;
}

/** A logger at `warn` (or `level`) that keeps every entry, and helpers to read them. */
export function recordingLogger(options: Partial<Pick<LoggerOptions, "level" | "onError">> = {}) {
  const lines: LogLine[] = [];
  const logger: Logger = createLogger({
    level: options.level ?? "warn",
    onError: options.onError,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const errorMessages = () => lines.filter((l) => l.level >= 50).map((l) => l.msg);
  return {
    logger,
    lines,
    errorMessages,
    /**
     * Waits until an entry's message matches `pattern`, or until an error is logged — then fails
     * showing it, so a regression ends the test instead of hanging it.
     */
    async until(pattern: RegExp): Promise<void> {
      while (!lines.some((l) => pattern.test(l.msg) || l.level >= 50)) await delay(10);
      assert.deepEqual(errorMessages(), []);
    },
  };
}
