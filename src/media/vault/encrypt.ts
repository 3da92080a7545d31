/**
 * Encrypts a file into the vault as a stream: read, cut into chunks, seal each chunk, write. Memory
 * stays at a few chunks whatever the file size (back-pressure comes from `pipeline`). The file is
 * written under a temporary name and renamed when complete, so the vault never holds a partial
 * file under a real name; names on disk are random and reveal nothing.
 */
import { createCipheriv, type KeyObject, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { ensurePrivateDir } from "../../store/db.ts";
import { ByteReader } from "./byte-reader.ts";
import {
  checkChunkSize,
  DEFAULT_CHUNK_SIZE,
  encodeHeader,
  encodeMeta,
  NONCE_SIZE,
  recordNonce,
  SALT_SIZE,
  type VaultMeta,
} from "./format.ts";
import { fileKey, keyId } from "./keys.ts";

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

/**
 * Encrypts `source` into the vault format, yielding the header, then the metadata record, then
 * each data record (ciphertext and tag as separate buffers).
 */
export async function* encryptStream(
  source: AsyncIterable<Uint8Array>,
  key: Uint8Array,
  meta: VaultMeta,
  options: EncryptOptions = {},
): AsyncGenerator<Buffer> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
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
  yield header;
  yield* seal(k, recordNonce(baseNonce, 0, false), header, metaPlain);
  const reader = new ByteReader(source);
  try {
    for (let index = 1; ; index++) {
      const chunk = await reader.read(chunkSize);
      const final = chunk.length < chunkSize || (await reader.atEnd());
      yield* seal(k, recordNonce(baseNonce, index, final), header, chunk);
      if (final) return;
    }
  } finally {
    await reader.close();
  }
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
  let size = 0;
  try {
    await pipeline(
      createReadStream(srcPath, { highWaterMark: chunkSize }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const piece of encryptStream(source, key, meta, { chunkSize })) {
          size += piece.length;
          yield piece;
        }
      },
      createWriteStream(tmp, { flags: "wx", mode: 0o600, flush: sync, highWaterMark: chunkSize }),
    );
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (sync) await syncDir(vaultDir);
  return { path: final, size };
}

/** fsyncs a folder so a rename inside it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
