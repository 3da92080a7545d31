/**
 * Folds a root's recorded changes into one log-chat post per window (the root's `digest_window`,
 * 60 s by default) and queues it through the feed's outbox, following the root's `notify`:
 * `none` posts nothing, `deletions` only deletions (and renames, which remove a name), `all`
 * everything. Pending digests are queued at once when the audit stops.
 *
 * A digest waiting for its window lives in memory, but its changes are `events` rows: each root
 * keeps a watermark in `kv` (the last of its events a digest dealt with), moved in the same
 * transaction as the post is queued. When a root starts, the changes recorded after its watermark
 * (a digest lost to a crash or `kill -9`) are posted then; after a clean stop there are none, so
 * each change is in exactly one digest.
 */
import path from "node:path";
import type { Logger } from "pino";
import type { ChangeType } from "../../model/file-change.ts";
import { type DigestItem, type DigestPost, digestPost } from "../../posts/file-digest.ts";
import type { EventStore, FileChangeRow } from "../../store/events.ts";
import type { KeyValueStore } from "../../store/kv.ts";
import type { FileChange, RootContext } from "../change.ts";

/** Where digests go (the feed, in the app). */
export type DigestSink = (project: string, post: DigestPost) => void;

/** What the digester needs. */
export interface DigesterDeps {
  sink: DigestSink;
  now: () => number;
  /** Runs `fn` in one transaction: the post and the watermark move together. */
  transaction: <T>(fn: () => T) => T;
  kv: KeyValueStore;
  events: EventStore;
  log: Logger;
}

/** How long a digest that could not be queued (a locked database, a full disk) waits to try again. */
const FLUSH_RETRY_MS = 5000;

interface Pending {
  ctx: RootContext;
  items: DigestItem[];
  from: number;
  /** The last event of the root seen since the watermark (shown or left out by `notify`). */
  lastEventId: number;
  timer: NodeJS.Timeout;
}

/** The `kv` key of a root's digest watermark. */
function watermarkKey(root: string): string {
  return `fswatch.digested:${root}`;
}

function wanted(ctx: RootContext, type: ChangeType): boolean {
  const mode = ctx.cfg.notify;
  return mode === "all" || (mode === "deletions" && (type === "deleted" || type === "renamed"));
}

/** A recorded change, back from its `events` row. */
function itemOf(row: FileChangeRow, root: string): DigestItem {
  const details = (row.details ? JSON.parse(row.details) : {}) as Record<string, unknown>;
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join("/");
  const item: DigestItem = { type: row.type.slice("file.".length) as ChangeType, rel: rel(row.path ?? root) };
  if (typeof details.oldPath === "string") item.fromRel = rel(details.oldPath);
  if (details.kind === "directory" && typeof details.files === "number") item.folderFiles = details.files;
  return item;
}

/** Collects changes per root and posts them as digests. */
export class Digester {
  readonly #d: DigesterDeps;
  readonly #pending = new Map<string, Pending>();

  constructor(deps: DigesterDeps) {
    this.#d = deps;
  }

  /** Takes recorded changes of a root (each with its `eventId`). */
  add(ctx: RootContext, changes: readonly FileChange[]): void {
    const key = ctx.cfg.path;
    let last = 0;
    for (const c of changes) last = Math.max(last, c.eventId ?? 0);
    const items = changes
      .filter((c) => wanted(ctx, c.type))
      .map((c) => ({ type: c.type, rel: c.rel, fromRel: c.fromRel, folderFiles: c.dir?.files }));
    const p = this.#pending.get(key);
    if (p) {
      p.items.push(...items);
      p.ctx = ctx;
      p.lastEventId = Math.max(p.lastEventId, last);
      return;
    }
    if (items.length === 0) {
      // Nothing to show: these changes are dealt with.
      if (last > 0) this.#advance(key, last);
      return;
    }
    const timer = setTimeout(() => this.#flushOrRetry(key), ctx.cfg.digestWindowMs);
    timer.unref();
    this.#pending.set(key, { ctx, items, from: this.#d.now(), lastEventId: last, timer });
  }

  /**
   * At a root's start: posts the changes recorded after its watermark, which a crash kept from
   * their digest. A root seen for the first time (or with `notify: none`) starts from now.
   */
  recover(ctx: RootContext): void {
    const root = ctx.cfg.path;
    this.#flush(root);
    const mark = this.#d.kv.get(watermarkKey(root));
    if (mark === undefined || ctx.cfg.notify === "none") {
      this.#advance(root, this.#d.events.lastId());
      return;
    }
    const rows = this.#d.events.fileChangesAfter(root, Number(mark));
    if (rows.length === 0) return;
    const items = rows.map((r) => itemOf(r, root)).filter((i) => wanted(ctx, i.type));
    const { project } = ctx.cfg;
    this.#d.transaction(() => {
      if (items.length > 0)
        this.#d.sink(project, digestPost(project, root, items, rows[0]!.occurredAt, this.#d.now()));
      this.#advance(root, rows.at(-1)!.id);
    });
  }

  /** Moves `root`'s watermark up to `lastEventId` (never down). */
  #advance(root: string, lastEventId: number): void {
    const key = watermarkKey(root);
    const mark = this.#d.kv.get(key);
    if (mark === undefined || lastEventId > Number(mark))
      this.#d.kv.set(key, String(lastEventId), this.#d.now());
  }

  #flush(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    const post = digestPost(p.ctx.cfg.project, p.ctx.cfg.path, p.items, p.from, this.#d.now());
    this.#d.transaction(() => {
      this.#d.sink(p.ctx.cfg.project, post);
      this.#advance(key, p.lastEventId);
    });
    this.#pending.delete(key);
  }

  /** The window is over: queue the digest, or (storage failing) keep it and try again soon. */
  #flushOrRetry(key: string): void {
    try {
      this.#flush(key);
    } catch (err) {
      const p = this.#pending.get(key);
      this.#d.log.error(
        { err, root: key, retryInMs: FLUSH_RETRY_MS },
        "could not queue a file digest; retrying",
      );
      if (!p) return;
      p.timer = setTimeout(() => this.#flushOrRetry(key), FLUSH_RETRY_MS);
      p.timer.unref();
    }
  }

  /**
   * Queues every pending digest now (at stop, or for a root being removed). One that cannot be
   * queued is not lost: its changes are rows after the root's watermark, posted at the next start.
   */
  flushAll(root?: string): void {
    for (const key of [...this.#pending.keys()]) {
      if (root !== undefined && key !== root) continue;
      try {
        this.#flush(key);
      } catch (err) {
        this.#pending.delete(key);
        this.#d.log.error(
          { err, root: key },
          "could not queue a file digest; it is posted at the next start",
        );
      }
    }
  }
}
