/**
 * Routes GramJS's own log lines into pino instead of coloured text on stdout. GramJS logs the
 * ping loop's routine `TIMEOUT` and reconnect chatter as errors; they are kept at warn level.
 */

import type { Logger } from "pino";
import { Logger as GramLogger, LogLevel } from "telegram/extensions/Logger.js";

/** A GramJS logger that writes through `log` (child `{module: "gramjs"}`). */
export class PinoGramLogger extends GramLogger {
  readonly #log: Logger;

  constructor(log: Logger) {
    const level = log.isLevelEnabled("debug") ? LogLevel.DEBUG : LogLevel.WARN;
    super(level);
    this.#log = log.child({ module: "gramjs" });
  }

  override log(level: LogLevel, message: string, _color: string): void {
    if (level === LogLevel.ERROR && !/TIMEOUT|reconnect/i.test(message)) this.#log.error(message);
    else if (level === LogLevel.ERROR || level === LogLevel.WARN) this.#log.warn(message);
    else if (level === LogLevel.INFO) this.#log.info(message);
    else this.#log.debug(message);
  }
}
