/**
 * Decrypts vault files. Each record is authenticated before any of its plaintext is passed on or
 * written, so a consumer never sees unauthenticated bytes; a failure names its cause (wrong key,
 * modified, cut short, not a vault file) through `VaultError`. Memory stays at a few records.
 *
 * `decryptVaultToPath`, what restoring and posting use, reads records ahead in batches and writes
 * plaintext behind at computed offsets (record-io.ts), releasing each cipher output once written,
 * so memory is a few MiB and no garbage waits for the collector.
 */
import { createDecipheriv, createHash, type KeyObject } from "node:crypto";
import { type FileHandle, open, rm } from "node:fs/promises";
import { VaultError } from "./errors.ts";
import {
  decodeMeta,
  HEADER_SIZE,
  parseHeader,
  recordNonce,
  TAG_SIZE,
  type VaultHeader,
  type VaultMeta,
  vaultFileSize,
} from "./format.ts";
import { fileKey, keyId } from "./keys.ts";
import {
  type DataLayout,
  layoutForVault,
  plainSize,
  recordOffset,
  recordSize,
  truncation,
} from "./layout.ts";
import { preallocate } from "./preallocate.ts";
import { readAt, readPieces, releaseBuffer, WriteBehind } from "./record-io.ts";

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

/** A file's header, file key and metadata, once header and metadata record are authenticated. */
export interface OpenedHead {
  header: VaultHeader;
  key: KeyObject;
  meta: VaultMeta;
}

/**
 * Reads and checks the header of the open vault file `fh` and the key, then reads and
 * authenticates the metadata record that follows it.
 */
export async function openHeadAt(fh: FileHandle, key: Uint8Array): Promise<OpenedHead> {
  const header = parseHeader(await readAt(fh, Buffer.alloc(HEADER_SIZE), HEADER_SIZE, 0));
  if (!header.keyId.equals(keyId(key))) {
    throw new VaultError(
      "wrong-key",
      "wrong key: this file was encrypted with a different key (or its header's key id is damaged)",
    );
  }
  const k = fileKey(key, header.salt);
  const length = header.metaLength + TAG_SIZE;
  const rec = await readAt(fh, Buffer.alloc(length), length, HEADER_SIZE);
  if (rec.length < length) {
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
 * The plaintext of data record `index`, authenticated; throws VaultError otherwise. A final record
 * that opens as a non-final one means the file was cut at a record boundary.
 */
export function openRecord(opened: OpenedHead, index: number, final: boolean, rec: Buffer): Buffer {
  const { header, key } = opened;
  const plain = unseal(key, recordNonce(header.baseNonce, index, final), header.bytes, rec);
  if (plain) return plain;
  if (final && unseal(key, recordNonce(header.baseNonce, index, false), header.bytes, rec)) {
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

/** The metadata of a vault file, after checking the key and authenticating header and metadata. */
export async function readVaultMeta(file: string, key: Uint8Array): Promise<VaultMeta> {
  const fh = await open(file, "r");
  try {
    return (await openHeadAt(fh, key)).meta;
  } finally {
    await fh.close();
  }
}

/**
 * Where the records of the open vault file `fh` lie: the record count and the final record follow
 * from its size, taken once, now. A file certainly cut short is reported here, before any record
 * is opened.
 */
export async function layoutOf(fh: FileHandle, opened: OpenedHead): Promise<DataLayout> {
  const { chunkSize, metaLength } = opened.header;
  const layout = layoutForVault((await fh.stat()).size, chunkSize, metaLength);
  const cut = truncation(layout);
  if (cut) throw new VaultError("truncated", cut);
  return layout;
}

/**
 * The authenticated plaintext records of the open vault file `fh` laid out as `layout`, in order,
 * read ahead in batches; a file that shrinks meanwhile is reported as truncated. The caller owns
 * each yielded buffer (a fresh cipher output) and may release it.
 */
async function* plaintextRecords(
  fh: FileHandle,
  opened: OpenedHead,
  layout: DataLayout,
): AsyncGenerator<Buffer> {
  const end = recordOffset(layout, layout.records) + layout.lastRecordSize;
  const pieceSize = layout.chunkSize + TAG_SIZE;
  const records = readPieces(fh, { start: layout.dataStart, end, pieceSize });
  let index = 1;
  for await (const rec of records) {
    if (rec.length !== recordSize(layout, index)) {
      throw new VaultError("truncated", `truncated: the file ends inside chunk ${index}`);
    }
    yield openRecord(opened, index, index === layout.records, rec);
    index++;
  }
}

/** What a vault file holds, once every record has been authenticated. */
export interface VaultDigest {
  meta: VaultMeta;
  /** Plaintext bytes. */
  size: number;
  /** SHA-256 of the plaintext, hex. */
  sha256: string;
}

/**
 * Authenticates every record of the vault file `file` with `key` and hashes the plaintext, writing
 * nothing: `verify` compares the result with what the database recorded. Throws VaultError as
 * decrypting would.
 */
export async function digestVaultFile(file: string, key: Uint8Array): Promise<VaultDigest> {
  const fh = await open(file, "r");
  try {
    const opened = await openHeadAt(fh, key);
    const hash = createHash("sha256");
    let size = 0;
    for await (const plain of plaintextRecords(fh, opened, await layoutOf(fh, opened))) {
      hash.update(plain);
      size += plain.length;
      releaseBuffer(plain);
    }
    return { meta: opened.meta, size, sha256: hash.digest("hex") };
  } finally {
    await fh.close();
  }
}

/**
 * Checks what can be checked of a vault file without its key: the header, and that its length is
 * that of whole records, or exactly that of `contentSize` bytes of content when that is known.
 * Throws VaultError otherwise.
 */
export async function checkVaultShape(file: string, contentSize: number | null): Promise<void> {
  const fh = await open(file, "r");
  try {
    const header = parseHeader(await readAt(fh, Buffer.alloc(HEADER_SIZE), HEADER_SIZE, 0));
    const size = (await fh.stat()).size;
    const cut = truncation(layoutForVault(size, header.chunkSize, header.metaLength));
    if (cut) throw new VaultError("truncated", cut);
    if (contentSize === null) return;
    const expected = vaultFileSize(contentSize, header.chunkSize, header.metaLength);
    if (size < expected)
      throw new VaultError(
        "truncated",
        `truncated: ${size} bytes, ${expected} for its ${contentSize} bytes of content`,
      );
    if (size > expected)
      throw new VaultError(
        "tampered",
        `${size} bytes, ${expected} for its ${contentSize} bytes of content: bytes were added`,
      );
  } finally {
    await fh.close();
  }
}

/**
 * Whether a file refused as "wrong key" is in fact this key's, with a damaged key id in its
 * header: its metadata record authenticates once the header carries this key's id.
 */
export async function keyIdDamaged(file: string, key: Uint8Array): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const header = parseHeader(await readAt(fh, Buffer.alloc(HEADER_SIZE), HEADER_SIZE, 0));
    keyId(key).copy(header.keyId); // a view into header.bytes, the records' AAD
    const length = header.metaLength + TAG_SIZE;
    const rec = await readAt(fh, Buffer.alloc(length), length, HEADER_SIZE);
    if (rec.length < length) return false;
    const k = fileKey(key, header.salt);
    return unseal(k, recordNonce(header.baseNonce, 0, false), header.bytes, rec) !== null;
  } finally {
    await fh.close();
  }
}

/** How `decryptVaultToPath` creates its output. */
export interface DecryptToPathOptions {
  /** Open flags of the output (default "wx": it must not exist). */
  flags?: string;
  /** Mode of a created output (default 0o600). */
  mode?: number;
  /** fsync the output before returning (default false). */
  sync?: boolean;
}

/**
 * Decrypts the vault file `file` into a new file `outPath` and returns the metadata. Every record
 * is authenticated before its plaintext is written at its offset; header, key and truncation are
 * checked before the output is created, and on any failure the output is deleted, so callers never
 * find unauthenticated or partial plaintext (restore.ts still writes to a temporary name). A large
 * output's blocks are reserved before the first write (preallocate.ts).
 */
export async function decryptVaultToPath(
  file: string,
  key: Uint8Array,
  outPath: string,
  options: DecryptToPathOptions = {},
): Promise<VaultMeta> {
  const fh = await open(file, "r");
  try {
    const opened = await openHeadAt(fh, key);
    const layout = await layoutOf(fh, opened); // a cut file fails here, before the output exists
    const plain = plaintextRecords(fh, opened, layout);
    try {
      const first = await plain.next(); // the first record is authenticated before the output exists
      const out = await open(outPath, options.flags ?? "wx", options.mode ?? 0o600);
      try {
        const writer = new WriteBehind(out);
        writer.startAfter(preallocate(outPath, out.fd, plainSize(layout)));
        try {
          let position = 0;
          for (let r = first; !r.done; r = await plain.next()) {
            const length = r.value.length;
            await writer.write([r.value], position, true);
            position += length;
          }
          await writer.drain();
        } finally {
          await writer.settle();
        }
        if (options.sync) await out.sync();
        await out.close();
      } catch (err) {
        await out.close().catch(() => {});
        await rm(outPath, { force: true });
        throw err;
      }
    } finally {
      await plain.return(undefined);
    }
    return opened.meta;
  } finally {
    await fh.close();
  }
}
