/**
 * What a root watcher knows of the folders it has entered: for each folder, the names of the files
 * and of the sub-folders it listed there. It is the least the watcher must remember to turn "folder
 * `a` is gone" into a hint for every file that was below it (the kernel names only `a`), and to
 * tell a new folder (to enter) from a known one. Names only, no stats: about 60 bytes a file.
 * Pure: the `fs-watch` watcher (folder-watcher.ts) feeds it what it read on disk.
 */
import path from "node:path";

/** One entered folder's names. */
export interface WatchedFolder {
  readonly files: Set<string>;
  readonly dirs: Set<string>;
}

/** Everything below a folder that was forgotten, as absolute paths. */
export interface Forgotten {
  files: string[];
  /** The folder itself and every folder below it, parents before children. */
  dirs: string[];
}

/** The entered folders of one root, keyed by absolute path. */
export class WatchTree {
  readonly #folders = new Map<string, WatchedFolder>();

  /** How many folders are entered. */
  get size(): number {
    return this.#folders.size;
  }

  /** The entered folder at `dir`, if any. */
  folder(dir: string): WatchedFolder | undefined {
    return this.#folders.get(dir);
  }

  /** Records the listing of `dir` (entered now, or listed again), and its name in its parent. */
  enter(dir: string, files: Iterable<string>, dirs: Iterable<string>): WatchedFolder {
    const folder = { files: new Set(files), dirs: new Set(dirs) };
    this.#folders.set(dir, folder);
    const parent = this.#folders.get(path.dirname(dir));
    if (parent && parent !== folder) {
      const name = path.basename(dir);
      parent.files.delete(name);
      parent.dirs.add(name);
    }
    return folder;
  }

  /**
   * Forgets `dir` and everything below it (also its name in its parent), returning what was known
   * there. A folder listed in its parent but never entered (excluded, unreadable) counts as a
   * folder with nothing known below it.
   */
  forget(dir: string): Forgotten {
    const out: Forgotten = { files: [], dirs: [] };
    const stack = [dir];
    while (stack.length > 0) {
      const d = stack.pop()!;
      out.dirs.push(d);
      const folder = this.#folders.get(d);
      if (!folder) continue;
      this.#folders.delete(d);
      for (const f of folder.files) out.files.push(path.join(d, f));
      for (const sub of folder.dirs) stack.push(path.join(d, sub));
    }
    this.#folders.get(path.dirname(dir))?.dirs.delete(path.basename(dir));
    return out;
  }

  /** Every entered folder. */
  folders(): IterableIterator<string> {
    return this.#folders.keys();
  }

  clear(): void {
    this.#folders.clear();
  }
}
