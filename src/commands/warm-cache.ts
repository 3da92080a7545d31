/**
 * `telegram-logger warm-cache`: fills Node's compile cache (`NODE_COMPILE_CACHE`), where the
 * transpiled TypeScript and V8's compiled code of every module are kept between starts. Without
 * it, each start strips the types of every `.ts` file again, which loads Node's TypeScript stripper
 * (a WebAssembly build of swc) and compiles everything from source: the idle service's RSS was
 * ~27 MB higher and its start slower (bench/ops-idle.bench.ts). `npm start`, the Docker image and
 * the systemd unit set the variable.
 *
 * A start fills the cache with the modules it loaded; this command loads every module of the
 * service once, Telegram's modules included: the Docker image runs it at build time and the
 * systemd unit before each start, so even their first start finds a full cache.
 */
import { readdirSync } from "node:fs";
import { flushCompileCache, getCompileCacheDir } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError } from "../config.ts";
import type { Command } from "./command.ts";
import { failConfig } from "./setup.ts";

/** `src/`, every module of the service. */
const SOURCES = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** The command's entry: already compiled by the process that runs the warm-up. */
const ENTRY = path.join(SOURCES, "main.ts");

const USAGE = `Usage: telegram-logger warm-cache

Loads every module once so Node's compile cache (the folder NODE_COMPILE_CACHE names) holds them
all, then exits; the Docker image runs it at build time, the systemd unit before each start.

Exit status: 0 ok, 64 usage error, 78 NODE_COMPILE_CACHE not set or not usable.`;

/** Every module of the service: the `.ts` files under `src/`, in a stable order. */
export function serviceModules(): string[] {
  return readdirSync(SOURCES, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(SOURCES, f))
    .sort();
}

/**
 * Loads every module of the service (their top levels only declare things) so the compile cache
 * holds them all, and writes the cache out. Returns how many modules were loaded and where the
 * cache is. Throws `ConfigError` when this process has no compile cache.
 */
export async function warmCompileCache(): Promise<{ dir: string; modules: number }> {
  const dir = getCompileCacheDir();
  if (dir === undefined)
    throw new ConfigError("NODE_COMPILE_CACHE", "is not set, or its folder cannot be created by this user");
  const modules = serviceModules();
  for (const file of modules) if (file !== ENTRY) await import(pathToFileURL(file).href);
  flushCompileCache();
  return { dir, modules: modules.length };
}

/** Fills the compile cache; needs no configuration, not even `.env`. */
export const warmCache: Command = {
  name: "warm-cache",
  summary: "compile every module into Node's compile cache (NODE_COMPILE_CACHE), exit",
  usage: USAGE,
  async run() {
    try {
      const { dir, modules } = await warmCompileCache();
      process.stdout.write(`${modules} modules compiled into ${dir}\n`);
    } catch (err) {
      if (err instanceof ConfigError) failConfig(err);
      throw err;
    }
  },
};
