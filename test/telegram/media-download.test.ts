/**
 * `downloadMessageMedia` through a real GramJS client (only its sender faked), writing to real
 * files: the bytes and hash arrive whole, and a write that fails (a full disk) is a rejection the
 * caller handles — never an unhandled stream error that would end the service.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { downloadMessageMedia } from "../../src/telegram/media-download.ts";
import { createOfflineClient } from "../support/fake-telegram.ts";
import { message, user } from "../support/tl-factory.ts";
import { tempDir } from "../support/tmp.ts";

function documentMessage(t: Parameters<typeof tempDir>[0], bytes: Buffer) {
  const { client, telegram } = createOfflineClient({ primeSelf: true });
  t.after(() => telegram.close());
  const media = telegram.documentMedia({ bytes, mimeType: "application/octet-stream", fileName: "a.bin" });
  return { client, msg: message({ id: 1, peer: user({ id: 5, firstName: "Peer" }), media }) };
}

describe("media download", () => {
  it("writes the whole file and its sha256", async (t) => {
    const bytes = randomBytes(1_300_000);
    const { client, msg } = documentMessage(t, bytes);
    const file = path.join(tempDir(t), "out.bin");
    const got = await downloadMessageMedia(client, msg, file);
    assert.deepEqual(got, { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    assert.ok(readFileSync(file).equals(bytes));
  });

  it("a full disk is a rejection naming ENOSPC, and the process goes on", {
    skip: !existsSync("/dev/full") && "no /dev/full",
  }, async (t) => {
    const { client, msg } = documentMessage(t, randomBytes(1_300_000));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    t.after(() => process.off("uncaughtException", onUncaught));
    await assert.rejects(downloadMessageMedia(client, msg, "/dev/full"), /ENOSPC/);
    await new Promise((r) => setTimeout(r, 50)); // a late stream error would surface here
    assert.deepEqual(uncaught, []);
  });
});
