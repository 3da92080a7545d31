/**
 * Where a root's change hints come from. Two watchers give the same hints: chokidar (the default,
 * configured for an audit log in chokidar-watcher.ts) and `fs-watch`, the service's own per-folder
 * watcher for large trees (folder-watcher.ts). Either may miss events under load; the reconcile
 * pass finds what they missed.
 */
import { watchWithChokidar } from "./chokidar-watcher.ts";
import { watchFolders } from "./folder-watcher.ts";
import type { WatcherKind } from "./watch-config.ts";

/** A running watcher. */
export interface RootWatcher {
  /** Resolves when every folder of the root is watched (or could not be). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Callbacks of a root watcher. */
export interface RootWatcherHandlers {
  /** Something happened at `absPath` (a file or folder added, changed or removed). */
  hint(absPath: string, kind: "file" | "dir"): void;
  error(err: NodeJS.ErrnoException): void;
}

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
