/**
 * An independent decryptor and encryptor written from docs/vault-format.md alone, with WebCrypto
 * (`crypto.subtle`) and DataView: no code from src/media/vault/ is used by them. The decryptor
 * reads files written by the real encryptor, and the real decryptor reads files written by the
 * encryptor, so the document and the code cannot drift apart in either direction.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, TEST_KEY } from "../support/vault.ts";

const subtle = globalThis.crypto.subtle;
const ascii = (s: string) => new TextEncoder().encode(s);

async function hkdf(master: Uint8Array, salt: Uint8Array, info: string, bytes: number): Promise<Uint8Array> {
  const ikm = await subtle.importKey("raw", master, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(
    await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: ascii(info) }, ikm, bytes * 8),
  );
}

function nonceFor(base: Uint8Array, i: number, final: boolean): Uint8Array {
  const mask = new Uint8Array(12);
  new DataView(mask.buffer).setUint32(7, i, false);
  mask[11] = final ? 0x01 : 0x00;
  return base.map((b, k) => b ^ mask[k]!);
}

/** Decrypts a version-1 vault file per the document; throws a string naming the failure. */
async function decryptPerDocument(file: Uint8Array, masterKey: Uint8Array) {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 53) throw new Error("short header");
  const magic = [0x54, 0x4c, 0x56, 0x41, 0x55, 0x4c, 0x54, 0x00];
  if (!magic.every((b, i) => file[i] === b)) throw new Error("not a vault file");
  if (file[8] !== 1) throw new Error("unsupported version");
  const C = view.getUint32(9, false);
  const M = view.getUint32(49, false);
  if (C < 1024 || C > 16_777_216 || M > 1_048_576) throw new Error("damaged header");
  const header = file.slice(0, 53);
  const keyIdInFile = file.slice(13, 21);
  const salt = file.slice(21, 37);
  const N = file.slice(37, 49);
  const keyId = await hkdf(masterKey, new Uint8Array(0), "telegram-logger/vault/v1/key-id", 8);
  if (!keyId.every((b, i) => b === keyIdInFile[i])) throw new Error("wrong key");
  const fileKey = await subtle.importKey(
    "raw",
    await hkdf(masterKey, salt, "telegram-logger/vault/v1/file-key", 32),
    "AES-GCM",
    false,
    ["decrypt"],
  );
  const open = async (record: Uint8Array, i: number, final: boolean) =>
    new Uint8Array(
      await subtle.decrypt(
        { name: "AES-GCM", iv: nonceFor(N, i, final), additionalData: header, tagLength: 128 },
        fileKey,
        record,
      ),
    );
  const metaPlain = await open(file.slice(53, 53 + M + 16), 0, false);
  const metadata = JSON.parse(new TextDecoder().decode(metaPlain));
  const start = 53 + M + 16;
  const D = file.length - start;
  if (D <= 0) throw new Error("truncated");
  const n = Math.ceil(D / (C + 16));
  const parts: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const from = start + (i - 1) * (C + 16);
    const record = file.slice(from, Math.min(from + C + 16, file.length));
    if (record.length < 16) throw new Error("truncated");
    parts.push(await open(record, i, i === n));
  }
  return { metadata, plaintext: Buffer.concat(parts) };
}

/**
 * Encrypts `plaintext` into a version-1 vault file per the document, with chunk size `C`. The
 * metadata is not padded to 256 bytes (the document only says writers do so) but ends in spaces.
 */
async function encryptPerDocument(plaintext: Uint8Array, masterKey: Uint8Array, metadata: object, C: number) {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const N = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const metaPlain = ascii(`${JSON.stringify(metadata)}   `);
  const header = new Uint8Array(53);
  const view = new DataView(header.buffer);
  header.set([0x54, 0x4c, 0x56, 0x41, 0x55, 0x4c, 0x54, 0x00], 0);
  header[8] = 1;
  view.setUint32(9, C, false);
  header.set(await hkdf(masterKey, new Uint8Array(0), "telegram-logger/vault/v1/key-id", 8), 13);
  header.set(salt, 21);
  header.set(N, 37);
  view.setUint32(49, metaPlain.length, false);
  const fileKey = await subtle.importKey(
    "raw",
    await hkdf(masterKey, salt, "telegram-logger/vault/v1/file-key", 32),
    "AES-GCM",
    false,
    ["encrypt"],
  );
  const seal = async (plain: Uint8Array, i: number, final: boolean) =>
    new Uint8Array(
      await subtle.encrypt(
        { name: "AES-GCM", iv: nonceFor(N, i, final), additionalData: header, tagLength: 128 },
        fileKey,
        plain,
      ),
    );
  const parts = [header, await seal(metaPlain, 0, false)];
  const n = Math.max(1, Math.ceil(plaintext.length / C));
  for (let i = 1; i <= n; i++) parts.push(await seal(plaintext.subarray((i - 1) * C, i * C), i, i === n));
  return Buffer.concat(parts);
}

/** File sizes and chunk sizes on the edges of a record and of the real code's 1 MiB reads and writes. */
const CASES = [
  [0, 1024],
  [1, 1024],
  [1024, 1024],
  [1025, 1024],
  [10_000, 4096],
  [2 * 1024 * 1024 + 9, 256 * 1024],
  [4 * 256 * 1024, 256 * 1024],
  [5 * 1024 * 1024 + 3, 1024],
] as const;

describe("vault format document (independent WebCrypto decryptor)", () => {
  for (const [size, chunk] of CASES) {
    it(`decrypts a ${size}-byte file written with ${chunk}-byte chunks`, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(size);
      const m = meta("рисунок 1.png");
      const file = await makeVaultFile(dir, content, m, chunk);
      const r = await decryptPerDocument(readFileSync(file), TEST_KEY);
      assert.ok(r.plaintext.equals(content));
      assert.deepEqual(r.metadata, m);
    });
  }

  it("agrees that a file missing its final chunk does not decrypt", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(3000), meta("x"), 1024);
    const bytes = readFileSync(file);
    const cut = bytes.subarray(0, 53 + 256 + 16 + 2 * (1024 + 16));
    writeFileSync(file, cut);
    await assert.rejects(decryptPerDocument(cut, TEST_KEY));
  });

  it("agrees on the key id: another key is reported as wrong", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(10));
    await assert.rejects(decryptPerDocument(readFileSync(file), Buffer.alloc(32, 9)), /wrong key/);
  });
});

describe("vault format document (independent WebCrypto encryptor)", () => {
  for (const [size, chunk] of CASES) {
    it(`decryptVaultToPath reads a ${size}-byte file written with ${chunk}-byte chunks`, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(size);
      const m = meta("рисунок 1.png");
      const file = path.join(dir, "independent.tlv");
      writeFileSync(file, await encryptPerDocument(content, TEST_KEY, m, chunk));
      const out = path.join(dir, "restored");
      assert.deepEqual(await decryptVaultToPath(file, TEST_KEY, out), m);
      assert.ok(readFileSync(out).equals(content));
    });
  }
});
