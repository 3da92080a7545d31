/**
 * Key handling for the vault: parsing the base64 key a user supplies, the key id written in every
 * header (so a wrong key is reported as such before anything is decrypted), and the per-file key.
 *
 * Both derivations use HKDF-SHA256 with distinct labels, so the key id reveals nothing usable about
 * the key and the AES key of each file is independent (a random 16-byte salt per file), which keeps
 * GCM's nonce and usage limits per file instead of per installation.
 */
import { createSecretKey, hkdfSync, type KeyObject } from "node:crypto";
import { KEY_ID_SIZE } from "./format.ts";

/** HKDF `info` for the key id (salt: empty). */
export const KEY_ID_INFO = "telegram-logger/vault/v1/key-id";
/** HKDF `info` for a file's AES-256-GCM key (salt: the header's 16-byte salt). */
export const FILE_KEY_INFO = "telegram-logger/vault/v1/file-key";

/** A malformed key; `source` names where it came from (a variable or a flag), never its value. */
export class KeyFormatError extends Error {
  readonly source: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = "KeyFormatError";
    this.source = source;
  }
}

/**
 * Decodes a base64 (or base64url) key of exactly 32 bytes. Same rules as config.ts's
 * DELETED_MEDIA_KEY_B64, so a key the service accepts is a key the decrypt command accepts.
 */
export function parseKeyB64(text: string, source: string): Buffer {
  const normalized = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  if (normalized === "") throw new KeyFormatError(source, "is empty (expected the base64 of 32 bytes)");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normalized)) {
    throw new KeyFormatError(source, "is not base64 (expected the base64 of 32 random bytes)");
  }
  const key = Buffer.from(normalized, "base64");
  if (key.length !== 32) {
    throw new KeyFormatError(source, `decodes to ${key.length} bytes; AES-256 needs exactly 32`);
  }
  return key;
}

function checkMaster(key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError("vault key must be 32 bytes");
}

/** The 8-byte key id stored in headers: HKDF-SHA256(key, salt = "", info = KEY_ID_INFO). */
export function keyId(key: Uint8Array): Buffer {
  checkMaster(key);
  return Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), KEY_ID_INFO, KEY_ID_SIZE));
}

/** The AES-256-GCM key of one file: HKDF-SHA256(key, salt = header salt, info = FILE_KEY_INFO). */
export function fileKey(key: Uint8Array, salt: Uint8Array): KeyObject {
  checkMaster(key);
  return createSecretKey(Buffer.from(hkdfSync("sha256", key, salt, FILE_KEY_INFO, 32)));
}
