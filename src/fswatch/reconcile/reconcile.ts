/**
 * One reconcile pass of a root: walk it, compare with the snapshot, record what changed. This is
 * the source of truth of the file audit; watcher events only make it faster. It runs at start
 * (finding what changed while the service was down), on the root's schedule, after a watcher error
 * or an event burst, and as `telegram-logger scan`. The first pass of a new root is a silent
 * baseline unless the root says `emit_on_start`. Renamed folders are paired first (dir-renames.ts),
 * each as one change carrying its files; the rest is compared file by file.
 */
import type { DirStateStore } from "../../store/dir-state.ts";
import type { FileStateStore } from "../../store/file-state.ts";
import type { FileChange, RootContext } from "../change.ts";
import type { Recorder } from "../recorder.ts";
import { pairDirRenames } from "./dir-renames.ts";
import { walkRoot } from "./observe.ts";
import { prepareChanges } from "./prepare-changes.ts";
import { checkRoot } from "./root-check.ts";
import { diffSnapshot, type StatIdentity, sameIdentity } from "./snapshot-diff.ts";

/** What a reconcile pass did. */
export type ReconcileOutcome =
  | {
      online: true;
      baseline: boolean;
      files: number;
      counts: Record<FileChange["type"], number>;
      skipped: Array<{ rel: string; reason: string }>;
      errors: Array<{ rel: string; error: string }>;
      /** Paths that changed while being hashed: look again later. */
      retry: string[];
      durationMs: number;
    }
  | { online: false; reason: string };

/** What a pass needs. */
export interface ReconcileDeps {
  fileState: FileStateStore;
  dirState: DirStateStore;
  recorder: Recorder;
  transaction: <T>(fn: () => T) => T;
  now: () => number;
}

/** Options of one pass. */
export interface ReconcileOptions {
  /** When watcher hints first saw paths (their events keep that time). */
  seenAt?: ReadonlyMap<string, number>;
  onProgress?: (filesSeen: number) => void;
}

function under(rel: string, dirs: string[]): boolean {
  return dirs.some((d) => d === "" || rel.startsWith(`${d}/`));
}

/** Brings the root's folder inodes up to date with the walk (folders it could not read are kept). */
function saveDirs(
  deps: ReconcileDeps,
  root: string,
  before: ReadonlyMap<string, number>,
  now: ReadonlyMap<string, number>,
  unreadable: string[],
): void {
  const at = deps.now();
  for (const rel of before.keys())
    if (!now.has(rel) && !unreadable.includes(rel) && !under(rel, unreadable))
      deps.dirState.remove(root, rel);
  for (const [rel, ino] of now) if (before.get(rel) !== ino) deps.dirState.put(root, rel, ino, at);
}

/** Reconciles `ctx`'s root with its snapshot; `correlationId` is stamped on every row the pass writes. */
export async function reconcileRoot(
  ctx: RootContext,
  deps: ReconcileDeps,
  correlationId: string,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const started = performance.now();
  const root = ctx.cfg.path;
  const row = deps.fileState.getRoot(root);
  const before = await checkRoot(root, row?.mountPoint ?? false);
  if (!before.online) return before;
  const walk = await walkRoot(root, ctx.filter, options.onProgress);
  // A root that vanished during the walk would look empty: check again before believing the walk.
  const after = await checkRoot(root, before.mountPoint);
  if (!after.online) return after;

  const now = deps.now();
  const seen = (rel: string) => options.seenAt?.get(rel) ?? now;
  const snapshot = deps.fileState.load(root);
  const dirSnapshot = deps.dirState.load(root);
  const candidates: FileChange[] = [];
  const dropped: FileChange[] = [];
  const baseline = !row?.baselineAt;
  if (baseline) {
    for (const [rel, meta] of walk.files)
      candidates.push({ type: "created", rel, meta, checksum: null, seenAt: seen(rel) });
  } else {
    // What the snapshot knows and the comparison may judge: the snapshot itself, minus what it may
    // not (no copy: on a 100,000-file root each copy of these maps costs megabytes of resident memory).
    const known: Map<string, StatIdentity> = snapshot;
    for (const [rel, s] of snapshot) {
      if (!ctx.filter.includesFile(rel)) {
        // No longer audited (the patterns changed): forget it quietly, it was not deleted.
        dropped.push({ type: "deleted", rel, prev: s, checksum: null, seenAt: now, silent: true });
        known.delete(rel);
      } else if (!walk.files.has(rel) && under(rel, walk.unreadableDirs)) {
        // Behind a folder we cannot read now: unknown, not deleted.
        known.delete(rel);
      }
    }
    const pairing = pairDirRenames(dirSnapshot, walk.dirs, known, walk.files);
    for (const r of pairing.renames) {
      candidates.push({
        type: "renamed",
        rel: r.to,
        fromRel: r.from,
        checksum: null,
        seenAt: seen(r.to),
        dir: { files: r.files, moves: r.moves },
      });
    }
    const remaining = pairing.moved.size > 0 ? new Map(walk.files) : walk.files;
    for (const [from, to] of pairing.moved) {
      const prev = snapshot.get(from)!;
      known.delete(from);
      remaining.delete(to);
      const meta = walk.files.get(to)!;
      // Carried along by its folder's rename, and changed as well: a modification of its own.
      if (!sameIdentity(prev, meta) || prev.kind !== meta.kind)
        candidates.push({
          type: "modified",
          rel: to,
          snapshotRel: from,
          meta,
          prev,
          checksum: null,
          seenAt: seen(to),
        });
    }
    const diff = diffSnapshot(known, remaining);
    for (const rel of diff.created)
      candidates.push({
        type: "created",
        rel,
        meta: walk.files.get(rel)!,
        checksum: null,
        seenAt: seen(rel),
      });
    for (const rel of diff.changed) {
      candidates.push({
        type: "modified",
        rel,
        meta: walk.files.get(rel)!,
        prev: snapshot.get(rel),
        checksum: null,
        seenAt: seen(rel),
      });
    }
    for (const rel of diff.deleted)
      candidates.push({ type: "deleted", rel, prev: snapshot.get(rel), checksum: null, seenAt: seen(rel) });
    for (const { from, to } of diff.renamed) {
      candidates.push({
        type: "renamed",
        rel: to,
        fromRel: from,
        meta: walk.files.get(to)!,
        prev: snapshot.get(from),
        checksum: null,
        seenAt: seen(to),
      });
    }
  }
  const prepared = await prepareChanges(ctx, candidates, (rel) => deps.fileState.content(root, rel));
  const silentBaseline = baseline && !ctx.cfg.emitOnStart;
  deps.recorder.apply(ctx, dropped, correlationId);
  deps.recorder.apply(ctx, prepared.changes, correlationId, silentBaseline);
  deps.transaction(() => {
    saveDirs(deps, root, dirSnapshot, walk.dirs, walk.unreadableDirs);
    deps.fileState.saveRoot(
      root,
      {
        baselineAt: row?.baselineAt ?? deps.now(),
        lastScanAt: deps.now(),
        status: "online",
        mountPoint: after.mountPoint,
      },
      deps.now(),
    );
  });
  const counts = { created: 0, modified: 0, deleted: 0, renamed: 0 };
  if (!silentBaseline) for (const c of prepared.changes) if (!c.silent) counts[c.type]++;
  return {
    online: true,
    baseline,
    files: walk.files.size,
    counts,
    skipped: walk.skipped,
    errors: [...walk.errors, ...prepared.errors],
    retry: prepared.retry,
    durationMs: Math.round(performance.now() - started),
  };
}
