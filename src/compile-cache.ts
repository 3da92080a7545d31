/**
 * Node's compile cache (`NODE_COMPILE_CACHE`): where the transpiled TypeScript and V8's compiled
 * code of every module are kept between starts. Without it, each start strips the types of every
 * `.ts` file again, which loads Node's TypeScript stripper (a WebAssembly build of swc) and compiles
 * everything from source: the idle service's RSS was ~27 MB higher and its start slower
 * (bench/ops-idle.bench.ts). `npm start`, the Docker image and the systemd unit set the variable.
 *
 * A start fills the cache with the modules it loaded; `warmCompileCache` loads every module of the
 * service once, Telegram's modules included: the Docker image runs it at build time and the systemd
 * unit before each start, so even their first start finds a full cache.
 */
import { readdirSync } from "node:fs";
import { flushCompileCache, getCompileCacheDir } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ConfigError } from "./config.ts";

const SOURCES = path.dirname(fileURLToPath(import.meta.url));
/** The command's entry: already compiled by the process that runs the warm-up. */
const ENTRY = path.join(SOURCES, "main.ts");

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
