/**
 * Reserving a large vault output's blocks (preallocate.ts) on real files, and the vault calling it:
 * a `fallocate` placed first on PATH records what it was asked, then runs the real one.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { VaultError } from "../../src/media/vault/errors.ts";
import { vaultFileSize } from "../../src/media/vault/format.ts";
import { PREALLOCATE_MIN, preallocate } from "../../src/media/vault/preallocate.ts";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, TEST_KEY } from "../support/vault.ts";

const MiB = 1024 * 1024;
const C = 256 * 1024;
const NEEDS = "needs util-linux's fallocate and a temporary folder whose file system supports it";

/** Bytes the file system has allocated to `file`. */
const allocated = (file: string) => statSync(file).blocks * 512;

/** Runs `fn` with the file `file` open for writing, as the vault has its outputs. */
function withOpen<T>(file: string, fn: (fd: number) => Promise<T>): Promise<T> {
  const fd = openSync(file, "r+");
  return fn(fd).finally(() => closeSync(fd));
}

/**
 * Puts a `fallocate` first on PATH for the test: it appends its arguments, the file its fd 3 is
 * and that file's size at the call to the returned log, then runs the real one.
 */
function recordingFallocate(t: TestContext): string {
  const real = execFileSync("sh", ["-c", "command -v fallocate"], { encoding: "utf8" }).trim();
  const dir = tempDir(t);
  const log = path.join(dir, "calls");
  writeFileSync(log, "");
  const script = [
    "#!/bin/sh",
    `printf '%s|%s|%s\\n' "$*" "$(readlink /proc/self/fd/3)" "$(stat -L -c %s /proc/self/fd/3)" >> '${log}'`,
    `exec '${real}' "$@"`,
  ].join("\n");
  writeFileSync(path.join(dir, "fallocate"), script);
  chmodSync(path.join(dir, "fallocate"), 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${saved}`;
  t.after(() => {
    process.env.PATH = saved;
  });
  return log;
}

describe("preallocating large files", () => {
  it("reserves the blocks of an open file and leaves its size and bytes alone", async (t) => {
    const file = path.join(tempDir(t), "f");
    writeFileSync(file, "abc");
    const ok = await withOpen(file, (fd) => preallocate(file, fd, 8 * MiB, { minBytes: 0 }));
    assert.equal(ok, true, NEEDS);
    assert.equal(statSync(file).size, 3);
    assert.ok(allocated(file) >= 8 * MiB, `${allocated(file)} bytes allocated`);
    assert.equal(readFileSync(file, "utf8"), "abc");
  });

  it("leaves files under the minimum alone", async (t) => {
    const file = path.join(tempDir(t), "f");
    writeFileSync(file, "");
    assert.equal(await withOpen(file, (fd) => preallocate(file, fd, PREALLOCATE_MIN - 1)), false);
    assert.equal(allocated(file), 0);
  });

  it("gives up quietly without the program, or on a descriptor it cannot use", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "f");
    writeFileSync(file, "");
    const command = path.join(dir, "no-such-fallocate");
    for (let i = 0; i < 2; i++) {
      const ok = await withOpen(file, (fd) => preallocate(file, fd, 8 * MiB, { minBytes: 0, command }));
      assert.equal(ok, false);
    }
    assert.equal(allocated(file), 0);
    const folder = openSync(dir, "r");
    try {
      assert.equal(await preallocate(dir, folder, 8 * MiB, { minBytes: 0 }), false);
    } finally {
      closeSync(folder);
    }
  });

  it("the vault reserves exactly a large output before writing it, and nothing for a small one", async (t) => {
    const calls = recordingFallocate(t);
    const dir = tempDir(t);
    await makeVaultFile(dir, randomBytes(MiB), meta("small.jpg"), C);
    assert.equal(readFileSync(calls, "utf8"), "", "no process for a small file");

    const content = randomBytes(PREALLOCATE_MIN + 5);
    const file = await makeVaultFile(dir, content, meta("film.mp4"), C);
    const size = vaultFileSize(content.length, C, 256);
    assert.equal(statSync(file).size, size);
    const out = path.join(dir, "plain");
    await decryptVaultToPath(file, TEST_KEY, out);
    assert.ok(readFileSync(out).equals(content), "same bytes back");

    const lines = readFileSync(calls, "utf8").trim().split("\n");
    assert.equal(lines.length, 2, lines.join("\n"));
    const [encrypting, decrypting] = lines.map((l) => l.split("|"));
    assert.equal(encrypting![0], `--keep-size --length ${size} -- /proc/self/fd/3`);
    assert.equal(path.dirname(encrypting![1]!), path.dirname(file));
    assert.match(path.basename(encrypting![1]!), /^\.[0-9a-f]{32}\.tlv\.tmp$/);
    assert.equal(encrypting![2], "0", "reserved before the first write");
    assert.deepEqual(decrypting, [`--keep-size --length ${content.length} -- /proc/self/fd/3`, out, "0"]);
    for (const f of [file, out]) {
      const slack = allocated(f) - statSync(f).size;
      assert.ok(slack >= 0 && slack < 64 * 1024, `${f}: ${slack} bytes allocated past its end`);
    }
  });

  it("a modified record of a large file leaves no output, reserved or not", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(PREALLOCATE_MIN + C), meta("film.mp4"), C);
    const fd = openSync(file, "r+");
    try {
      const at = Math.floor(statSync(file).size / 2);
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, at);
      b[0]! ^= 1;
      writeSync(fd, b, 0, 1, at);
    } finally {
      closeSync(fd);
    }
    const out = path.join(dir, "plain");
    await assert.rejects(
      decryptVaultToPath(file, TEST_KEY, out),
      (err: unknown) => err instanceof VaultError && err.kind === "tampered",
    );
    assert.equal(existsSync(out), false);
  });
});
