import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VaultError } from "../../src/media/vault/errors.ts";
import { MAX_NAME_BYTES, safeFileName, uniqueName } from "../../src/media/vault/file-name.ts";
import {
  decodeMeta,
  encodeHeader,
  encodeMeta,
  HEADER_SIZE,
  META_PADDING,
  parseHeader,
  recordNonce,
} from "../../src/media/vault/format.ts";
import { KeyFormatError, keyId, parseKeyB64 } from "../../src/media/vault/keys.ts";
import {
  layoutForPlain,
  layoutForVault,
  plainOffset,
  recordOffset,
  recordSize,
  truncation,
} from "../../src/media/vault/layout.ts";
import { selectExpired } from "../../src/media/vault/purge.ts";

const fields = {
  chunkSize: 65536,
  keyId: Buffer.alloc(8, 1),
  salt: Buffer.alloc(16, 2),
  baseNonce: Buffer.alloc(12, 3),
  metaLength: 256,
};

function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof VaultError) return err.kind;
    throw err;
  }
  return "none";
}

describe("vault header", () => {
  it("encodes the documented layout and parses it back", () => {
    const b = encodeHeader(fields);
    assert.equal(b.length, HEADER_SIZE);
    assert.equal(b.subarray(0, 8).toString("latin1"), "TLVAULT\0");
    assert.equal(b[8], 1);
    assert.equal(b.readUInt32BE(9), 65536);
    assert.deepEqual(b.subarray(13, 21), fields.keyId);
    assert.deepEqual(b.subarray(21, 37), fields.salt);
    assert.deepEqual(b.subarray(37, 49), fields.baseNonce);
    assert.equal(b.readUInt32BE(49), 256);
    const h = parseHeader(b);
    assert.equal(h.chunkSize, 65536);
    assert.equal(h.metaLength, 256);
    assert.deepEqual(h.bytes, b);
  });

  it("names each kind of bad header", () => {
    const b = encodeHeader(fields);
    const with_ = (off: number, v: number) => {
      const c = Buffer.from(b);
      c[off] = v;
      return c;
    };
    assert.equal(
      kindOf(() => parseHeader(Buffer.from("hello world, this is plain text......................"))),
      "not-vault",
    );
    assert.equal(
      kindOf(() => parseHeader(with_(0, 0x55))),
      "not-vault",
    );
    assert.equal(
      kindOf(() => parseHeader(with_(8, 2))),
      "unsupported-version",
    );
    assert.equal(
      kindOf(() => parseHeader(with_(9, 0xff))),
      "bad-header",
    );
    assert.equal(
      kindOf(() => parseHeader(with_(49, 0xff))),
      "bad-header",
    );
    assert.equal(
      kindOf(() => parseHeader(b.subarray(0, 4))),
      "truncated",
    );
    assert.equal(
      kindOf(() => parseHeader(b.subarray(0, 30))),
      "truncated",
    );
    assert.equal(
      kindOf(() => parseHeader(Buffer.alloc(0))),
      "not-vault",
    );
  });

  it("refuses to write an out-of-range chunk size", () => {
    assert.throws(() => encodeHeader({ ...fields, chunkSize: 1023 }), RangeError);
    assert.throws(() => encodeHeader({ ...fields, chunkSize: 16 * 1024 * 1024 + 1 }), RangeError);
  });
});

describe("record nonces", () => {
  it("XOR the index into bytes 7-10 and the final flag into byte 11", () => {
    const base = Buffer.from("00112233445566778899aabb", "hex");
    assert.equal(recordNonce(base, 0, false).toString("hex"), "00112233445566778899aabb");
    assert.equal(recordNonce(base, 1, false).toString("hex"), "00112233445566778899abbb");
    assert.equal(recordNonce(base, 0x01020304, true).toString("hex"), "00112233445566768a9aaeba");
    assert.equal(base.toString("hex"), "00112233445566778899aabb", "base nonce untouched");
  });

  it("are distinct for every index and finality", () => {
    const base = Buffer.alloc(12, 0x5a);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++)
      for (const f of [false, true]) seen.add(recordNonce(base, i, f).toString("hex"));
    assert.equal(seen.size, 2000);
  });
});

describe("vault metadata", () => {
  it("round-trips and pads to a multiple of 256 bytes", () => {
    const m = {
      fileName: "фото 😀.jpg",
      mimeType: "image/jpeg",
      chatId: -1001234567890,
      messageId: 7,
      date: 1,
    };
    const b = encodeMeta(m);
    assert.equal(b.length % META_PADDING, 0);
    assert.deepEqual(decodeMeta(b), m);
  });

  it("tolerates unknown and missing fields, rejects non-objects", () => {
    assert.deepEqual(decodeMeta(Buffer.from('{"fileName":"a","future":true}')), {
      fileName: "a",
      mimeType: "",
      chatId: 0,
      messageId: 0,
      date: 0,
    });
    assert.equal(
      kindOf(() => decodeMeta(Buffer.from("[1]"))),
      "bad-meta",
    );
    assert.equal(
      kindOf(() => decodeMeta(Buffer.from("{"))),
      "bad-meta",
    );
  });
});

describe("safe output names", () => {
  const cases: [string, string][] = [
    ["photo.jpg", "photo.jpg"],
    ["../x", "x"],
    ["../../etc/passwd", "passwd"],
    ["/etc/passwd", "passwd"],
    ["..\\..\\windows\\system.ini", "system.ini"],
    ["a\u0000b.txt", "a_b.txt"],
    ["line\nbreak.txt", "line_break.txt"],
    ["..", "fallback.bin"],
    [".", "fallback.bin"],
    ["", "fallback.bin"],
    ["dir/", "dir"],
    ["-rf", "_rf"],
    ['a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"],
    ["trailing. . ", "trailing"],
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} -> ${want}`, () => assert.equal(safeFileName(raw, "fallback.bin"), want));
  }

  it("caps long names in bytes, keeps the extension and whole characters", () => {
    const long = `${"я".repeat(150)}.jpeg`; // 300 bytes of stem
    const s = safeFileName(long, "f");
    assert.ok(Buffer.byteLength(s) <= MAX_NAME_BYTES, `${Buffer.byteLength(s)} bytes`);
    assert.ok(s.endsWith(".jpeg"));
    assert.ok(!s.includes("\ufffd"));
    assert.ok(Buffer.byteLength(safeFileName("x".repeat(300), "f")) <= MAX_NAME_BYTES);
  });

  it("avoids collisions with numbered variants", () => {
    const taken = new Set(["a.jpg", "a-2.jpg", "b"]);
    assert.equal(
      uniqueName("a.jpg", (c) => taken.has(c)),
      "a-3.jpg",
    );
    assert.equal(
      uniqueName("b", (c) => taken.has(c)),
      "b-2",
    );
    assert.equal(
      uniqueName("c", (c) => taken.has(c)),
      "c",
    );
  });
});

describe("keys", () => {
  it("parses standard and URL-safe base64 of 32 bytes", () => {
    const key = Buffer.alloc(32, 0xfb);
    assert.deepEqual(parseKeyB64(key.toString("base64"), "X"), key);
    assert.deepEqual(parseKeyB64(key.toString("base64url"), "X"), key);
  });

  it("names the source, never the value, when malformed", () => {
    for (const bad of ["", "not base64!", Buffer.alloc(16).toString("base64")]) {
      assert.throws(
        () => parseKeyB64(bad, "--key-b64"),
        (err: unknown) =>
          err instanceof KeyFormatError &&
          err.message.startsWith("--key-b64:") &&
          (bad === "" || !err.message.includes(bad)),
      );
    }
  });

  it("derives a key id that differs between keys and is not a prefix of the key", () => {
    const a = Buffer.alloc(32, 1);
    assert.equal(keyId(a).length, 8);
    assert.notDeepEqual(keyId(a), keyId(Buffer.alloc(32, 2)));
    assert.notDeepEqual(keyId(a), a.subarray(0, 8));
  });
});

describe("purge selection", () => {
  const day = 86_400_000;
  const now = 100 * day;
  const name = "0123456789abcdef0123456789abcdef.tlv";
  const entries = [
    { name, mtimeMs: now - 10 * day, size: 10 },
    { name: name.replace("0123", "aaaa"), mtimeMs: now - 2 * day, size: 20 },
    { name: "old.jpg.enc", mtimeMs: now - 30 * day, size: 30 },
    { name: "notes.txt", mtimeMs: now - 365 * day, size: 40 },
    { name: `.${name}.tmp`, mtimeMs: now - 2 * day, size: 50 },
    { name: `.${name.replace("0123", "bbbb")}.tmp`, mtimeMs: now - 1000, size: 60 },
    { name: name.replace(".tlv", ".bin"), mtimeMs: now - 10 * day, size: 70 },
    { name: `.${name.replace(".tlv", ".bin")}.tmp`, mtimeMs: now - 2 * day, size: 80 },
  ];
  it("keeps everything but stale temporary files when the TTL is 0", () => {
    assert.deepEqual(
      selectExpired(entries, 0, now).map((e) => e.size),
      [50, 80],
    );
  });
  it("removes encrypted, plain and .enc files older than the TTL, never other files", () => {
    assert.deepEqual(
      selectExpired(entries, 5, now).map((e) => e.size),
      [10, 30, 50, 70, 80],
    );
  });
});

describe("vault record layout", () => {
  const C = 1024;
  const start = HEADER_SIZE + 256 + 16;
  it("a writer's layout: at least one record, the last holding the remainder", () => {
    for (const [size, records, last] of [
      [0, 1, 0],
      [1, 1, 1],
      [C, 1, C],
      [C + 1, 2, 1],
      [3 * C, 3, C],
    ] as const) {
      const l = layoutForPlain(size, C, 256);
      assert.equal(l.records, records, `size ${size}`);
      assert.equal(l.lastRecordSize, last + 16, `size ${size}`);
      assert.equal(recordOffset(l, l.records) + l.lastRecordSize, start + size + records * 16);
    }
  });
  it("a reader's layout follows from the file size and agrees with the writer's", () => {
    for (const size of [0, 1, C - 1, C, C + 1, 5 * C + 7]) {
      const w = layoutForPlain(size, C, 256);
      const r = layoutForVault(recordOffset(w, w.records) + w.lastRecordSize, C, 256);
      assert.deepEqual(r, w);
      assert.equal(truncation(r), null);
      for (let i = 1; i <= r.records; i++) {
        assert.equal(recordOffset(r, i), start + (i - 1) * (C + 16));
        assert.equal(plainOffset(r, i), (i - 1) * C);
        assert.equal(recordSize(r, i), i < r.records ? C + 16 : w.lastRecordSize);
      }
    }
  });
  it("a file cut before its first record or inside a last tag is truncated before decryption", () => {
    assert.match(truncation(layoutForVault(start, C, 256)) ?? "", /after 0 chunks/);
    assert.match(truncation(layoutForVault(start - 5, C, 256)) ?? "", /after 0 chunks/);
    assert.match(truncation(layoutForVault(start + C + 16 + 8, C, 256)) ?? "", /inside chunk 2/);
    assert.equal(truncation(layoutForVault(start + C + 16 + 16, C, 256)), null);
  });
});
