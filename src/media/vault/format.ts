/**
 * The vault file format, version 1, as pure functions: header layout, per-record nonces, record
 * framing and the metadata record. No I/O and no cipher calls here, so every byte-level rule of
 * docs/vault-format.md lives in one place that unit tests can check directly.
 *
 * Layout: header (53 bytes) | metadata record | data record 1 | … | data record n (the final one is
 * marked in its nonce). Every record is AES-256-GCM ciphertext followed by its 16-byte tag, with
 * the whole header as additional authenticated data.
 */
import { VaultError } from "./errors.ts";

/** First 8 bytes of every vault file: ASCII "TLVAULT" and a zero byte. */
export const MAGIC = Buffer.from("TLVAULT\0", "latin1");
/** The only format version this code writes and reads. */
export const VERSION = 1;
/** Size of the fixed header in bytes. */
export const HEADER_SIZE = 53;
/** Size of a GCM authentication tag; every record ends with one. */
export const TAG_SIZE = 16;
/** Size of the key id, the random salt and the base nonce in the header. */
export const KEY_ID_SIZE = 8;
export const SALT_SIZE = 16;
export const NONCE_SIZE = 12;
/** Allowed chunk sizes (plaintext bytes per data record), inclusive. */
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Default chunk size, chosen by bench/vault.bench.ts: large enough that per-record cost vanishes. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024;
/** Largest metadata record a reader accepts (plaintext bytes); writers stay far below it. */
export const MAX_META_SIZE = 1024 * 1024;
/** Writers pad the metadata JSON with spaces to a multiple of this, so its length says little. */
export const META_PADDING = 256;

/** The parsed fixed header. `bytes` is the exact header as read, used as AAD for every record. */
export interface VaultHeader {
  version: number;
  chunkSize: number;
  keyId: Buffer;
  salt: Buffer;
  baseNonce: Buffer;
  /** Plaintext length of the metadata record (its ciphertext is the same length, plus the tag). */
  metaLength: number;
  bytes: Buffer;
}

/** What the vault keeps about a file, encrypted inside it as the first record. */
export interface VaultMeta {
  /** The original file name as Telegram gave it (untrusted: sanitize before using as a path). */
  fileName: string;
  mimeType: string;
  /** Marked chat id. */
  chatId: number;
  messageId: number;
  /** When the message was sent, ms since the Unix epoch. */
  date: number;
}

/** Builds the 53-byte header. Inputs are validated so a writer cannot produce an unreadable file. */
export function encodeHeader(h: Omit<VaultHeader, "bytes" | "version">): Buffer {
  checkChunkSize(h.chunkSize);
  if (h.keyId.length !== KEY_ID_SIZE || h.salt.length !== SALT_SIZE || h.baseNonce.length !== NONCE_SIZE) {
    throw new RangeError("vault header: key id, salt or nonce has the wrong length");
  }
  if (!Number.isInteger(h.metaLength) || h.metaLength < 0 || h.metaLength > MAX_META_SIZE) {
    throw new RangeError(`vault header: metadata length ${h.metaLength} out of range`);
  }
  const b = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(b, 0);
  b.writeUInt8(VERSION, 8);
  b.writeUInt32BE(h.chunkSize, 9);
  h.keyId.copy(b, 13);
  h.salt.copy(b, 21);
  h.baseNonce.copy(b, 37);
  b.writeUInt32BE(h.metaLength, 49);
  return b;
}

/** True when `prefix` (at least the first 8 bytes of a file) starts with the vault magic. */
export function hasVaultMagic(prefix: Uint8Array): boolean {
  return prefix.length >= MAGIC.length && MAGIC.equals(prefix.subarray(0, MAGIC.length));
}

/**
 * Parses and checks the header. Throws `VaultError` with kind `not-vault` (no magic),
 * `unsupported-version`, `truncated` (file shorter than a header) or `bad-header` (a field out of
 * range). It does not authenticate anything: that happens when the metadata record is decrypted.
 */
export function parseHeader(bytes: Uint8Array): VaultHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!hasVaultMagic(b)) {
    if (b.length < MAGIC.length && MAGIC.subarray(0, b.length).equals(b) && b.length > 0) {
      throw new VaultError("truncated", "the file ends inside the vault header");
    }
    throw new VaultError("not-vault", "not a vault file (no TLVAULT signature)");
  }
  if (b.length < 9) throw new VaultError("truncated", "the file ends inside the vault header");
  const version = b.readUInt8(8);
  if (version !== VERSION) {
    throw new VaultError(
      "unsupported-version",
      `vault format version ${version} is not supported (this program reads version ${VERSION})`,
    );
  }
  if (b.length < HEADER_SIZE) throw new VaultError("truncated", "the file ends inside the vault header");
  const chunkSize = b.readUInt32BE(9);
  const metaLength = b.readUInt32BE(49);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new VaultError("bad-header", `damaged header: chunk size ${chunkSize} is out of range`);
  }
  if (metaLength > MAX_META_SIZE) {
    throw new VaultError("bad-header", `damaged header: metadata length ${metaLength} is out of range`);
  }
  const copy = Buffer.from(b.subarray(0, HEADER_SIZE));
  return {
    version,
    chunkSize,
    keyId: copy.subarray(13, 21),
    salt: copy.subarray(21, 37),
    baseNonce: copy.subarray(37, 49),
    metaLength,
    bytes: copy,
  };
}

/** Throws unless `n` is an allowed chunk size. */
export function checkChunkSize(n: number): void {
  if (!Number.isInteger(n) || n < MIN_CHUNK_SIZE || n > MAX_CHUNK_SIZE) {
    throw new RangeError(
      `vault chunk size must be a whole number from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}`,
    );
  }
}

/**
 * The nonce of record `index` (0 = metadata, 1… = data): the base nonce XOR
 * (7 zero bytes | index as 32-bit big-endian | 0x01 if final else 0x00). Deriving nonces from the
 * position is what makes reordering, dropping or duplicating records fail authentication.
 */
export function recordNonce(baseNonce: Uint8Array, index: number, final: boolean): Buffer {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) {
    throw new RangeError("vault record index out of range (file too large for its chunk size)");
  }
  const n = Buffer.from(baseNonce);
  n[7]! ^= (index >>> 24) & 0xff;
  n[8]! ^= (index >>> 16) & 0xff;
  n[9]! ^= (index >>> 8) & 0xff;
  n[10]! ^= index & 0xff;
  if (final) n[11]! ^= 0x01;
  return n;
}

/** Serializes metadata as UTF-8 JSON padded with spaces to a multiple of `META_PADDING`. */
export function encodeMeta(meta: VaultMeta): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      fileName: meta.fileName,
      mimeType: meta.mimeType,
      chatId: meta.chatId,
      messageId: meta.messageId,
      date: meta.date,
    }),
    "utf8",
  );
  const padded = Math.ceil(Math.max(json.length, 1) / META_PADDING) * META_PADDING;
  if (padded > 64 * 1024) throw new RangeError("vault metadata is too large (file name over 64 KiB?)");
  const out = Buffer.alloc(padded, 0x20);
  json.copy(out);
  return out;
}

/**
 * Parses the decrypted metadata record. Unknown fields are ignored and missing ones get neutral
 * values, so later writers can add fields; a record that is not a JSON object is `bad-meta`.
 */
export function decodeMeta(plain: Uint8Array): VaultMeta {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(plain).toString("utf8"));
  } catch {
    throw new VaultError("bad-meta", "the metadata record is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new VaultError("bad-meta", "the metadata record is not a JSON object");
  }
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : 0);
  return {
    fileName: str(o.fileName),
    mimeType: str(o.mimeType),
    chatId: num(o.chatId),
    messageId: num(o.messageId),
    date: num(o.date),
  };
}

/** Size of a vault file holding `plainSize` bytes of content: useful for checks and the benchmark. */
export function vaultFileSize(plainSize: number, chunkSize: number, metaLength: number): number {
  const records = Math.max(1, Math.ceil(plainSize / chunkSize));
  return HEADER_SIZE + metaLength + TAG_SIZE + plainSize + records * TAG_SIZE;
}
