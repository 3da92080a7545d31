/**
 * The encrypted deleted-media store (ENCRYPT_DELETED_MEDIA=true): files are sealed into the vault
 * format on the way in, and decrypted to a private temporary file (0600, removed after use) when
 * they are posted. Same interface as the plaintext store.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { DeletedMediaStore } from "../deleted-media-store.ts";
import { decryptVaultToPath } from "./decrypt.ts";
import { encryptFileToVault } from "./encrypt.ts";

/** A store that encrypts with `key` (32 bytes) into `vaultDir`; `tmpDir` receives transient plaintext. */
export function encryptedDeletedMediaStore(
  vaultDir: string,
  key: Uint8Array,
  tmpDir: string,
): DeletedMediaStore {
  return {
    async keep(src, meta) {
      const entry = await encryptFileToVault(src, vaultDir, key, meta);
      return path.basename(entry.path);
    },
    async open(file) {
      const plain = path.join(tmpDir, `.${randomBytes(12).toString("hex")}.plain`);
      try {
        await decryptVaultToPath(path.join(vaultDir, path.basename(file)), key, plain, {
          flags: "wx",
          mode: 0o600,
        });
      } catch (err) {
        await rm(plain, { force: true });
        throw err;
      }
      return { path: plain, cleanup: () => rm(plain, { force: true }) };
    },
    discard: (file) => rm(path.join(vaultDir, path.basename(file)), { force: true }),
  };
}
