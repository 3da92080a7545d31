import type { Reads } from "./reads.ts";

/** Where kept media files are, for `/ui/media/<id>`. */
export interface MediaPlaces {
  /** The media buffer (`media_files.blob`). */
  mediaDir: string;
  /** Deleted messages' files (`media_files.vault_file`). */
  vaultDir: string;
  /** DELETED_MEDIA_KEY_B64, decoded, to decrypt `.tlv` files; null when not configured. */
  vaultKey: Uint8Array | null;
}

/** What every page's routes get: the reads (run off the service's thread) and the clock. */
export interface PageDeps {
  reads: Reads;
  /** Now, in ms since the epoch (a test's clock in tests). */
  now: () => number;
  media: MediaPlaces;
}
