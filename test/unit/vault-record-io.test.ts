/**
 * The vault's file I/O (record-io.ts) on real files: batched read-ahead of pieces, write-behind,
 * and whole vault files whose sizes fall on the edges of a record, of a read batch and of the ring
 * of read buffers, where batching could drop, repeat or misplace a record.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { decryptVaultToPath } from "../../src/media/vault/decrypt.ts";
import { VaultError, type VaultErrorKind } from "../../src/media/vault/errors.ts";
import { HEADER_SIZE, TAG_SIZE, vaultFileSize } from "../../src/media/vault/format.ts";
import {
  type Pieces,
  pieceCount,
  READ_AHEAD,
  READ_BYTES,
  readPieces,
  releaseBuffer,
  WriteBehind,
} from "../../src/media/vault/record-io.ts";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, TEST_KEY } from "../support/vault.ts";

const C = 1024;
/** Data records per read when decrypting files with C-byte chunks. */
const RECORDS_PER_READ = Math.floor(READ_BYTES / (C + TAG_SIZE));
/** Chunks per read when encrypting with C-byte chunks. */
const CHUNKS_PER_READ = Math.floor(READ_BYTES / C);
/** Reads needed before the ring of read buffers is reused. */
const RING = READ_AHEAD + 1;
const D0 = HEADER_SIZE + 256 + TAG_SIZE;

/** Every piece `readPieces` yields for `p` of the file `file`, copied (yielded buffers are reused). */
async function piecesOf(file: string, p: Pieces): Promise<Buffer[]> {
  const fh = await open(file, "r");
  try {
    const out: Buffer[] = [];
    for await (const piece of readPieces(fh, p)) out.push(Buffer.from(piece));
    return out;
  } finally {
    await fh.close();
  }
}

describe("readPieces", () => {
  const P = 1000;
  const perRead = Math.floor(READ_BYTES / P);
  const cases: [string, number][] = [
    ["an empty range (one empty piece)", 0],
    ["less than a piece", 999],
    ["exactly one piece", P],
    ["one piece and a byte", P + 1],
    ["exactly one read", perRead * P],
    ["one read and a byte", perRead * P + 1],
    ["exactly as many reads as the ring holds", RING * perRead * P],
    ["more reads than the ring holds, ending mid-piece", (RING + 2) * perRead * P + 7],
  ];
  for (const [name, length] of cases) {
    it(`${name}: every piece once, in order, the last one the remainder`, async (t) => {
      const dir = tempDir(t);
      const file = path.join(dir, "f");
      const start = 37;
      const bytes = randomBytes(start + length + 11); // bytes after `end` must not be read
      writeFileSync(file, bytes);
      const p = { start, end: start + length, pieceSize: P };
      const pieces = await piecesOf(file, p);
      assert.equal(pieces.length, pieceCount(p));
      assert.equal(pieces.length, Math.max(1, Math.ceil(length / P)));
      for (const piece of pieces.slice(0, -1)) assert.equal(piece.length, P);
      assert.equal(pieces.at(-1)!.length, length === 0 ? 0 : length - (pieces.length - 1) * P);
      assert.ok(Buffer.concat(pieces).equals(bytes.subarray(start, start + length)));
    });
  }

  it("pieces larger than a read come one per read", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "f");
    const big = READ_BYTES + 5;
    const bytes = randomBytes(4 * big + 3);
    writeFileSync(file, bytes);
    const pieces = await piecesOf(file, { start: 0, end: bytes.length, pieceSize: big });
    assert.deepEqual(
      pieces.map((x) => x.length),
      [big, big, big, big, 3],
    );
    assert.ok(Buffer.concat(pieces).equals(bytes));
  });

  it("a file shorter than the range yields a short piece, then empty ones", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "f");
    writeFileSync(file, randomBytes(2500));
    const pieces = await piecesOf(file, { start: 0, end: 5000, pieceSize: 1000 });
    assert.deepEqual(
      pieces.map((x) => x.length),
      [1000, 1000, 500, 0, 0],
    );
  });

  it("a failed read is thrown to the reader", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "f");
    writeFileSync(file, randomBytes(5000));
    const fh = await open(file, "a"); // not readable
    try {
      await assert.rejects(async () => {
        for await (const _ of readPieces(fh, { start: 0, end: 5000, pieceSize: 1000 })) {
          // no piece is expected
        }
      }, /EBADF/);
    } finally {
      await fh.close();
    }
  });
});

describe("WriteBehind", () => {
  it("writes each batch at its offset, in any order, and releases buffers on request", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "out");
    const parts = [0, 1, 2, 3, 4].map(() => Buffer.from(randomBytes(20_000)));
    const fh = await open(file, "w");
    const w = new WriteBehind(fh, 2);
    for (const i of [3, 0, 4, 1, 2])
      await w.write([parts[i]!.subarray(0, 1), parts[i]!.subarray(1)], i * 20_000, false);
    const owned = Buffer.allocUnsafeSlow(64 * 1024).fill(7);
    await w.write([owned], 100_000, true);
    await w.drain();
    await fh.close();
    assert.ok(readFileSync(file).equals(Buffer.concat([...parts, Buffer.alloc(64 * 1024, 7)])));
    assert.equal(owned.buffer.detached, true, "released once written");
  });

  it("cuts consecutive writes at fixed offsets without misplacing or losing a byte", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "out");
    // Pieces of assorted sizes, one larger than the limit, some to release and some not.
    const sizes = [53, 20_000, 20_000, 20_000, 9_999, 70_000, 20_000, 1, 20_000, 20_000];
    const parts = sizes.map((n) => Buffer.from(randomBytes(n)));
    const mine = sizes.map((n) => (n >= 20_000 ? Buffer.allocUnsafeSlow(n) : Buffer.alloc(n)));
    const fh = await open(file, "w");
    const w = new WriteBehind(fh, 1, 50_000);
    let at = 0;
    for (const [i, p] of parts.entries()) {
      const release = i % 2 === 1;
      mine[i]!.set(p);
      await w.write(i === 4 ? [mine[i]!.subarray(0, 5), mine[i]!.subarray(5)] : [mine[i]!], at, release);
      at += p.length;
    }
    await w.drain();
    await fh.close();
    assert.ok(readFileSync(file).equals(Buffer.concat(parts)));
    for (const [i, b] of mine.entries()) {
      const released = i % 2 === 1 && sizes[i]! >= 20_000;
      assert.equal(b.buffer.detached, released, `piece ${i}`);
    }
  });

  it("a piece split across several writes in flight is released only after its last part", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "out");
    // Cuts every 10,000 bytes from 4,096 on: each 64 KiB piece spans seven writes, four in flight.
    const data = [0, 1, 2].map(() => randomBytes(64 * 1024));
    const owned = data.map((d) => {
      const b = Buffer.allocUnsafeSlow(d.length);
      b.set(d);
      return b;
    });
    const fh = await open(file, "w");
    const w = new WriteBehind(fh, 4, 10_000, 4096);
    await w.write([Buffer.from("head")], 0, false);
    let at = 4;
    for (const b of owned) {
      await w.write([b], at, true);
      at += b.length;
    }
    await w.drain();
    await fh.close();
    // A piece freed early would leave its later parts empty: the file would come out short or wrong.
    assert.ok(readFileSync(file).equals(Buffer.concat([Buffer.from("head"), ...data])));
    for (const b of owned) assert.equal(b.buffer.detached, true, "released once written");
  });

  it("holds every write until the work it starts after settles, even when that work fails", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "out");
    const parts = [0, 1, 2].map(() => randomBytes(10_000));
    const fh = await open(file, "w");
    const w = new WriteBehind(fh, 4, 10_000, 10_000);
    let fail!: (e: Error) => void;
    w.startAfter(new Promise((_, reject) => (fail = reject)));
    for (const [i, p] of parts.entries()) await w.write([p], i * 10_000, false);
    // Three batches were handed over without waiting, and none of them reached the file yet.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(statSync(file).size, 0);
    fail(new Error("could not reserve"));
    await w.drain();
    await fh.close();
    assert.ok(readFileSync(file).equals(Buffer.concat(parts)));
  });

  it("a failed write is thrown to the writer", async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, "ro");
    writeFileSync(file, "x");
    const fh = await open(file, "r"); // not writable
    const w = new WriteBehind(fh, 2);
    try {
      await w.write([Buffer.from("data")], 0, false);
      await assert.rejects(w.drain(), /EBADF/);
    } finally {
      await w.settle();
      await fh.close();
    }
  });

  it("releaseBuffer frees only buffers that own their whole memory", () => {
    const owned = Buffer.allocUnsafeSlow(64 * 1024);
    releaseBuffer(owned);
    assert.equal(owned.buffer.detached, true);
    const big = Buffer.allocUnsafeSlow(128 * 1024);
    const view = big.subarray(0, 64 * 1024);
    releaseBuffer(view);
    assert.equal(big.buffer.detached, false);
    const small = Buffer.from("pooled");
    releaseBuffer(small);
    assert.equal(small.buffer.detached, false);
  });
});

describe("vault files on read-batch edges", () => {
  const sizes: [string, number, number][] = [
    ["exactly one decryption read of records", RECORDS_PER_READ * C, C],
    ["one decryption read and a byte", RECORDS_PER_READ * C + 1, C],
    ["exactly one encryption read of chunks", CHUNKS_PER_READ * C, C],
    ["more reads than the ring holds, an exact multiple of the chunk", (RING + 1) * CHUNKS_PER_READ * C, C],
    ["more reads than the ring holds, a short final chunk", (RING + 1) * CHUNKS_PER_READ * C + 77, C],
    ["default chunks: exactly one read", READ_BYTES, 256 * 1024],
    ["default chunks: one read and a byte", READ_BYTES + 1, 256 * 1024],
    ["default chunks: a byte short of three reads", 3 * READ_BYTES - 1, 256 * 1024],
  ];
  for (const [name, size, chunk] of sizes) {
    it(`${name} (${size} bytes): round trip, mode 0600`, async (t) => {
      const dir = tempDir(t);
      const content = randomBytes(size);
      const file = await makeVaultFile(dir, content, meta("photo.jpg"), chunk);
      assert.equal(statSync(file).size, vaultFileSize(size, chunk, 256));
      const out = path.join(dir, "restored");
      assert.deepEqual(await decryptVaultToPath(file, TEST_KEY, out), meta("photo.jpg"));
      assert.ok(readFileSync(out).equals(content));
      assert.equal(statSync(out).mode & 0o777, 0o600);
    });
  }

  it("an existing output is refused and left alone", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(3 * C));
    const out = path.join(dir, "restored");
    writeFileSync(out, "mine");
    await assert.rejects(decryptVaultToPath(file, TEST_KEY, out), /EEXIST/);
    assert.equal(readFileSync(out, "utf8"), "mine");
  });

  /** Cutting a 2-read vault file to `length` bytes makes decryption fail with `kind`, no output. */
  const cuts: [string, number, VaultErrorKind][] = [
    ["at the end of the first read (a record boundary)", D0 + RECORDS_PER_READ * (C + TAG_SIZE), "truncated"],
    ["a byte after the first read", D0 + RECORDS_PER_READ * (C + TAG_SIZE) + 1, "truncated"],
    ["inside the first record of the second read", D0 + RECORDS_PER_READ * (C + TAG_SIZE) + 100, "tampered"],
    ["a byte before the end of the first read", D0 + RECORDS_PER_READ * (C + TAG_SIZE) - 1, "tampered"],
  ];
  for (const [where, length, kind] of cuts) {
    it(`a file cut ${where} is refused (${kind}) and leaves no output`, async (t) => {
      const dir = tempDir(t);
      const file = await makeVaultFile(dir, randomBytes(2 * RECORDS_PER_READ * C + 500));
      writeFileSync(file, readFileSync(file).subarray(0, length));
      const out = path.join(dir, "restored");
      await assert.rejects(decryptVaultToPath(file, TEST_KEY, out), (err: unknown) => {
        assert.ok(err instanceof VaultError, String(err));
        assert.equal(err.kind, kind, err.message);
        return true;
      });
      assert.equal(readdirSync(dir).includes("restored"), false);
    });
  }

  it("a record modified in the second read deletes the output written so far", async (t) => {
    const dir = tempDir(t);
    const file = await makeVaultFile(dir, randomBytes(2 * RECORDS_PER_READ * C + 500));
    const b = readFileSync(file);
    b[D0 + (RECORDS_PER_READ + 3) * (C + TAG_SIZE) + 10]! ^= 1;
    writeFileSync(file, b);
    const out = path.join(dir, "restored");
    await assert.rejects(decryptVaultToPath(file, TEST_KEY, out), (err: unknown) => {
      assert.ok(err instanceof VaultError && err.kind === "tampered", String(err));
      assert.match(err.message, new RegExp(`chunk ${RECORDS_PER_READ + 4} `));
      return true;
    });
    assert.equal(readdirSync(dir).includes("restored"), false);
  });
});
