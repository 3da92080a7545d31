/**
 * Chunk sizing for purges: aims each synchronous chunk at a few milliseconds, whatever the disk,
 * so the event loop is never blocked long. Pure: fed the size and duration of the last chunk.
 */

/** Target time of one synchronous chunk. */
export const TARGET_CHUNK_MS = 4;

/** Adapts the number of rows per chunk to the measured speed. */
export class AdaptiveChunk {
  #size: number;
  readonly #min: number;
  readonly #max: number;

  constructor(initial = 500, min = 50, max = 20_000) {
    this.#size = initial;
    this.#min = min;
    this.#max = max;
  }

  /** Rows to take in the next chunk. */
  get size(): number {
    return this.#size;
  }

  /** Records that `rows` took `ms`; the next size aims at `TARGET_CHUNK_MS`, changing at most 2× a step. */
  observe(rows: number, ms: number): void {
    if (rows < this.#size) return; // a short last chunk says nothing about speed
    const perRow = Math.max(ms, 0.01) / rows;
    const ideal = TARGET_CHUNK_MS / perRow;
    const next = Math.min(this.#size * 2, Math.max(this.#size / 2, ideal));
    this.#size = Math.round(Math.min(this.#max, Math.max(this.#min, next)));
  }
}
