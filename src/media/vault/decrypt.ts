/**
 * Decrypts vault files as a stream. Each record is authenticated before any of its plaintext is
 * passed on, so a consumer never sees unauthenticated bytes; a failure names its cause (wrong key,
 * modified, cut short, not a vault file) through `VaultError`. Memory stays at a few records.
 */
import { createDecipheriv, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ByteReader } from "./byte-reader.ts";
import { VaultError } from "./errors.ts";
import { decodeMeta, HEADER_SIZE, parseHeader, recordNonce, TAG_SIZE, type VaultMeta } from "./format.ts";
import { fileKey, keyId } from "./keys.ts";

/** Opens one record; null when authentication fails. */
function unseal(key: KeyObject, nonce: Buffer, aad: Buffer, record: Buffer): Buffer | null {
  const d = createDecipheriv("aes-256-gcm", key, nonce);
  d.setAAD(aad);
  d.setAuthTag(record.subarray(record.length - TAG_SIZE));
  const body = record.subarray(0, record.length - TAG_SIZE);
  const plain = body.length > 0 ? d.update(body) : Buffer.alloc(0);
  try {
    d.final();
  } catch {
    return null;
  }
  return plain;
}

/** Reads and authenticates header and metadata record; leaves `reader` at the first data record. */
async function openHeader(reader: ByteReader, key: Uint8Array) {
  const header = parseHeader(await reader.read(HEADER_SIZE));
  if (!header.keyId.equals(keyId(key))) {
    throw new VaultError(
      "wrong-key",
      "wrong key: this file was encrypted with a different key (or its header's key id is damaged)",
    );
  }
  const k = fileKey(key, header.salt);
  const rec = await reader.read(header.metaLength + TAG_SIZE);
  if (rec.length < header.metaLength + TAG_SIZE) {
    throw new VaultError("truncated", "truncated: the file ends inside its metadata record");
  }
  const plain = unseal(k, recordNonce(header.baseNonce, 0, false), header.bytes, rec);
  if (!plain) {
    throw new VaultError(
      "tampered",
      "the header or metadata record failed authentication: the file was modified",
    );
  }
  return { header, key: k, meta: decodeMeta(plain) };
}

/**
 * Decrypts a vault stream, yielding authenticated plaintext chunk by chunk. `onMeta` is called with
 * the metadata before the first data chunk.
 */
export async function* decryptStream(
  source: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  onMeta: (meta: VaultMeta) => void = () => {},
): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source);
  try {
    const { header, key: k, meta } = await openHeader(reader, key);
    onMeta(meta);
    const recordSize = header.chunkSize + TAG_SIZE;
    for (let index = 1; ; index++) {
      const rec = await reader.read(recordSize);
      if (rec.length < TAG_SIZE) {
        throw new VaultError(
          "truncated",
          rec.length === 0
            ? `truncated: the file ends before its final chunk (after ${index - 1} chunks)`
            : `truncated: the file ends inside chunk ${index}`,
        );
      }
      const final = rec.length < recordSize || (await reader.atEnd());
      const plain = unseal(k, recordNonce(header.baseNonce, index, final), header.bytes, rec);
      if (plain) {
        yield plain;
        if (final) return;
        continue;
      }
      if (final && unseal(k, recordNonce(header.baseNonce, index, false), header.bytes, rec)) {
        throw new VaultError(
          "truncated",
          `truncated: the file ends after chunk ${index}, but that chunk is not the final one`,
        );
      }
      throw new VaultError(
        "tampered",
        `chunk ${index} failed authentication: the file was modified, reordered or cut short`,
      );
    }
  } finally {
    await reader.close();
  }
}

/** The metadata of a vault file, after checking the key and authenticating header and metadata. */
export async function readVaultMeta(file: string, key: Uint8Array): Promise<VaultMeta> {
  const reader = new ByteReader(createReadStream(file, { highWaterMark: 64 * 1024 }));
  try {
    return (await openHeader(reader, key)).meta;
  } finally {
    await reader.close();
  }
}

/**
 * The bytes of `file` as a stream whose pieces line up with the records: the header and metadata
 * are read first, then the data with a highWaterMark of one record, so records are not copied.
 */
async function* alignedSource(file: string): AsyncGenerator<Buffer> {
  const h = await open(file, "r");
  let dataStart = 0;
  let recordSize = 64 * 1024;
  try {
    const head = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await h.read(head, 0, HEADER_SIZE, 0);
    let first = head.subarray(0, bytesRead);
    try {
      const header = parseHeader(first);
      const meta = Buffer.alloc(header.metaLength + TAG_SIZE);
      const m = await h.read(meta, 0, meta.length, HEADER_SIZE);
      first = Buffer.concat([head, meta.subarray(0, m.bytesRead)]);
      recordSize = header.chunkSize + TAG_SIZE;
    } catch {
      // Not a readable header: hand over what was read; the decryptor reports the cause.
    }
    dataStart = first.length;
    yield first;
  } finally {
    await h.close();
  }
  yield* createReadStream(file, { start: dataStart, highWaterMark: recordSize });
}

/**
 * Decrypts the vault file `file` into `sink` (which `pipeline` ends, or destroys on failure) and
 * returns its metadata. On failure the sink may hold authenticated chunks but never unauthenticated
 * ones; callers writing to disk use a temporary file they delete on failure (see restore.ts).
 */
export async function decryptVaultFile(file: string, key: Uint8Array, sink: Writable): Promise<VaultMeta> {
  let meta: VaultMeta | undefined;
  await pipeline(
    alignedSource(file),
    (source: AsyncIterable<Buffer>) =>
      decryptStream(source, key, (m) => {
        meta = m;
      }),
    sink,
  );
  return meta!;
}
