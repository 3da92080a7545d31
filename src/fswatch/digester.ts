/**
 * Folds a root's recorded changes into one log-chat post per window (the root's `digest_window`,
 * 60 s by default) and queues it through the feed's outbox, following the root's `notify`:
 * `none` posts nothing, `deletions` only deletions (and renames, which remove a name), `all`
 * everything. Pending digests are queued at once when the audit stops.
 */
import type { FileChange, RootContext } from "./changes.ts";
import { type DigestItem, type DigestPost, digestPost } from "./digest.ts";

/** Where digests go (the feed, in the app). */
export type DigestSink = (project: string, post: DigestPost) => void;

interface Pending {
  ctx: RootContext;
  items: DigestItem[];
  from: number;
  timer: NodeJS.Timeout;
}

/** Collects changes per root and posts them as digests. */
export class Digester {
  readonly #sink: DigestSink;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();

  constructor(sink: DigestSink, now: () => number) {
    this.#sink = sink;
    this.#now = now;
  }

  /** Takes recorded changes of a root. */
  add(ctx: RootContext, changes: readonly FileChange[]): void {
    const mode = ctx.cfg.notify;
    if (mode === "none") return;
    const items = changes
      .filter((c) => mode === "all" || c.type === "deleted" || c.type === "renamed")
      .map((c) => ({ type: c.type, rel: c.rel, fromRel: c.fromRel, folderFiles: c.dir?.files }));
    if (items.length === 0) return;
    const key = ctx.cfg.path;
    const p = this.#pending.get(key);
    if (p) {
      p.items.push(...items);
      p.ctx = ctx;
      return;
    }
    const timer = setTimeout(() => this.#flush(key), ctx.cfg.digestWindowMs);
    timer.unref();
    this.#pending.set(key, { ctx, items, from: this.#now(), timer });
  }

  #flush(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    clearTimeout(p.timer);
    this.#sink(
      p.ctx.cfg.project,
      digestPost(p.ctx.cfg.project, p.ctx.cfg.path, p.items, p.from, this.#now()),
    );
  }

  /** Queues every pending digest now (at stop, or for a root being removed). */
  flushAll(root?: string): void {
    for (const key of [...this.#pending.keys()]) if (root === undefined || key === root) this.#flush(key);
  }
}
