/**
 * What commands share before they do their work: the `.env` file, the configuration, and giving up
 * with one line and an exit status. A configuration mistake prints one line naming the variable and
 * exits 78 (EX_CONFIG), which the systemd unit lists in RestartPreventExitStatus so a broken `.env`
 * does not restart-loop.
 */
import { existsSync } from "node:fs";
import { type Config, ConfigError, EXIT_CONFIG, loadConfig } from "../config.ts";

/** Writes `telegram-logger: message` to standard error and exits with `status`. */
export function fail(message: string, status: number): never {
  process.stderr.write(`telegram-logger: ${message}\n`);
  process.exit(status);
}

/**
 * Exits 78 with `err`'s one line. When `--config FILE` replaced WATCH_CONFIG (`configFile` set),
 * the line names the flag the user typed instead of the variable.
 */
export function failConfig(err: ConfigError, configFile: string | null = null): never {
  const culprit = configFile !== null && err.variable === "WATCH_CONFIG" ? "--config" : err.variable;
  fail(`configuration error: ${culprit}${err.message.slice(err.variable.length)}`, EXIT_CONFIG);
}

/** Adds `./.env` (or the file ENV_FILE names) to `process.env` when it exists; exits 78 when unreadable. */
export function loadEnvFile(): void {
  const file = process.env.ENV_FILE ?? ".env";
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    fail(`configuration error: ENV_FILE: cannot read ${file}: ${(err as Error).message}`, EXIT_CONFIG);
  }
}

/** The environment with `.env` loaded and `--config FILE`, when given, as WATCH_CONFIG. */
export function serviceEnvironment(configFile: string | null): Record<string, string | undefined> {
  loadEnvFile();
  return configFile === null ? process.env : { ...process.env, WATCH_CONFIG: configFile };
}

/** The configuration of `env`; exits 78 naming the variable when it is not valid. */
export function configOrExit(env: Record<string, string | undefined>, configFile: string | null): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err, configFile);
    throw err;
  }
}
