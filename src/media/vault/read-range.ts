/**
 * Reading a byte range of a vault file's plaintext without decrypting the rest: the web UI streams
 * kept files to a browser, which asks for ranges to seek in a video. The format allows it: records
 * are independently sealed chunks of `chunkSize` plaintext bytes at offsets the file's length alone
 * gives (layout.ts), so bytes [start, end] are in records ⌊start/C⌋+1 … ⌊end/C⌋+1, and only those
 * are read and authenticated. Each record is authenticated before any of its bytes is yielded, as
 * for a whole file; a seek costs at most two partial records (≤ 2 × 256 KiB by default).
 */
import { type FileHandle, open } from "node:fs/promises";
import { layoutOf, type OpenedHead, openHeadAt, openRecord } from "./decrypt.ts";
import { VaultError } from "./errors.ts";
import type { VaultMeta } from "./format.ts";
import { type DataLayout, plainOffset, plainSize, recordOffset, recordSize } from "./layout.ts";
import { readAt } from "./record-io.ts";

/** An open vault file whose header and metadata record are authenticated. */
export interface VaultReader {
  meta: VaultMeta;
  /** Plaintext bytes. */
  size: number;
  /** The authenticated plaintext bytes `start` … `end` (inclusive), in pieces of at most a record. */
  range(start: number, end: number): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

/**
 * Opens the vault file `file` with `key`: header, key and metadata are checked now (VaultError
 * otherwise), records as they are read. The caller closes it.
 */
export async function openVaultReader(file: string, key: Uint8Array): Promise<VaultReader> {
  const fh = await open(file, "r");
  try {
    const opened = await openHeadAt(fh, key);
    const layout = await layoutOf(fh, opened);
    return {
      meta: opened.meta,
      size: plainSize(layout),
      range: (start, end) => plaintextRange(fh, opened, layout, start, end),
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function* plaintextRange(
  fh: FileHandle,
  opened: OpenedHead,
  layout: DataLayout,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  const size = plainSize(layout);
  if (start < 0 || end >= size || start > end)
    throw new RangeError(`range ${start}-${end} outside 0-${size - 1}`);
  const first = Math.floor(start / layout.chunkSize) + 1;
  const last = Math.floor(end / layout.chunkSize) + 1;
  for (let index = first; index <= last; index++) {
    const length = recordSize(layout, index);
    const rec = await readAt(fh, Buffer.allocUnsafe(length), length, recordOffset(layout, index));
    if (rec.length !== length)
      throw new VaultError("truncated", `truncated: the file ends inside chunk ${index}`);
    const plain = openRecord(opened, index, index === layout.records, rec);
    const from = plainOffset(layout, index);
    yield plain.subarray(Math.max(0, start - from), Math.min(plain.length, end - from + 1));
  }
}
