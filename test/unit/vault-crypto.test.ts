import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { decryptVaultToPath, readVaultMeta } from "../../src/media/vault/decrypt.ts";
import { encryptFileToVault } from "../../src/media/vault/encrypt.ts";
import { VaultError, type VaultErrorKind } from "../../src/media/vault/errors.ts";
import { HEADER_SIZE, TAG_SIZE, vaultFileSize } from "../../src/media/vault/format.ts";
import { purgeVault } from "../../src/media/vault/purge.ts";
import { OutputExistsError, restoreFile } from "../../src/media/vault/restore.ts";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, OTHER_KEY, pythonEncFile, TEST_KEY } from "../support/vault.ts";

const C = 1024;

/**
 * Decrypts `file` with `decryptVaultToPath` next to it and returns the bytes; on failure, checks
 * that no output was left behind before rethrowing.
 */
async function decryptToBuffer(file: string, key = TEST_KEY) {
  const out = `${file}.out`;
  try {
    const m = await decryptVaultToPath(file, key, out);
    return { meta: m, bytes: readFileSync(out) };
  } catch (err) {
    assert.equal(existsSync(out), false, "no partial output after a failure");
    throw err;
  } finally {
    rmSync(out, { force: true });
  }
}

async function expectKind(file: string, kind: VaultErrorKind, key = TEST_KEY) {
  await assert.rejects(decryptToBuffer(file, key), (err: unknown) => {
    assert.ok(err instanceof VaultError, `expected VaultError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return true;
  });
}

/** Decrypting with restoreFile fails and leaves the output folder empty. */
async function expectNoOutput(t: TestContext, file: string, key = TEST_KEY) {
  const out = tempDir(t);
  await assert.rejects(restoreFile(file, key, out, { force: false, claimed: new Set() }));
  assert.deepEqual(readdirSync(out), []);
}

describe("vault round trip", () => {
  const sizes: [string, number, number][] = [
    ["empty file", 0, C],
    ["1 byte", 1, C],
    ["exactly one chunk", C, C],
    ["one chunk plus one byte", C + 1, C],
    ["exactly three chunks", 3 * C, C],
    ["several MiB, small chunks", 3 * 1024 * 1024 + 17, C],
    ["several MiB, default chunk size", 5 * 1024 * 1024 + 3, 256 * 1024],
  ];
  for (const [name, size, chunkSize] of sizes) {
    it(name, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(size);
      const file = await makeVaultFile(dir, content, meta("photo.jpg"), chunkSize);
      const st = statSync(file);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      assert.match(path.basename(file), /^[0-9a-f]{32}\.tlv$/);
      assert.equal(st.size, vaultFileSize(size, chunkSize, 256));
      const r = await decryptToBuffer(file);
      assert.ok(r.bytes.equals(content), "same bytes back");
      assert.deepEqual(r.meta, meta("photo.jpg"));
      assert.deepEqual(await readVaultMeta(file, TEST_KEY), meta("photo.jpg"));
      if (size >= 16)
        assert.ok(!readFileSync(file).includes(content.subarray(0, 16)), "no plaintext on disk");
    });
  }

  it("encrypts the same file differently each time and leaves no temporary file", async (t) => {
    const dir = tempDir(t);
    const content = Buffer.alloc(4000, 7);
    const a = await makeVaultFile(dir, content);
    const b = await makeVaultFile(dir, content);
    assert.notDeepEqual(readFileSync(a).subarray(HEADER_SIZE), readFileSync(b).subarray(HEADER_SIZE));
    assert.deepEqual(readdirSync(path.dirname(a)).sort(), [path.basename(a), path.basename(b)].sort());
  });

  it("removes its temporary file when the source cannot be read", async (t) => {
    const dir = tempDir(t);
    await assert.rejects(
      encryptFileToVault(path.join(dir, "missing"), path.join(dir, "vault"), TEST_KEY, meta("x"), {
        sync: false,
      }),
      /ENOENT/,
    );
    assert.deepEqual(readdirSync(path.join(dir, "vault")), []);
  });
});

describe("vault tampering", () => {
  // 3.5 chunks: records 1-3 full (C + 16 bytes), record 4 final with 512 bytes.
  const content = randomBytes(3 * C + 512);
  const M = 256;
  const D0 = HEADER_SIZE + M + TAG_SIZE;
  const R = C + TAG_SIZE;
  const positions: [string, number, VaultErrorKind][] = [
    ["magic", 2, "not-vault"],
    ["version", 8, "unsupported-version"],
    ["chunk size", 12, "tampered"],
    ["key id", 15, "wrong-key"],
    ["salt", 25, "tampered"],
    ["base nonce", 40, "tampered"],
    ["metadata length", 52, "tampered"],
    ["metadata ciphertext", HEADER_SIZE + 3, "tampered"],
    ["metadata tag", HEADER_SIZE + M + 5, "tampered"],
    ["first chunk ciphertext", D0 + 10, "tampered"],
    ["first chunk tag", D0 + C + 1, "tampered"],
    ["middle chunk ciphertext", D0 + R + 500, "tampered"],
    ["middle chunk tag", D0 + R + C + 15, "tampered"],
    ["last chunk ciphertext", D0 + 3 * R, "tampered"],
    ["last chunk tag", D0 + 3 * R + 512 + 8, "tampered"],
  ];
  for (const [where, offset, kind] of positions) {
    it(`a flipped bit in the ${where} is refused (${kind})`, async (t) => {
      const dir = tempDir(t);
      const file = await makeVaultFile(dir, content);
      const bytes = readFileSync(file);
      assert.equal(bytes.length, D0 + 3 * R + 512 + TAG_SIZE, "layout as assumed");
      bytes[offset]! ^= 0x01;
      writeFileSync(file, bytes);
      await expectKind(file, kind);
      await expectNoOutput(t, file);
    });
  }

  it("swapped chunks are refused", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, content);
    const b = readFileSync(file);
    const first = Buffer.from(b.subarray(D0, D0 + R));
    b.copy(b, D0, D0 + R, D0 + 2 * R);
    first.copy(b, D0 + R);
    writeFileSync(file, b);
    await expectKind(file, "tampered");
    await expectNoOutput(t, file);
  });

  it("a duplicated chunk is refused", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, content);
    const b = readFileSync(file);
    writeFileSync(file, Buffer.concat([b.subarray(0, D0 + R), b.subarray(D0, D0 + R), b.subarray(D0 + R)]));
    await expectKind(file, "tampered");
  });

  it("a chunk from another file with the same key is refused", async (t) => {
    const dir = tempDir(t);
    const a = await makeVaultFile(dir, content);
    const b = await makeVaultFile(dir, content);
    const ba = readFileSync(a);
    readFileSync(b).copy(ba, D0 + R, D0 + R, D0 + 2 * R);
    writeFileSync(a, ba);
    await expectKind(a, "tampered");
  });
});

describe("vault truncation", () => {
  const content = randomBytes(3 * C + 512);
  const D0 = HEADER_SIZE + 256 + TAG_SIZE;
  const R = C + TAG_SIZE;
  const cuts: [string, number, VaultErrorKind][] = [
    ["to nothing", 0, "not-vault"],
    ["inside the magic", 5, "truncated"],
    ["inside the header", 30, "truncated"],
    ["after the header", HEADER_SIZE, "truncated"],
    ["inside the metadata record", HEADER_SIZE + 100, "truncated"],
    ["after the metadata record (no chunk at all)", D0, "truncated"],
    ["after chunk 1", D0 + R, "truncated"],
    ["after chunk 2", D0 + 2 * R, "truncated"],
    ["after chunk 3 (the final chunk dropped)", D0 + 3 * R, "truncated"],
    ["inside the final chunk's tag", D0 + 3 * R + 8, "truncated"],
    ["in the middle of chunk 2", D0 + R + 300, "tampered"],
    ["in the middle of the final chunk", D0 + 3 * R + 200, "tampered"],
    ["one byte short", D0 + 3 * R + 512 + TAG_SIZE - 1, "tampered"],
  ];
  for (const [where, length, kind] of cuts) {
    it(`cut ${where} is refused (${kind})`, async (t) => {
      const dir = tempDir(t);
      const file = await makeVaultFile(dir, content);
      writeFileSync(file, readFileSync(file).subarray(0, length));
      await expectKind(file, kind);
      await expectNoOutput(t, file);
    });
  }

  it("a file cut at a chunk boundary of an exact multiple of the chunk size is refused", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(2 * C));
    writeFileSync(file, readFileSync(file).subarray(0, D0 + R));
    await expectKind(file, "truncated");
  });

  it("bytes appended after the final chunk are refused", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, content);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from("extra")]));
    await expectKind(file, "tampered");
  });
});

describe("vault keys and foreign files", () => {
  it("a wrong key is reported as such, before any output", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(5000));
    await expectKind(file, "wrong-key", OTHER_KEY);
    await expectNoOutput(t, file, OTHER_KEY);
  });

  it("error messages never contain the key", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(100));
    await assert.rejects(decryptToBuffer(file, OTHER_KEY), (err: Error) => {
      for (const enc of ["hex", "base64", "base64url"] as const) {
        assert.ok(!err.message.includes(OTHER_KEY.toString(enc)));
        assert.ok(!err.message.includes(TEST_KEY.toString(enc)));
      }
      return true;
    });
  });

  it("a plain file is not a vault file", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "notes.txt");
    writeFileSync(file, "just some text that is long enough to be mistaken for something\n");
    await expectKind(file, "not-vault");
    const out = tempDir(t);
    await assert.rejects(
      restoreFile(file, TEST_KEY, out, { force: false, claimed: new Set() }),
      (err: unknown) => {
        assert.ok(err instanceof VaultError && err.kind === "not-vault", String(err));
        return true;
      },
    );
    assert.deepEqual(readdirSync(out), []);
  });
});

describe("Python logger files", () => {
  for (const size of [0, 1, 100_000, 3 * 1024 * 1024 + 5]) {
    it(`restores a ${size}-byte .enc file under its name minus .enc`, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(size);
      const enc = path.join(dir, "IMG_0001.jpg.enc");
      pythonEncFile(enc, content);
      const out = tempDir(t);
      const r = await restoreFile(enc, TEST_KEY, out, { force: false, claimed: new Set() });
      assert.equal(r.format, "legacy");
      assert.equal(r.output, path.join(out, "IMG_0001.jpg"));
      assert.ok(readFileSync(r.output).equals(content));
      assert.equal(statSync(r.output).mode & 0o777, 0o600);
    });
  }

  it("a wrong key or a modified .enc file leaves nothing behind", async (t) => {
    const dir = tempDir(t);
    const enc = path.join(dir, "a.enc");
    pythonEncFile(enc, randomBytes(300_000));
    const out = tempDir(t);
    await assert.rejects(
      restoreFile(enc, OTHER_KEY, out, { force: false, claimed: new Set() }),
      (err: unknown) => {
        assert.ok(err instanceof VaultError && err.kind === "tampered", String(err));
        return true;
      },
    );
    const b = readFileSync(enc);
    b[b.length - 100]! ^= 1;
    writeFileSync(enc, b);
    await assert.rejects(restoreFile(enc, TEST_KEY, out, { force: false, claimed: new Set() }), VaultError);
    assert.deepEqual(readdirSync(out), []);
  });

  it("a short file refused at once leaves nothing behind, and a missing output folder is a plain error", async (t) => {
    const dir = tempDir(t);
    const short = path.join(dir, "short.enc");
    writeFileSync(short, "tiny");
    const out = tempDir(t);
    for (let i = 0; i < 20; i++) {
      await assert.rejects(
        restoreFile(short, TEST_KEY, out, { force: false, claimed: new Set() }),
        VaultError,
      );
    }
    assert.deepEqual(readdirSync(out), []);
    await assert.rejects(
      restoreFile(short, TEST_KEY, path.join(dir, "missing"), { force: false, claimed: new Set() }),
      /ENOENT/,
    );
  });
});

describe("restoring under the original name", () => {
  const hostile: [string, string][] = [
    ["../x", "x"],
    ["/etc/passwd", "passwd"],
    ["../../../../tmp/evil.sh", "evil.sh"],
    ["nul\u0000byte.txt", "nul_byte.txt"],
    ["..", ""],
    ["", ""],
    [`${"n".repeat(300)}.mp4`, ""],
  ];
  for (const [name, want] of hostile) {
    it(`metadata name ${JSON.stringify(name.slice(0, 40))} stays inside the output folder`, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(2000);
      const file = await makeVaultFile(dir, content, meta(name));
      const out = path.join(tempDir(t), "out");
      const r = await restoreFile(file, TEST_KEY, out.replace(/out$/, ""), {
        force: false,
        claimed: new Set(),
      });
      assert.equal(path.dirname(r.output), path.resolve(out.replace(/\/out$/, "")));
      const base = path.basename(r.output);
      if (want) assert.equal(base, want);
      else assert.ok(base.length > 0 && base !== ".." && Buffer.byteLength(base) <= 200, base);
      assert.ok(readFileSync(r.output).equals(content));
    });
  }

  it("two files with the same original name do not collide", async (t) => {
    const dir = tempDir(t);
    const a = await makeVaultFile(dir, Buffer.from("first"), meta("same.txt"));
    const b = await makeVaultFile(dir, Buffer.from("second"), meta("same.txt"));
    const out = tempDir(t);
    const claimed = new Set<string>();
    const ra = await restoreFile(a, TEST_KEY, out, { force: false, claimed });
    const rb = await restoreFile(b, TEST_KEY, out, { force: false, claimed });
    assert.deepEqual([path.basename(ra.output), path.basename(rb.output)], ["same.txt", "same-2.txt"]);
  });

  it("refuses to overwrite without force, overwrites with it", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, Buffer.from("new content"), meta("keep.txt"));
    const out = tempDir(t);
    writeFileSync(path.join(out, "keep.txt"), "old content");
    await assert.rejects(
      restoreFile(file, TEST_KEY, out, { force: false, claimed: new Set() }),
      OutputExistsError,
    );
    assert.equal(readFileSync(path.join(out, "keep.txt"), "utf8"), "old content");
    assert.deepEqual(readdirSync(out), ["keep.txt"]);
    await restoreFile(file, TEST_KEY, out, { force: true, claimed: new Set() });
    assert.equal(readFileSync(path.join(out, "keep.txt"), "utf8"), "new content");
    assert.equal(statSync(path.join(out, "keep.txt")).mode & 0o777, 0o600);
  });
});

describe("vault purge", () => {
  it("deletes vault files older than the TTL and reports files and bytes", async (t) => {
    const dir = tempDir(t);
    const old = await makeVaultFile(dir, randomBytes(3000));
    const fresh = await makeVaultFile(dir, randomBytes(100));
    const vault = path.dirname(old);
    const other = path.join(vault, "README.txt");
    writeFileSync(other, "not a vault file");
    const now = Date.now();
    const tenDaysAgo = new Date(now - 10 * 86_400_000);
    utimesSync(old, tenDaysAgo, tenDaysAgo);
    utimesSync(other, tenDaysAgo, tenDaysAgo);
    assert.deepEqual(await purgeVault(vault, 0, now), { files: 0, bytes: 0 }, "TTL 0 keeps everything");
    const size = statSync(old).size;
    assert.deepEqual(await purgeVault(vault, 7, now), { files: 1, bytes: size });
    assert.deepEqual(readdirSync(vault).sort(), [path.basename(fresh), "README.txt"].sort());
    assert.deepEqual(await purgeVault(path.join(dir, "missing"), 7, now), { files: 0, bytes: 0 });
  });
});
