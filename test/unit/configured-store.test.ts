import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { configuredDeletedMediaStore, VaultKeyMissing } from "../../src/media/vault/configured-store.ts";
import { tempDir } from "../support/tmp.ts";
import { TEST_KEY } from "../support/vault.ts";

const meta = { fileName: "photo.jpg", mimeType: "image/jpeg", chatId: 42, messageId: 1, date: 0 };

function folders(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const vaultDir = path.join(dir, "media_deleted");
  const tmpDir = path.join(dir, "media");
  mkdirSync(vaultDir);
  mkdirSync(tmpDir);
  const src = path.join(dir, "src");
  const bytes = randomBytes(5000);
  writeFileSync(src, bytes);
  return { vaultDir, tmpDir, src, bytes };
}

describe("the configured deleted-media store", () => {
  it("opens files kept encrypted after encryption was turned off (key still set), and plain files after it was turned on", async (t) => {
    const { vaultDir, tmpDir, src, bytes } = folders(t);
    const encrypting = configuredDeletedMediaStore({ vaultDir, tmpDir, encrypt: true, key: TEST_KEY });
    const plain = configuredDeletedMediaStore({ vaultDir, tmpDir, encrypt: false, key: TEST_KEY });
    const sealed = await encrypting.keep(src, meta);
    const copied = await plain.keep(src, meta);
    assert.match(sealed, /^[0-9a-f]{32}\.tlv$/);
    assert.match(copied, /^[0-9a-f]{32}\.bin$/);
    assert.ok(!readFileSync(path.join(vaultDir, sealed)).includes(bytes.subarray(0, 64)));
    for (const store of [encrypting, plain]) {
      for (const file of [sealed, copied]) {
        const opened = await store.open(file);
        assert.deepEqual(readFileSync(opened.path), bytes, `${file} opens to the original bytes`);
        if (file === sealed) assert.equal(statSync(opened.path).mode & 0o777, 0o600);
        await opened.cleanup();
      }
    }
    assert.deepEqual(readdirSync(tmpDir), [], "decrypted copies are removed after use");
  });

  it("an encrypted file without a configured key is a clear error, not ciphertext posted as media", async (t) => {
    const { vaultDir, tmpDir, src } = folders(t);
    const sealed = await configuredDeletedMediaStore({ vaultDir, tmpDir, encrypt: true, key: TEST_KEY }).keep(
      src,
      meta,
    );
    const keyless = configuredDeletedMediaStore({ vaultDir, tmpDir, encrypt: false, key: null });
    await assert.rejects(keyless.open(sealed), VaultKeyMissing);
  });
});
