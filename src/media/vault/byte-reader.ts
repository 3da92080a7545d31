/**
 * Reads exact-size pieces from a stream of buffers of any size. Encryption cuts a file into
 * fixed-size chunks and decryption cuts a vault file into fixed-size records, whatever sizes the
 * underlying stream delivers; when the source is aligned (a file stream whose highWaterMark equals
 * the piece size) pieces are handed out without copying. At most one piece is held ahead, so
 * memory does not grow with the file.
 */

/** Pulls exact-size pieces out of an async iterable of byte buffers. */
export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #pending: Buffer[] = [];
  #have = 0;
  #done = false;
  /** Bytes handed out so far: the offset of the next byte within the source. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  async #fill(n: number): Promise<void> {
    while (this.#have < n && !this.#done) {
      const next = await this.#source.next();
      if (next.done) {
        this.#done = true;
        break;
      }
      const v = next.value;
      if (v.length === 0) continue;
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.#pending.push(b);
      this.#have += b.length;
    }
  }

  /** The next `n` bytes, or fewer (possibly none) when the source ends first. */
  async read(n: number): Promise<Buffer> {
    await this.#fill(n);
    const take = Math.min(n, this.#have);
    const first = this.#pending[0];
    let out: Buffer;
    if (first && first.length >= take) {
      out = first.subarray(0, take);
      if (first.length === take) this.#pending.shift();
      else this.#pending[0] = first.subarray(take);
    } else {
      out = Buffer.allocUnsafe(take);
      let off = 0;
      while (off < take) {
        const head = this.#pending[0]!;
        const k = Math.min(head.length, take - off);
        head.copy(out, off, 0, k);
        off += k;
        if (k === head.length) this.#pending.shift();
        else this.#pending[0] = head.subarray(k);
      }
    }
    this.#have -= take;
    this.position += take;
    return out;
  }

  /** True when no byte is left (pulls at most one more buffer from the source to find out). */
  async atEnd(): Promise<boolean> {
    await this.#fill(1);
    return this.#have === 0;
  }

  /** Stops the source early (closes the file behind it) when a reader gives up. */
  async close(): Promise<void> {
    this.#pending = [];
    this.#have = 0;
    if (!this.#done) {
      this.#done = true;
      await this.#source.return?.();
    }
  }
}
