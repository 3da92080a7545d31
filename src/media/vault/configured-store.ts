/**
 * The deleted-media store the service runs with. New files are kept as configured (sealed into the
 * vault format with ENCRYPT_DELETED_MEDIA, else copied as they are), but every file is opened by
 * what it is: a deleted message whose file was kept before the setting changed (encryption turned
 * on, or off with the key still configured) still gets its file back when it is posted.
 */
import type { DeletedMediaStore } from "../deleted-media-store.ts";
import { plaintextDeletedMediaStore } from "../deleted-media-store.ts";
import { VAULT_EXTENSION } from "./encrypt.ts";
import { encryptedDeletedMediaStore } from "./encrypted-store.ts";

/** The vault settings the store needs. */
export interface VaultSettings {
  /** `media_deleted/`. */
  vaultDir: string;
  /** Where decrypted copies are written for posting (0600, removed after use). */
  tmpDir: string;
  /** ENCRYPT_DELETED_MEDIA. */
  encrypt: boolean;
  /** DELETED_MEDIA_KEY_B64, decoded; null when not configured. */
  key: Uint8Array | null;
}

/** A vault file that cannot be opened because no key is configured. */
export class VaultKeyMissing extends Error {
  constructor() {
    super(
      "this deleted file is encrypted and DELETED_MEDIA_KEY_B64 is not set: configure the key it was encrypted with to post it",
    );
    this.name = "VaultKeyMissing";
  }
}

/** Keeps files as configured; opens encrypted and plaintext files alike. */
export function configuredDeletedMediaStore(s: VaultSettings): DeletedMediaStore {
  const plain = plaintextDeletedMediaStore(s.vaultDir);
  const sealed = s.key ? encryptedDeletedMediaStore(s.vaultDir, s.key, s.tmpDir) : undefined;
  const keeper = s.encrypt && sealed ? sealed : plain;
  return {
    keep: (src, meta) => keeper.keep(src, meta),
    discard: (file) => keeper.discard(file),
    async open(file) {
      // The stores name their files: `<32 hex>.tlv` sealed, `<32 hex>.bin` plain.
      if (!file.endsWith(VAULT_EXTENSION)) return plain.open(file);
      if (!sealed) throw new VaultKeyMissing();
      return sealed.open(file);
    },
  };
}
