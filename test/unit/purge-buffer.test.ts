import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { purgeMediaBuffer } from "../../src/media/purge-buffer.ts";
import { openStore } from "../../src/store/db.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { tempDir } from "../support/tmp.ts";

it("purges exactly the buffered files older than the TTL, keeping shared blobs still in use", async (t) => {
  const dir = tempDir(t);
  const mediaDir = path.join(dir, "media");
  mkdirSync(mediaDir);
  const store = openStore(path.join(dir, "db.sqlite"));
  t.after(() => store.close());
  const messages = new MessageStore(store.db);
  const files = new MediaFileStore(store.db);
  const HOUR = 3_600_000;
  const now = 1_000 * HOUR;
  const add = (id: number, blob: string, at: number) => {
    const rowId = messages.insert(
      {
        chatId: 1,
        messageId: id,
        chatType: "user",
        date: 0,
        text: "",
        outgoing: false,
        noforwards: false,
        selfDestructing: false,
      },
      0,
    )!;
    files.add(rowId, "pending", null, 3, at);
    const row = files.byMessage(rowId)!;
    files.update(row.id, { status: "stored", blob, size: 3 }, at);
    writeFileSync(path.join(mediaDir, blob), "abc");
  };
  add(1, "old", now - 25 * HOUR);
  add(2, "fresh", now - 1 * HOUR);
  add(3, "shared", now - 30 * HOUR);
  add(4, "shared", now - 2 * HOUR);
  writeFileSync(path.join(mediaDir, ".stale.part"), "x");
  utimesSync(path.join(mediaDir, ".stale.part"), new Date(now - 48 * HOUR), new Date(now - 48 * HOUR));

  const r = await purgeMediaBuffer(files, mediaDir, 24, now);
  assert.deepEqual(r, { files: 1, bytes: 3 });
  assert.ok(!existsSync(path.join(mediaDir, "old")));
  assert.ok(existsSync(path.join(mediaDir, "fresh")));
  assert.ok(existsSync(path.join(mediaDir, "shared")), "still used by a fresh row");
  assert.ok(!existsSync(path.join(mediaDir, ".stale.part")));
  assert.equal(files.byMessage(messages.find(1, 1)!.id)?.status, "purged");
  assert.equal(files.byMessage(messages.find(1, 2)!.id)?.status, "stored");
  assert.deepEqual(
    await purgeMediaBuffer(files, mediaDir, 0, now),
    { files: 0, bytes: 0 },
    "0 keeps files forever",
  );
});
