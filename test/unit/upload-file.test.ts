/**
 * The log chat's own upload: a file's bytes leave in Telegram's part layout (small and big
 * files), every part as a request of its own, and a part refused stops the upload with its error.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { uploadFile } from "../../src/telegram/upload-file.ts";
import { tempDir } from "../support/tmp.ts";

type Part = Api.upload.SaveFilePart | Api.upload.SaveBigFilePart;

/** A part sender that keeps every part it is given. */
function recording() {
  const parts: Part[] = [];
  return { parts, send: async (p: Part) => void parts.push(p) };
}

/** The bytes of the parts put back together, in part order. */
const joined = (parts: Part[]) =>
  Buffer.concat([...parts].sort((a, b) => a.filePart - b.filePart).map((p) => Buffer.from(p.bytes)));

describe("log-chat upload", () => {
  it("a small file from memory leaves in 128 KiB parts of one file id", async () => {
    const bytes = randomBytes(300_000);
    const { parts, send } = recording();
    const file = await uploadFile({ name: "a.bin", size: bytes.length, bytes }, send);
    assert.ok(file instanceof Api.InputFile);
    assert.equal(file.parts, 3);
    assert.equal(file.name, "a.bin");
    assert.ok(parts.every((p) => p instanceof Api.upload.SaveFilePart && p.fileId.equals(file.id)));
    assert.deepEqual(
      parts.map((p) => p.bytes.length),
      [131_072, 131_072, 37_856],
    );
    assert.ok(joined(parts).equals(bytes));
  });

  it("a file over 10 MiB is read from disk part by part and sent as a big file", async (t) => {
    const bytes = randomBytes(10 * 1024 * 1024 + 5);
    const file = path.join(tempDir(t), "big.mp4");
    writeFileSync(file, bytes);
    const { parts, send } = recording();
    const uploaded = await uploadFile({ name: "big.mp4", size: bytes.length, path: file }, send);
    assert.ok(uploaded instanceof Api.InputFileBig);
    assert.equal(uploaded.parts, 81);
    assert.ok(parts.every((p) => p instanceof Api.upload.SaveBigFilePart && p.fileTotalParts === 81));
    assert.ok(joined(parts).equals(bytes));
  });

  it("an empty file has no parts", async () => {
    const { parts, send } = recording();
    const file = await uploadFile({ name: "empty", size: 0, bytes: Buffer.alloc(0) }, send);
    assert.equal(file.parts, 0);
    assert.equal(parts.length, 0);
  });

  it("a refused part ends the upload with its error; no later part is sent", async () => {
    const bytes = randomBytes(131_072 * 6);
    const sent: number[] = [];
    await assert.rejects(
      uploadFile({ name: "a.bin", size: bytes.length, bytes }, async (p) => {
        sent.push(p.filePart);
        if (p.filePart === 1) throw new Error("refused");
      }),
      /refused/,
    );
    assert.deepEqual(sent, [0, 1, 2, 3], "the four parts in flight, nothing after them");
  });
});
