/**
 * Positional file I/O for the vault: ordered read-ahead of equal-size pieces (records or chunks)
 * into a small ring of reused buffers, and bounded write-behind at explicit offsets. Reads and
 * writes run on libuv's thread pool while the main thread seals or opens the piece in hand, so disk
 * and cipher overlap; memory is a fixed few MiB whatever the file size.
 *
 * Sizes come from bench/vault.bench.ts and runs of its child on a 1 GiB file (medians of 10
 * interleaved runs). A read fetches several records (1 MiB) so reading costs few system calls and
 * thread-pool round trips. Writes gather consecutive pieces and are cut at fixed file offsets,
 * 4 KiB + k × 768 KiB, up to eight in flight:
 * - Eight in flight: buffered writes to one file are serialized on its inode lock, but with one in
 *   flight the file waited for the main thread between writes (decrypt 1.0 s against 0.31 s with
 *   eight, encrypt 0.47 s against 0.33 s; four sat between, sixteen were no better).
 * - Cut one page past a multiple of 768 KiB: a decrypted file's records start at 256 KiB
 *   multiples, and writes starting there were three times as slow in most runs (decrypt 1.3 s
 *   against 0.43 s once cut this way); the same writes one page further on never were. Writes
 *   stay under 1 MiB because 2 MiB writes were slow in every run. The benchmark machine is a VM
 *   whose host takes freed memory back; the kernel gives such writes large page-cache folios,
 *   which it is slow to provide there. Elsewhere this cut costs nothing.
 *
 * Buffers that leave the cipher are released once every write holding them completes (`releaseBuffer`)
 * instead of waiting for the garbage collector: with fresh buffers per record, page faults and
 * lazy collection cost more than AES-GCM itself and let RSS grow by tens of MB. Node's cipher
 * cannot decrypt into a caller's buffer, so releasing is how the same memory is reused.
 */
import type { FileHandle } from "node:fs/promises";

/** Bytes asked for by one read: several records, so reads cost few system calls. */
export const READ_BYTES = 1024 * 1024;
/** Reads in flight ahead of the one being processed. */
export const READ_AHEAD = 2;
/** Writes in flight behind the record being processed. */
export const WRITE_BEHIND = 8;
/** Bytes between the offsets where consecutive writes are cut. */
export const WRITE_SPAN = 768 * 1024;
/** Offset of the first cut: one page, so no write starts at a large power-of-two offset. */
export const WRITE_PHASE = 4096;

/** Smallest buffer worth releasing eagerly (smaller ones may come from Buffer's shared pool). */
const RELEASE_MIN = 16 * 1024;

/**
 * Frees the memory of `b` now by detaching its ArrayBuffer. Only for buffers this module's callers
 * own outright (cipher output, ring buffers) once nothing reads them any more; buffers that share
 * an ArrayBuffer with others are left alone.
 */
export function releaseBuffer(b: Buffer): void {
  const ab = b.buffer;
  if (
    ab instanceof ArrayBuffer &&
    !ab.detached &&
    b.byteOffset === 0 &&
    ab.byteLength === b.length &&
    b.length >= RELEASE_MIN
  ) {
    ab.transfer(0);
  }
}

/** Reads `length` bytes at `position` into `buf`; fewer only at the end of the file. */
export async function readAt(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** A run of equal-size pieces of a file: records of a vault file, or chunks of a plaintext file. */
export interface Pieces {
  /** Offset of the first piece. */
  start: number;
  /** Offset just past the last piece (the last piece may be shorter than `pieceSize`). */
  end: number;
  pieceSize: number;
}

/** Number of pieces of `p`: at least one, so an empty file still yields its one (empty) chunk. */
export function pieceCount(p: Pieces): number {
  return Math.max(1, Math.ceil((p.end - p.start) / p.pieceSize));
}

/**
 * Yields every piece of `p` in order: `pieceCount(p)` buffers of `pieceSize` bytes, the last one
 * the rest up to `end`, any of them shorter (even empty) when the file is shorter than `end`.
 * Several pieces are read per call (`READ_BYTES`) with up to `ahead` reads in flight, into a ring
 * of `ahead + 1` reused buffers. A yielded buffer is valid only until the next iteration.
 */
export async function* readPieces(
  fh: FileHandle,
  p: Pieces,
  ahead: number = READ_AHEAD,
): AsyncGenerator<Buffer> {
  const count = pieceCount(p);
  const perRead = Math.max(1, Math.min(count, Math.floor(READ_BYTES / p.pieceSize)));
  const reads = Math.ceil(count / perRead);
  const readSize = Math.min(perRead * p.pieceSize, Math.max(0, p.end - p.start));
  const ring = Array.from({ length: Math.min(ahead + 1, reads) }, () => Buffer.allocUnsafeSlow(readSize));
  const pending: Promise<Buffer>[] = [];
  let issued = 0;
  const issue = () => {
    if (issued >= reads) return;
    const position = p.start + issued * perRead * p.pieceSize;
    const length = Math.max(0, Math.min(readSize, p.end - position));
    const r = readAt(fh, ring[issued % ring.length]!, length, position);
    r.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
    pending.push(r);
    issued++;
  };
  try {
    for (let i = 0; i < ahead; i++) issue();
    let left = count;
    for (let r = 0; r < reads; r++) {
      const buf = await pending.shift()!;
      // Keeps `ahead` reads in flight while this one is consumed: the new read reuses the buffer
      // of the previous read, whose pieces have all been consumed.
      issue();
      const n = Math.min(perRead, left);
      for (let i = 0; i < n; i++) {
        const from = Math.min(i * p.pieceSize, buf.length);
        yield buf.subarray(from, Math.min(from + p.pieceSize, buf.length));
      }
      left -= n;
    }
  } finally {
    await Promise.allSettled(pending);
    for (const b of ring) releaseBuffer(b);
  }
}

async function writeAllAt(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const { bytesWritten } = await fh.writev(buffers, position);
  if (bytesWritten === total) return;
  // A short write (rare on regular files): write the rest piece by piece.
  let skip = bytesWritten;
  let at = position + bytesWritten;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    let rest = b.subarray(skip);
    skip = 0;
    while (rest.length > 0) {
      const w = await fh.write(rest, 0, rest.length, at);
      rest = rest.subarray(w.bytesWritten);
      at += w.bytesWritten;
    }
  }
}

/**
 * Positional writes, gathered and cut at fixed offsets: a run of consecutive pieces goes out as
 * `writev`s that each end at the next offset `phase + k × span` (a piece crossing one is split
 * there), at most `depth` of them in flight; the first failure is rethrown to the writer. A piece
 * to release is freed once every write holding a part of it has completed. Writes in flight may
 * finish in any order, so callers must never write the same bytes twice.
 */
export class WriteBehind {
  readonly #fh: FileHandle;
  readonly #depth: number;
  readonly #span: number;
  readonly #phase: number;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { error: unknown } | null = null;
  /** The batch being gathered: its buffers, where it starts, its length. */
  #batch: Buffer[] = [];
  #batchAt = 0;
  #batchBytes = 0;
  /** Pieces to release with a part in the batch being gathered. */
  #owners: Buffer[] = [];
  /** Pieces to release: unwritten batches holding a part of each, plus one while it is added. */
  readonly #holds = new Map<Buffer, number>();
  /** What every write waits for (`startAfter`). */
  #gate: Promise<void> = Promise.resolve();

  constructor(
    fh: FileHandle,
    depth: number = WRITE_BEHIND,
    span: number = WRITE_SPAN,
    phase: number = WRITE_PHASE,
  ) {
    this.#fh = fh;
    this.#depth = depth;
    this.#span = span;
    this.#phase = phase;
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /**
   * Holds the writes sent from now on until `work` settles, however it settles, while the caller
   * goes on reading and sealing up to `depth` batches: reserving the file's blocks
   * (preallocate.ts) then overlaps the first reads and seals instead of preceding them. Call it
   * once, before the first write; a second call replaces the first.
   */
  startAfter(work: Promise<unknown>): void {
    this.#gate = work.then(
      () => {},
      () => {},
    );
  }

  /** The first cut after `position`. */
  #cutAfter(position: number): number {
    if (position < this.#phase) return this.#phase;
    return this.#phase + (Math.floor((position - this.#phase) / this.#span) + 1) * this.#span;
  }

  #hold(b: Buffer): void {
    this.#holds.set(b, (this.#holds.get(b) ?? 0) + 1);
  }

  #unhold(b: Buffer): void {
    const left = this.#holds.get(b)! - 1;
    if (left > 0) {
      this.#holds.set(b, left);
    } else {
      this.#holds.delete(b);
      releaseBuffer(b);
    }
  }

  /**
   * Writes `buffers` at `position`: added to the batch being gathered when they continue it, else
   * after sending that batch; a batch is sent when it reaches its cut (waiting while `depth`
   * writes are in flight). The caller must not touch the buffers again; with `release` they are
   * freed once written.
   */
  async write(buffers: Buffer[], position: number, release: boolean): Promise<void> {
    this.#check();
    if (this.#batch.length > 0 && position !== this.#batchAt + this.#batchBytes) await this.#send();
    let at = position;
    for (const b of buffers) {
      if (release) this.#hold(b);
      let rest = b;
      while (rest.length > 0) {
        if (this.#batch.length === 0) this.#batchAt = at;
        const cut = this.#cutAfter(this.#batchAt);
        const part = rest.length <= cut - at ? rest : rest.subarray(0, cut - at);
        this.#batch.push(part);
        this.#batchBytes += part.length;
        if (release && this.#owners.at(-1) !== b) {
          this.#owners.push(b);
          this.#hold(b);
        }
        at += part.length;
        rest = rest.subarray(part.length);
        if (at === cut) await this.#send();
      }
      if (release) this.#unhold(b);
    }
  }

  async #send(): Promise<void> {
    const buffers = this.#batch;
    const owners = this.#owners;
    const position = this.#batchAt;
    this.#batch = [];
    this.#owners = [];
    this.#batchBytes = 0;
    while (this.#inFlight.size >= this.#depth) await Promise.race(this.#inFlight);
    this.#check();
    const p: Promise<void> = this.#gate
      .then(() => writeAllAt(this.#fh, buffers, position))
      .then(
        () => {
          for (const b of owners) this.#unhold(b);
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      )
      .finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /** Sends the batch being gathered and waits for every write; throws the first failure. */
  async drain(): Promise<void> {
    this.#check();
    if (this.#batch.length > 0) await this.#send();
    await Promise.all([this.#gate, ...this.#inFlight]);
    this.#check();
  }

  /** Waits for every write, ignoring failures (before closing the file on an error path). */
  async settle(): Promise<void> {
    this.#batch = [];
    this.#owners = [];
    this.#batchBytes = 0;
    await Promise.allSettled([this.#gate, ...this.#inFlight]);
  }
}
