/**
 * chokidar on one root, configured for an audit log: `atomic: false` (the default silently drops
 * `*~`, `.*.swp`, `.*.swx` and `.subl*.tmp` files and delays unlinks by 100 ms), `ignoreInitial` (the reconcile scan, not the
 * watcher, knows what was there), links not followed, excluded folders not entered (decided only
 * when chokidar passes stats, or whole folders get skipped). Its events are hints: only the path
 * matters, never the event name.
 */
import { type FSWatcher, watch } from "chokidar";
import type { RootWatcher, RootWatcherHandlers } from "./root-watcher.ts";

/** Starts watching `root` with chokidar; `excludesDir(absPath)` says which folders not to enter. */
export function watchWithChokidar(
  root: string,
  excludesDir: (absPath: string) => boolean,
  handlers: RootWatcherHandlers,
): RootWatcher {
  const watcher: FSWatcher = watch(root, {
    atomic: false,
    ignoreInitial: true,
    followSymlinks: false,
    persistent: true,
    ignorePermissionErrors: false,
    ignored: (p, stats) => (stats?.isDirectory() ? p !== root && excludesDir(p) : false),
  });
  watcher.on("add", (p) => handlers.hint(p, "file"));
  watcher.on("change", (p) => handlers.hint(p, "file"));
  watcher.on("unlink", (p) => handlers.hint(p, "file"));
  watcher.on("addDir", (p) => handlers.hint(p, "dir"));
  watcher.on("unlinkDir", (p) => handlers.hint(p, "dir"));
  watcher.on("error", (err) => handlers.error(err as NodeJS.ErrnoException));
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return { ready, close: () => watcher.close() };
}
