/**
 * Where a deleted message's file goes: `media_deleted/`, under a random name that reveals nothing.
 * This is the plaintext store; the encrypted vault (ENCRYPT_DELETED_MEDIA) implements the same
 * interface, so the rest of the service does not care which one is configured.
 */
import { randomBytes } from "node:crypto";
import { chmod, copyFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/** What is known about a deleted file, kept with it (inside the file, when encrypted). */
export interface DeletedMediaMeta {
  fileName: string;
  mimeType: string;
  chatId: number;
  messageId: number;
  date: number;
}

/** A readable plaintext copy of a kept file, and how to dispose of it. */
export interface OpenedMedia {
  path: string;
  cleanup(): Promise<void>;
}

/** Keeps deleted media and gives it back for posting. */
export interface DeletedMediaStore {
  /** Copies `src` into the store; returns the name it has there. */
  keep(src: string, meta: DeletedMediaMeta): Promise<string>;
  /** A plaintext file to upload (a temporary 0600 copy when encrypted). */
  open(file: string): Promise<OpenedMedia>;
  /** Removes a file just kept whose row could not be written (the buffered copy stays in use). */
  discard(file: string): Promise<void>;
}

/**
 * The names the plaintext store gives (`<32 hex>.bin`), so `decrypt` can tell a file kept in the
 * clear from a damaged or foreign one.
 */
export const PLAIN_DELETED_MEDIA_NAME = /^[0-9a-f]{32}\.bin$/;

/** The plaintext store: files copied as they are, 0600, under random names. */
export function plaintextDeletedMediaStore(dir: string): DeletedMediaStore {
  return {
    async keep(src) {
      const name = `${randomBytes(16).toString("hex")}.bin`;
      const tmp = path.join(dir, `.${name}.tmp`);
      try {
        await copyFile(src, tmp);
        await chmod(tmp, 0o600);
        await rename(tmp, path.join(dir, name));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return name;
    },
    async open(file) {
      return { path: path.join(dir, path.basename(file)), cleanup: async () => {} };
    },
    discard: (file) => rm(path.join(dir, path.basename(file)), { force: true }),
  };
}
