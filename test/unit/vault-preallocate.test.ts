import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { vaultFileSize } from "../../src/media/vault/format.ts";
import { PREALLOCATE_MIN, preallocate } from "../../src/media/vault/preallocate.ts";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, TEST_KEY } from "../support/vault.ts";

const MiB = 1024 * 1024;
/** Bytes the file system has allocated to `file`. */
const allocated = (file: string) => statSync(file).blocks * 512;

describe("preallocating large files", () => {
  it("reserves the blocks and leaves the size alone", async (t) => {
    const file = path.join(tempDir(t), "f");
    writeFileSync(file, "abc");
    assert.equal(await preallocate(file, 8 * MiB, { minBytes: 0 }), true);
    assert.equal(statSync(file).size, 3);
    assert.ok(allocated(file) >= 8 * MiB, `${allocated(file)} bytes allocated`);
    assert.equal(readFileSync(file, "utf8"), "abc");
  });

  it("leaves files under the minimum alone", async (t) => {
    const file = path.join(tempDir(t), "f");
    writeFileSync(file, "");
    assert.equal(await preallocate(file, PREALLOCATE_MIN - 1), false);
    assert.equal(allocated(file), 0);
  });

  it("gives up quietly without the program, or on a path it cannot use", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "f");
    writeFileSync(file, "");
    const command = path.join(dir, "no-such-fallocate");
    assert.equal(await preallocate(file, 8 * MiB, { minBytes: 0, command }), false);
    assert.equal(await preallocate(file, 8 * MiB, { minBytes: 0, command }), false);
    assert.equal(allocated(file), 0);
    assert.equal(await preallocate(path.join(dir, "missing", "f"), 8 * MiB, { minBytes: 0 }), false);
    assert.equal(await preallocate(dir, 8 * MiB, { minBytes: 0 }), false);
  });

  it("encrypts and decrypts a file above the minimum with nothing reserved left over", async (t) => {
    const dir = tempDir(t);
    const content = randomBytes(PREALLOCATE_MIN + 5);
    const file = await makeVaultFile(dir, content, meta("film.mp4"), 256 * 1024);
    assert.equal(statSync(file).size, vaultFileSize(content.length, 256 * 1024, 256));
    const out = path.join(dir, "plain");
    await decryptVaultToPath(file, TEST_KEY, out);
    assert.ok(readFileSync(out).equals(content), "same bytes back");
    for (const f of [file, out]) {
      const slack = allocated(f) - statSync(f).size;
      assert.ok(slack >= 0 && slack < 64 * 1024, `${f}: ${slack} bytes allocated past its end`);
    }
  });
});
