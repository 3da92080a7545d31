/**
 * The logger and error log of the commands that run the service's code (`run`, `login`, `scan`),
 * built from a loaded configuration. Imported inside their `run` so the other commands do without
 * the logger's modules.
 */
import { type Config, secretValues } from "../config.ts";
import { ErrorLog } from "../http/health/error-log.ts";
import { createLogger, type Logger } from "../log.ts";

/** A configured command's logger and the error log /health reads. */
export interface Service {
  log: Logger;
  errors: ErrorLog;
}

/**
 * The logger of `config`. Every error it logs is remembered for /health (last_error_at,
 * last_error_msg), sanitized of the configuration's secrets. From here on one bad promise
 * somewhere (GramJS has a few) is logged instead of taking the process down.
 */
export function startService(config: Config): Service {
  const errors = new ErrorLog(
    () => Date.now(),
    () => secretValues(config),
  );
  const log = createLogger({
    level: config.logLevel,
    onError: (message, err) => errors.record(message, err),
  });
  process.on("unhandledRejection", (reason) =>
    log.error({ err: reason }, "unhandled rejection (service keeps running)"),
  );
  return { log, errors };
}
