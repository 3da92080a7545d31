/**
 * What every root watcher gives: hints of paths that may have changed, and errors. Two watchers
 * implement it (chokidar-watcher.ts, folder-watcher.ts; watch-root.ts chooses one). Either may miss
 * events under load; the reconcile pass finds what they missed.
 */

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
