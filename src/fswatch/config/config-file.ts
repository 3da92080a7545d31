/**
 * Reading the watch-config file, and noticing when it is edited, so a changed config takes effect
 * without a restart: the file's folder is watched, so editors that save by writing a new file and
 * renaming it over the old one are seen too. Edits are debounced; what to do with them is the caller's business.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { watch } from "chokidar";
import { parseWatchConfig, type WatchConfig, WatchConfigError } from "./watch-config.ts";

/** Reads and validates the watch-config file; throws `WatchConfigError`. */
export function readWatchConfig(file: string): WatchConfig {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (err) {
    throw new WatchConfigError(
      "",
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseWatchConfig(source, path.dirname(file));
}

/** Calls `onEdit` (debounced by `debounceMs`) whenever `file` is written, replaced or removed. */
export function watchConfigFile(
  file: string,
  onEdit: () => void,
  debounceMs = 200,
): { close(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  const dir = path.dirname(file);
  const watcher = watch(dir, { atomic: false, ignoreInitial: true, depth: 0, persistent: true });
  const onEvent = (p: string) => {
    if (path.resolve(p) !== file) return;
    clearTimeout(timer);
    timer = setTimeout(onEdit, debounceMs);
  };
  watcher.on("add", onEvent).on("change", onEvent).on("unlink", onEvent);
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
