import type { FileChange } from "../change.ts";
import { mapLimit } from "../map-limit.ts";
import { checkFolders, type FolderCheckDeps, foldersOf } from "../reconcile/folder-check.ts";
import { type Observation, observe } from "../reconcile/observe.ts";
import { prepareChanges } from "../reconcile/prepare-changes.ts";
import { sameIdentity } from "../reconcile/snapshot-diff.ts";
import { takeDue } from "./hint-settler.ts";

/** What the examiner reads and writes: the root's context, snapshot stores and recorder. */
export interface HintExaminerDeps extends FolderCheckDeps {
  renameWindowMs: number;
}

/**
 * What the examiner asks of the root it works for (its auditor). `correlationId` is the id of the
 * task in the root's serial queue that is running the examination.
 */
export interface ExaminedRoot {
  /** Whether the root can be reached (when not, the root goes offline and nothing is recorded). */
  verifyOnline(correlationId: string): Promise<boolean>;
  /** Records a per-path problem (once per run). */
  note(rel: string, type: string, status: "skipped" | "error", problem: string, correlationId: string): void;
  /** Looks at `rel` again after a settle window, keeping when it was first seen. */
  rehint(rel: string, seenAt: number): void;
  /** Runs `task` in the root's serial queue, with the id of that task. */
  enqueue(task: (correlationId: string) => Promise<void>): void;
  /** Queues a reconcile pass of the root for what hints cannot settle (paths → when first seen). */
  rescan(seenAt: Map<string, number>): void;
}

/**
 * Examines settled hints of one root: renamed folders first (reconcile/folder-check.ts), then each
 * path against the snapshot. A vanished file waits out the rename window before it counts as
 * deleted. All calls come from the root's serial queue.
 */
export class HintExaminer {
  readonly #d: HintExaminerDeps;
  readonly #root: ExaminedRoot;
  readonly #deferred = new Map<string, { due: number; seenAt: number }>();
  #deferTimer: NodeJS.Timeout | undefined;

  constructor(deps: HintExaminerDeps, root: ExaminedRoot) {
    this.#d = deps;
    this.#root = root;
  }

  /** How many vanished paths wait out the rename window. */
  get waiting(): number {
    return this.#deferred.size;
  }

  /** Forgets the vanished paths waiting (the root stopped or went offline). */
  clear(): void {
    clearTimeout(this.#deferTimer);
    this.#deferTimer = undefined;
    this.#deferred.clear();
  }

  /** Examines settled paths (path → when first seen) in the task `correlationId`. */
  async examine(batch: Map<string, number>, correlationId: string): Promise<void> {
    if (!(await this.#root.verifyOnline(correlationId))) return;
    const { ctx, fileState } = this.#d;
    const root = ctx.cfg.path;
    const seenAt = new Map(batch);
    const seen = (rel: string) => seenAt.get(rel) ?? this.#d.now();
    const looks = new Map<string, Observation>();
    await mapLimit([...batch.keys()], 16, async (rel) => {
      looks.set(rel, await observe(root, rel));
    });

    // A new file, or one not the file the snapshot knows there, may sit in a renamed folder.
    const folders: string[] = [];
    for (const [rel, o] of looks) {
      if (o.state === "dir" && !ctx.filter.excludesDir(rel)) folders.push(...foldersOf(rel, true));
      else if (o.state === "file" && ctx.filter.includesFile(rel)) {
        const prev = fileState.get(root, rel);
        if (!prev || !sameIdentity(prev, o.meta)) folders.push(...foldersOf(rel, false));
      }
    }
    const found = await checkFolders(this.#d, folders, seen, correlationId);
    if (found.rescan) {
      this.#root.rescan(seenAt);
      return;
    }
    for (const rel of found.retry) this.#root.rehint(rel, seen(rel));
    for (const e of found.errors) this.#root.note(e.rel, "file.error", "error", e.error, correlationId);
    for (const rel of found.left) this.#defer(rel, seen(rel));
    for (const rel of found.arrived) {
      if (looks.has(rel)) continue;
      looks.set(rel, await observe(root, rel));
      seenAt.set(rel, this.#d.now());
    }
    await this.#examineFiles(looks, seenAt, correlationId);
  }

  async #examineFiles(
    looks: Map<string, Observation>,
    seenAt: Map<string, number>,
    correlationId: string,
  ): Promise<void> {
    const { ctx, fileState } = this.#d;
    const root = ctx.cfg.path;
    const claimed = new Set<string>();
    const candidates: FileChange[] = [];
    await mapLimit([...looks], 16, async ([rel, o]) => {
      if (o.state === "dir" || !ctx.filter.includesFile(rel)) return;
      const seen = seenAt.get(rel) ?? this.#d.now();
      const prev = fileState.get(root, rel);
      if (o.state === "file") {
        if (prev) {
          if (!sameIdentity(prev, o.meta) || prev.kind !== o.meta.kind) {
            candidates.push({ type: "modified", rel, meta: o.meta, prev, checksum: null, seenAt: seen });
          }
          return;
        }
        for (const old of fileState.byInode(root, o.meta.ino)) {
          if (
            old.rel === rel ||
            claimed.has(old.rel) ||
            old.size !== o.meta.size ||
            old.mtimeMs !== o.meta.mtimeMs
          )
            continue;
          const then = await observe(root, old.rel);
          if (then.state === "file" && then.meta.ino === old.ino) continue;
          claimed.add(old.rel);
          this.#deferred.delete(old.rel);
          candidates.push({
            type: "renamed",
            rel,
            fromRel: old.rel,
            meta: o.meta,
            prev: old,
            checksum: null,
            seenAt: seen,
          });
          return;
        }
        candidates.push({ type: "created", rel, meta: o.meta, checksum: null, seenAt: seen });
      } else if (o.state === "missing") {
        if (prev) this.#defer(rel, seen);
      } else if (o.state === "skipped") {
        this.#root.note(rel, "file.skipped", "skipped", o.reason, correlationId);
      } else if (o.state === "error") {
        this.#root.note(rel, "file.error", "error", o.error, correlationId);
      }
    });
    await this.#record(candidates, seenAt, correlationId);
  }

  async #record(candidates: FileChange[], seen: Map<string, number>, correlationId: string): Promise<void> {
    const { ctx, fileState } = this.#d;
    const prepared = await prepareChanges(ctx, candidates, (rel) => fileState.content(ctx.cfg.path, rel));
    this.#d.recorder.apply(ctx, prepared.changes, correlationId);
    for (const rel of prepared.retry) this.#root.rehint(rel, seen.get(rel) ?? this.#d.now());
    for (const e of prepared.errors) this.#root.note(e.rel, "file.error", "error", e.error, correlationId);
  }

  #defer(rel: string, seenAt: number): void {
    this.#deferred.set(rel, { due: this.#d.now() + this.#d.renameWindowMs, seenAt });
    this.#deferTimer ??= setTimeout(() => this.#onDeferred(), this.#d.renameWindowMs);
  }

  #onDeferred(): void {
    this.#deferTimer = undefined;
    const now = this.#d.now();
    const { due, next } = takeDue(
      this.#deferred,
      now,
      (d) => d.due,
      (d) => d.seenAt,
    );
    if (due.size > 0) this.#root.enqueue((correlationId) => this.#deleteVanished(due, correlationId));
    if (this.#deferred.size > 0)
      this.#deferTimer = setTimeout(() => this.#onDeferred(), Math.max(1, next - now));
  }

  /** Vanished paths whose rename window passed: deleted, unless they came back or the root is gone. */
  async #deleteVanished(due: Map<string, number>, correlationId: string): Promise<void> {
    if (!(await this.#root.verifyOnline(correlationId))) return;
    const root = this.#d.ctx.cfg.path;
    const candidates: FileChange[] = [];
    const back = new Map<string, number>();
    for (const [rel, seenAt] of due) {
      const prev = this.#d.fileState.get(root, rel);
      if (!prev) continue; // claimed by a rename
      const o = await observe(root, rel);
      if (o.state === "missing") candidates.push({ type: "deleted", rel, prev, checksum: null, seenAt });
      else back.set(rel, seenAt);
    }
    await this.#record(candidates, due, correlationId);
    if (back.size > 0) await this.examine(back, correlationId);
  }
}
