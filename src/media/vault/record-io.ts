/**
 * Positional file I/O for the vault: ordered read-ahead into a small ring of reused buffers, and
 * bounded write-behind at explicit offsets. Reads and writes run on libuv's thread pool while the
 * main thread seals or opens the record in hand, so disk and cipher overlap; memory is a fixed
 * number of records whatever the file size.
 *
 * Buffers that leave the cipher are released as soon as their write completes (`releaseBuffer`)
 * instead of waiting for the garbage collector: with fresh buffers per record, page faults and
 * lazy collection cost more than AES-GCM itself and let RSS grow by tens of MB.
 */
import type { FileHandle } from "node:fs/promises";

/** Reads in flight ahead of the record being processed. */
export const READ_AHEAD = 4;
/** Writes in flight behind the record being processed. */
export const WRITE_BEHIND = 4;

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

/** A piece of a file: where it starts and how long it is. */
export interface Extent {
  position: number;
  length: number;
}

/**
 * Yields the extents `extentOf(1)`…`extentOf(count)` of `fh` in order, with up to `ahead` reads
 * in flight, into a ring of `ahead + 1` reused buffers of `maxLength` bytes. A yielded buffer is
 * valid only until the next iteration; it is shorter than its extent when the file is.
 */
export async function* readAhead(
  fh: FileHandle,
  count: number,
  extentOf: (index: number) => Extent,
  maxLength: number,
  ahead: number = READ_AHEAD,
): AsyncGenerator<Buffer> {
  const ring = Array.from({ length: ahead + 1 }, () => Buffer.allocUnsafeSlow(maxLength));
  const pending: Promise<Buffer>[] = [];
  let issued = 0;
  const issue = () => {
    if (issued >= count) return;
    issued++;
    const e = extentOf(issued);
    const p = readAt(fh, ring[issued % ring.length]!, e.length, e.position);
    p.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
    pending.push(p);
  };
  try {
    for (let i = 0; i < ahead; i++) issue();
    for (let index = 1; index <= count; index++) {
      const buf = await pending.shift()!;
      // The next read reuses the buffer of record index - 1, which the consumer has finished.
      issue();
      yield buf;
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

/** Positional writes with at most `depth` in flight; the first failure is rethrown to the writer. */
export class WriteBehind {
  readonly #fh: FileHandle;
  readonly #depth: number;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { error: unknown } | null = null;

  constructor(fh: FileHandle, depth: number = WRITE_BEHIND) {
    this.#fh = fh;
    this.#depth = depth;
  }

  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /**
   * Starts writing `buffers` at `position`, after waiting while `depth` writes are in flight.
   * The caller must not touch the buffers again; with `release` they are freed once written.
   */
  async write(buffers: Buffer[], position: number, release: boolean): Promise<void> {
    this.#check();
    while (this.#inFlight.size >= this.#depth) await Promise.race(this.#inFlight);
    this.#check();
    const p: Promise<void> = writeAllAt(this.#fh, buffers, position)
      .then(
        () => {
          if (release) for (const b of buffers) releaseBuffer(b);
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      )
      .finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /** Waits for every write; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.#inFlight);
    this.#check();
  }

  /** Waits for every write, ignoring failures (before closing the file on an error path). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
  }
}
