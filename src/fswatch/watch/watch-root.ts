/**
 * Where a root's change hints come from. Two watchers give the same hints: chokidar (the default,
 * configured for an audit log in chokidar-watcher.ts) and `fs-watch`, the service's own per-folder
 * watcher for large trees (folder-watcher.ts).
 */
import type { WatcherKind } from "../config/watch-config.ts";
import { watchWithChokidar } from "./chokidar-watcher.ts";
import { watchFolders } from "./folder-watcher.ts";
import type { RootWatcher, RootWatcherHandlers } from "./root-watcher.ts";

/** Starts watching `root` with the watcher `kind`; `excludesDir(absPath)` says which folders not to enter. */
export function watchRoot(
  kind: WatcherKind,
  root: string,
  excludesDir: (absPath: string) => boolean,
  handlers: RootWatcherHandlers,
): RootWatcher {
  return kind === "fs-watch"
    ? watchFolders(root, excludesDir, handlers)
    : watchWithChokidar(root, excludesDir, handlers);
}
