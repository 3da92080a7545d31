/**
 * Encrypts a file into the vault: cut into chunks, seal each chunk, write. A file is read ahead in
 * batches of chunks and written behind record by record at computed offsets (record-io.ts) while
 * the main thread seals, so disk and cipher overlap; memory stays at a few MiB whatever the file
 * size. The file is written under a temporary name and renamed when complete, so the vault never
 * holds a partial file under a real name; names on disk are random and reveal nothing.
 */
import { createCipheriv, type KeyObject, randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir } from "../../store/db.ts";
import {
  checkChunkSize,
  DEFAULT_CHUNK_SIZE,
  encodeHeader,
  encodeMeta,
  NONCE_SIZE,
  recordNonce,
  SALT_SIZE,
  TAG_SIZE,
  type VaultMeta,
} from "./format.ts";
import { fileKey, keyId } from "./keys.ts";
import { layoutForPlain, recordOffset, recordSize } from "./layout.ts";
import { preallocate } from "./preallocate.ts";
import { readPieces, WriteBehind } from "./record-io.ts";

/** Extension of vault files; the name before it is 32 random hex digits. */
export const VAULT_EXTENSION = ".tlv";

/** Options of the encryptor. */
export interface EncryptOptions {
  /** Plaintext bytes per record; defaults to DEFAULT_CHUNK_SIZE. */
  chunkSize?: number;
}

/** Options of `encryptFileToVault`. */
export interface VaultWriteOptions extends EncryptOptions {
  /** fsync the file and the folder before returning (default true): the caller may then delete
   * the plaintext, and a power cut must not leave neither copy. */
  sync?: boolean;
}

function seal(key: KeyObject, nonce: Buffer, aad: Buffer, plain: Buffer): [Buffer, Buffer] {
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(aad);
  const ct = plain.length > 0 ? c.update(plain) : Buffer.alloc(0);
  c.final();
  return [ct, c.getAuthTag()];
}

/** What every record of a new file needs: the header (its AAD), file key and base nonce. */
interface FileStart {
  header: Buffer;
  key: KeyObject;
  baseNonce: Buffer;
  metaLength: number;
  /** The metadata record: ciphertext and tag. */
  metaRecord: [Buffer, Buffer];
}

function startFile(key: Uint8Array, meta: VaultMeta, chunkSize: number): FileStart {
  checkChunkSize(chunkSize);
  const salt = randomBytes(SALT_SIZE);
  const baseNonce = randomBytes(NONCE_SIZE);
  const metaPlain = encodeMeta(meta);
  const header = encodeHeader({
    chunkSize,
    keyId: keyId(key),
    salt,
    baseNonce,
    metaLength: metaPlain.length,
  });
  const k = fileKey(key, salt);
  return {
    header,
    key: k,
    baseNonce,
    metaLength: metaPlain.length,
    metaRecord: seal(k, recordNonce(baseNonce, 0, false), header, metaPlain),
  };
}

/**
 * Seals the file open as `src` into `out` (the new file at `outPath`) from offset 0: header and
 * metadata record, then each chunk, read ahead in batches, sealed, and written behind at its
 * record's offset, once a large file's blocks are reserved. The file's size is taken when it is
 * opened; a file that shrinks or grows meanwhile is an error, never a silently different vault
 * file. Returns the bytes written.
 */
async function sealFile(
  src: FileHandle,
  out: FileHandle,
  outPath: string,
  key: Uint8Array,
  meta: VaultMeta,
  chunkSize: number,
) {
  const size = (await src.stat()).size;
  const { header, key: k, baseNonce, metaLength, metaRecord } = startFile(key, meta, chunkSize);
  const layout = layoutForPlain(size, chunkSize, metaLength);
  const total = recordOffset(layout, layout.records) + layout.lastRecordSize;
  const writer = new WriteBehind(out);
  writer.startAfter(preallocate(outPath, out.fd, total));
  try {
    await writer.write([header, ...metaRecord], 0, false);
    const chunks = readPieces(src, { start: 0, end: size, pieceSize: chunkSize });
    let index = 1;
    for await (const chunk of chunks) {
      if (chunk.length !== recordSize(layout, index) - TAG_SIZE) throw changed();
      const final = index === layout.records;
      const sealed = seal(k, recordNonce(baseNonce, index, final), header, chunk);
      await writer.write(sealed, recordOffset(layout, index), true);
      index++;
    }
    await writer.drain();
  } finally {
    await writer.settle();
  }
  if ((await src.stat()).size !== size) throw changed();
  return total;
}

function changed(): Error {
  return new Error("the source file changed size while it was being encrypted");
}

/** Where an encrypted file landed and its size on disk. */
export interface VaultEntry {
  path: string;
  size: number;
}

/**
 * Encrypts the file at `srcPath` into `vaultDir` (created 0700) as `<32 hex>.tlv`, mode 0600.
 * Writes `.<name>.tmp` first and renames it when complete; on any failure the temporary file is
 * removed and the error rethrown. The source file is left alone.
 */
export async function encryptFileToVault(
  srcPath: string,
  vaultDir: string,
  key: Uint8Array,
  meta: VaultMeta,
  options: VaultWriteOptions = {},
): Promise<VaultEntry> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  const sync = options.sync ?? true;
  ensurePrivateDir(vaultDir);
  const name = `${randomBytes(16).toString("hex")}${VAULT_EXTENSION}`;
  const final = path.join(vaultDir, name);
  const tmp = path.join(vaultDir, `.${name}.tmp`);
  let size: number;
  try {
    const src = await open(srcPath, "r");
    try {
      const out = await open(tmp, "wx", 0o600);
      try {
        size = await sealFile(src, out, tmp, key, meta, chunkSize);
        if (sync) await out.sync();
      } finally {
        await out.close();
      }
    } finally {
      await src.close();
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (sync) await syncDir(vaultDir);
  return { path: final, size };
}

/** fsyncs a folder so a rename inside it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
