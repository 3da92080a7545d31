/**
 * The `fs-watch` watcher of one root (`"watcher": "fs-watch"`): one inotify watch per folder
 * through Node's own `fs.watch`, the kernel mechanism chokidar's Linux backend uses too, without
 * chokidar's bookkeeping. It exists for large trees: chokidar's start-up stats every file of the
 * tree, every folder at once (tens of thousands of `lstat` promises in flight on a 100,000-file
 * tree), and that freed native memory stays resident: alone on such a tree, chokidar 6 measured
 * 250–310 MB in every configuration and `fs.watch(root, {recursive: true})` 220–240 MB, this
 * watcher ~90 MB (bench/fswatch-audit.bench.ts prints them side by side).
 * Events are hints (the snapshot comparison decides what happened), so the watcher only has to
 * name every path that may have changed:
 *  - a file added, changed or removed → that file (`file`);
 *  - a folder added → the folder (`dir`), then every file below it (it is entered and listed after
 *    its watch is set, so nothing created meanwhile is missed; a slice of folders per turn of the
 *    event loop, so a large tree moved in does not hold it);
 *  - a folder removed or replaced → every file and folder that was known below it;
 *  - the root itself removed or replaced → the root (`dir`), so the auditor checks it.
 * Names are never filtered (`*~`, `.*.swp` are files like others), links are never followed,
 * excluded folders are never entered, and a folder that cannot be watched or read is an `error`
 * (ENOSPC when the system's watch limit is reached, EACCES when unreadable) while the rest goes on.
 * Nothing is stat'ed at start: folders are told from files by the listing's entry types.
 */
import { type FSWatcher, lstatSync, readdirSync, type Stats, watch } from "node:fs";
import path from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { RootWatcher, RootWatcherHandlers } from "./root-watcher.ts";
import { WatchTree } from "./watch-tree.ts";

/** Entries listed at start between two yields to the event loop. */
const YIELD_EVERY = 2000;
/** Named paths looked at between two turns of the event loop. */
const LOOK_SLICE = 1000;

/** Starts watching `root` with `fs.watch` per folder; `excludesDir(absPath)` says which folders not to enter. */
export function watchFolders(
  root: string,
  excludesDir: (absPath: string) => boolean,
  handlers: RootWatcherHandlers,
): RootWatcher {
  const w = new FolderWatcher(root, excludesDir, handlers);
  // Started on the next microtask, not here: an error at the very first folder (the watch limit)
  // must reach a caller that already holds the watcher, so it can close it.
  const ready = Promise.resolve().then(() => w.start());
  return { ready, close: () => w.close() };
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function lstatOrNone(p: string): Stats | undefined {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

class FolderWatcher {
  readonly #root: string;
  readonly #excludesDir: (absPath: string) => boolean;
  readonly #h: RootWatcherHandlers;
  readonly #tree = new WatchTree();
  readonly #handles = new Map<string, FSWatcher>();
  /** Paths the kernel named since the last look → whether the name itself came or went. */
  readonly #pending = new Map<string, boolean>();
  /** Folders that may have been removed or replaced themselves (inotify names them by their own name). */
  readonly #selfSuspects = new Set<string>();
  /** Folders that appeared and are still to be entered (and their files hinted), a slice per look. */
  readonly #toEnter: string[] = [];
  /** The root's parent, watched only while the root is gone. */
  #rootParent: FSWatcher | undefined;
  #ready = false;
  #closed = false;
  #look: NodeJS.Immediate | undefined;

  constructor(root: string, excludesDir: (absPath: string) => boolean, handlers: RootWatcherHandlers) {
    this.#root = root;
    this.#excludesDir = excludesDir;
    this.#h = handlers;
  }

  /** Enters every folder of the root, yielding to the event loop as it goes; events wait meanwhile. */
  async start(): Promise<void> {
    const stack = [this.#root];
    let listed = 0;
    while (stack.length > 0 && !this.#closed) {
      listed += this.#enter(stack.pop()!, false, stack);
      if (listed >= YIELD_EVERY) {
        listed = 0;
        await yieldToLoop();
      }
    }
    this.#ready = true;
    this.#scheduleLook();
  }

  close(): Promise<void> {
    this.#closed = true;
    clearImmediate(this.#look);
    for (const h of this.#handles.values()) h.close();
    this.#rootParent?.close();
    this.#handles.clear();
    this.#tree.clear();
    this.#pending.clear();
    this.#selfSuspects.clear();
    this.#toEnter.length = 0;
    return Promise.resolve();
  }

  /**
   * Watches then lists `dir` (in that order: whatever is created in between is listed), pushing its
   * sub-folders onto `stack`; with `announce`, hints the folder and its files. Returns how many
   * entries it listed.
   */
  #enter(dir: string, announce: boolean, stack: string[]): number {
    if (this.#closed || this.#handles.has(dir)) return 0;
    if (dir !== this.#root && this.#excludesDir(dir)) return 0;
    try {
      const handle = watch(dir, { persistent: true }, (type, name) => this.#onEvent(dir, type, name));
      handle.on("error", (err) => this.#failed(dir, err));
      this.#handles.set(dir, handle);
    } catch (err) {
      this.#failed(dir, err);
      return 0;
    }
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      this.#failed(dir, err);
      return 0;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of entries) (e.isDirectory() ? dirs : files).push(e.name);
    this.#tree.enter(dir, files, dirs);
    if (announce) {
      this.#h.hint(dir, "dir");
      for (const f of files) this.#h.hint(path.join(dir, f), "file");
    }
    for (const d of dirs) stack.push(path.join(dir, d));
    return entries.length;
  }

  /**
   * Queues `top` and every folder below it to be entered, hinting all it finds (a folder that
   * appeared). They are entered a slice at a time, so a large folder moved in does not hold the
   * event loop while it is listed.
   */
  #enterTree(top: string): void {
    this.#toEnter.push(top);
  }

  /** Enters queued folders until about `YIELD_EVERY` entries are listed; returns whether some remain. */
  #enterSlice(): boolean {
    let listed = 0;
    while (this.#toEnter.length > 0 && listed < YIELD_EVERY && !this.#closed) {
      const dir = this.#toEnter.pop()!;
      // Gone or replaced since it was queued: its parent's events say what happened instead.
      if (dir !== this.#root && !this.#tree.folder(path.dirname(dir))?.dirs.has(path.basename(dir))) continue;
      listed += this.#enter(dir, true, this.#toEnter);
    }
    return this.#toEnter.length > 0;
  }

  /** Stops watching `dir` and below, hinting every file and folder that was known there. */
  #forget(dir: string): void {
    const gone = this.#tree.forget(dir);
    for (const d of gone.dirs) {
      this.#handles.get(d)?.close();
      this.#handles.delete(d);
    }
    for (const f of gone.files) this.#h.hint(f, "file");
    for (const d of gone.dirs) this.#h.hint(d, "dir");
  }

  #failed(dir: string, err: unknown): void {
    if (this.#closed) return;
    const e = err as NodeJS.ErrnoException;
    if (isGone(e)) {
      // The folder went before it could be watched or listed: its parent's event says so.
      this.#handles.get(dir)?.close();
      this.#handles.delete(dir);
      return;
    }
    e.path ??= dir;
    this.#h.error(e);
  }

  #onEvent(dir: string, type: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    if (name === null) {
      // No name: anything in the folder may have changed; look at the folder as a whole again.
      this.#selfSuspects.add(dir);
    } else {
      const n = String(name);
      const p = path.join(dir, n);
      const renamed = type === "rename";
      this.#pending.set(p, renamed || (this.#pending.get(p) ?? false));
      if (renamed && n === path.basename(dir)) this.#selfSuspects.add(dir);
    }
    this.#scheduleLook();
  }

  #scheduleLook(): void {
    if (!this.#ready || this.#closed || this.#look) return;
    if (this.#pending.size === 0 && this.#selfSuspects.size === 0 && this.#toEnter.length === 0) return;
    this.#look = setImmediate(() => {
      this.#look = undefined;
      this.#lookNow();
    });
  }

  /**
   * Looks at the paths named since the last look, each once however many events named it, a slice
   * at a time: between slices the event loop reads the kernel's queue, which overflows (and loses
   * events) when it is not read.
   */
  #lookNow(): void {
    if (this.#enterSlice()) {
      // Folders first: events inside a folder not yet entered are covered by its listing.
      this.#scheduleLook();
      return;
    }
    for (const dir of this.#selfSuspects) {
      this.#selfSuspects.delete(dir);
      // A child of the same name explains the event; otherwise the folder itself went or was replaced.
      let child: Stats | undefined;
      try {
        child = lstatOrNone(path.join(dir, path.basename(dir)));
      } catch {
        child = undefined;
      }
      if (child) continue;
      if (dir === this.#root) this.#checkRoot();
      else this.#pending.set(dir, true);
    }
    let budget = LOOK_SLICE;
    for (const [p, renamed] of this.#pending) {
      if (this.#closed) return;
      if (budget-- === 0) break;
      this.#pending.delete(p);
      try {
        this.#check(p, renamed);
      } catch (err) {
        this.#failed(p, err);
      }
    }
    this.#scheduleLook();
  }

  /** One path named by the kernel: what is there now, against what was known. */
  #check(p: string, renamed: boolean): void {
    const dir = path.dirname(p);
    const name = path.basename(p);
    const folder = this.#tree.folder(dir);
    if (!folder) return; // its folder is no longer watched (removed meanwhile, or never entered)
    if (!renamed && folder.files.has(name)) {
      this.#h.hint(p, "file");
      return;
    }
    const st = lstatOrNone(p);
    const wasDir = folder.dirs.has(name);
    if (st?.isDirectory()) {
      if (folder.files.delete(name)) this.#h.hint(p, "file"); // a file replaced by a folder
      if (this.#excludesDir(p)) {
        folder.dirs.add(name);
        return;
      }
      if (wasDir && !renamed && this.#tree.folder(p)) return; // only its own attributes changed
      if (wasDir) this.#forget(p); // replaced: the old watch follows the old folder
      folder.dirs.add(name);
      this.#enterTree(p);
      return;
    }
    if (wasDir) this.#forget(p);
    const known = folder.files.has(name);
    if (st) folder.files.add(name);
    else folder.files.delete(name);
    // A name that came and went between two looks was never anything to anyone.
    if (st || known) this.#h.hint(p, "file");
  }

  /**
   * The root named itself: gone (the auditor checks it; its parent is watched for its return, in
   * case it comes back before the auditor looks) or replaced (enter the new one).
   */
  #checkRoot(): void {
    const st = lstatOrNone(this.#root);
    if (!st?.isDirectory()) {
      this.#h.hint(this.#root, "dir");
      this.#awaitRoot();
      return;
    }
    this.#rootParent?.close();
    this.#rootParent = undefined;
    this.#forget(this.#root);
    this.#enterTree(this.#root);
  }

  #awaitRoot(): void {
    if (this.#rootParent) return;
    const name = path.basename(this.#root);
    try {
      this.#rootParent = watch(path.dirname(this.#root), { persistent: true }, (_type, n) => {
        if (n !== null && String(n) !== name) return;
        this.#selfSuspects.add(this.#root);
        this.#scheduleLook();
      });
      this.#rootParent.on("error", () => {});
    } catch {
      // Its parent went too: the auditor finds the root offline and starts a new watcher when it is back.
    }
  }
}
