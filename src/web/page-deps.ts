import type { Reads } from "./reads.ts";

/**
 * The running service's health as /health reports it (src/http/health/model.ts builds it: no
 * secret in it, the last error's text already has secrets masked), with housekeeping's figures.
 * A plain copy: the status page reads it, never the parts behind it.
 */
export interface StatusSnapshot {
  /** 200 when healthy, 503 when not (what /health answers). */
  httpStatus: number;
  /** /health's body: `status`, `reasons`, times, and one entry per part (telegram, outbox, watchers, database). */
  body: { status: string; reasons: string[]; [part: string]: unknown };
  housekeeping?: { lastSuccessAt: number | null; mediaUsage: { buffer: number; vault: number } | null };
}

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
  /** The service's health, when the UI runs inside the service (the status and files pages). */
  status?: () => StatusSnapshot | Promise<StatusSnapshot>;
  media: MediaPlaces;
}
