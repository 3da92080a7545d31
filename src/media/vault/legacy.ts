/**
 * The Python logger's encrypted files (`encrypted_deleted.py`), so its users can migrate: one
 * AES-256-GCM message over the whole file, laid out as 12-byte nonce | ciphertext | 16-byte tag,
 * no additional data, the key used directly. There is no header, key id or metadata: a wrong key
 * and a modified file look the same, and the original name is the file name minus `.enc`.
 *
 * Decryption streams, so memory does not grow with the file; since the tag comes last, plaintext
 * is written before it is authenticated, which is why callers write to a temporary file and
 * delete it on failure (restore.ts).
 */
import { createDecipheriv } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { VaultError } from "./errors.ts";

/** Bytes before the ciphertext. */
export const LEGACY_NONCE_SIZE = 12;
/** Bytes after the ciphertext. */
export const LEGACY_TAG_SIZE = 16;

/** The name a legacy file had before encryption: its own name minus a trailing `.enc`. */
export function legacyOriginalName(fileName: string): string {
  return fileName.replace(/\.enc$/i, "");
}

/**
 * Decrypts a Python-logger file into the open file `out` (written from its start); throws
 * VaultError on a wrong key or damage. Plain positional writes, no stream: a refusal leaves nothing
 * in flight on `out`, so the caller can close and remove it at once.
 */
export async function decryptLegacyFile(file: string, key: Uint8Array, out: FileHandle): Promise<void> {
  const h = await open(file, "r");
  let nonce: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await h.stat()).size;
    if (size < LEGACY_NONCE_SIZE + LEGACY_TAG_SIZE) {
      throw new VaultError("not-vault", "not a vault file, and too short to be a Python logger (.enc) file");
    }
    nonce = Buffer.alloc(LEGACY_NONCE_SIZE);
    tag = Buffer.alloc(LEGACY_TAG_SIZE);
    await h.read(nonce, 0, LEGACY_NONCE_SIZE, 0);
    await h.read(tag, 0, LEGACY_TAG_SIZE, size - LEGACY_TAG_SIZE);
  } finally {
    await h.close();
  }
  const d = createDecipheriv("aes-256-gcm", Buffer.from(key), nonce);
  d.setAuthTag(tag);
  const bodyEnd = size - LEGACY_TAG_SIZE; // exclusive
  async function* body() {
    if (bodyEnd > LEGACY_NONCE_SIZE) {
      for await (const piece of createReadStream(file, {
        start: LEGACY_NONCE_SIZE,
        end: bodyEnd - 1,
        highWaterMark: 256 * 1024,
      })) {
        yield d.update(piece as Buffer);
      }
    }
    try {
      d.final();
    } catch {
      throw new VaultError(
        "tampered",
        "authentication failed: wrong key, or the file was modified (Python logger files carry no key id to tell these apart)",
      );
    }
  }
  let at = 0;
  for await (const plain of body()) {
    for (let done = 0; done < plain.length; ) {
      const { bytesWritten } = await out.write(plain, done, plain.length - done, at);
      done += bytesWritten;
      at += bytesWritten;
    }
  }
}
