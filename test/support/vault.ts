/** Real vault and Python-logger files for tests, written with the real encryptor or node:crypto. */
import { createCipheriv, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { encryptFileToVault } from "../../src/media/vault/encrypt.ts";
import type { VaultMeta } from "../../src/media/vault/format.ts";

/** A fixed test key (never a real one) and its base64 form. */
export const TEST_KEY = Buffer.from(
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
  "hex",
);
export const TEST_KEY_B64 = TEST_KEY.toString("base64");
/** Another valid key, for wrong-key cases. */
export const OTHER_KEY = Buffer.alloc(32, 0xa5);

/** Metadata for a test file named `fileName`. */
export function meta(fileName: string): VaultMeta {
  return { fileName, mimeType: "image/jpeg", chatId: -1001234567890, messageId: 42, date: 1_700_000_000_000 };
}

/** Writes `content` to a plaintext file in `dir`, encrypts it into `dir/vault`, returns the vault path. */
export async function makeVaultFile(
  dir: string,
  content: Uint8Array,
  m: VaultMeta = meta("photo.jpg"),
  chunkSize = 1024,
  key: Uint8Array = TEST_KEY,
): Promise<string> {
  const src = path.join(dir, `plain-${randomBytes(4).toString("hex")}`);
  writeFileSync(src, content);
  const r = await encryptFileToVault(src, path.join(dir, "vault"), key, m, { chunkSize, sync: false });
  return r.path;
}

/**
 * A file exactly as the Python logger writes it: AESGCM(key).encrypt(nonce, data, None) gives
 * ciphertext | tag, and the file is nonce(12) | that.
 */
export function pythonEncFile(file: string, content: Uint8Array, key: Uint8Array = TEST_KEY): void {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, nonce);
  const ct = Buffer.concat([c.update(content), c.final()]);
  writeFileSync(file, Buffer.concat([nonce, ct, c.getAuthTag()]));
}
