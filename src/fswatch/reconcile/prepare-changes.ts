/**
 * Turning "this path differs from the snapshot" into recordable changes: hash when the root computes
 * checksums (a file whose bytes did not change is not a modification, only a snapshot update), keep
 * the text of important files and diff it against the last kept text. A file that vanishes or keeps
 * changing while being hashed is handed back to be looked at again, never recorded half-known.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FileChange, RootContext } from "../change.ts";
import { mapLimit } from "../map-limit.ts";
import { hashFile } from "./hash.ts";
import { decodeText, unifiedDiff } from "./text-diff.ts";

/** What `prepareChanges` made of the candidates. */
export interface Prepared {
  changes: FileChange[];
  /** Paths that vanished or kept changing while being hashed: to look at again. */
  retry: string[];
  /** Files that could not be read to be hashed (recorded without checksum): to report as errors. */
  errors: Array<{ rel: string; error: string }>;
}

const HASH_CONCURRENCY = 8;

async function keepText(
  ctx: RootContext,
  c: FileChange,
  previousText: (rel: string) => string | null,
): Promise<void> {
  if (c.meta?.kind !== "file" || !ctx.filter.isImportant(c.rel)) return;
  if (c.meta.size > ctx.cfg.maxDiffBytes) {
    c.content = null;
    c.diffSkipped = `larger than max_diff_bytes (${ctx.cfg.maxDiffBytes})`;
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(ctx.cfg.path, c.rel));
  } catch (err) {
    c.diffSkipped = `unreadable: ${(err as Error).message}`;
    return;
  }
  const text = bytes.length <= ctx.cfg.maxDiffBytes ? decodeText(bytes) : null;
  if (text === null) {
    c.content = null;
    c.diffSkipped = bytes.length > ctx.cfg.maxDiffBytes ? "grew past max_diff_bytes" : "binary";
    return;
  }
  c.content = text;
  if (c.type === "modified") {
    const before = previousText(c.snapshotRel ?? c.rel);
    if (before !== null && before !== text) c.diff = unifiedDiff(c.rel, c.rel, before, text);
    else if (before === null) c.diffSkipped = "no earlier text kept";
  }
}

/**
 * Hashes and reads what `candidates` need. `previousText` returns the kept text of a path.
 * Deletions and renames pass through (they carry the snapshot's checksum).
 */
export async function prepareChanges(
  ctx: RootContext,
  candidates: FileChange[],
  previousText: (rel: string) => string | null,
): Promise<Prepared> {
  const retry: string[] = [];
  const errors: Prepared["errors"] = [];
  const done = await mapLimit(candidates, HASH_CONCURRENCY, async (c): Promise<FileChange | null> => {
    if (c.type === "deleted" || c.type === "renamed") {
      c.checksum = c.prev?.checksum ?? null;
      return c;
    }
    const meta = c.meta!;
    if (ctx.cfg.computeChecksum && meta.kind === "file") {
      const h = await hashFile(path.join(ctx.cfg.path, c.rel), meta);
      if (!h.ok && (h.reason === "vanished" || h.reason === "changing")) {
        retry.push(c.rel);
        return null;
      }
      if (h.ok) c.checksum = h.sha256;
      else {
        c.checksumError = h.error ?? h.reason;
        errors.push({ rel: c.rel, error: c.checksumError });
      }
      if (
        c.type === "modified" &&
        h.ok &&
        c.prev &&
        c.prev.checksum === h.sha256 &&
        c.prev.size === meta.size
      ) {
        c.silent = true;
        return c;
      }
    }
    await keepText(ctx, c, previousText);
    return c;
  });
  return { changes: done.filter((c): c is FileChange => c !== null), retry, errors };
}
