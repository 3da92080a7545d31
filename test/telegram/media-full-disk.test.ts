/**
 * A media folder that is really full (a 64 KiB tmpfs mounted over `DATA_ROOT/media`): the download
 * that does not fit is an `events` row with status `error`, no partial file stays, the message row
 * stays, and the service goes on storing messages. Mounting needs root (as CI runs); elsewhere the
 * test says why it is skipped.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { it } from "node:test";
import { EventStore } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { startFixture } from "../support/app-fixture.ts";
import { message, newMessageUpdate, user } from "../support/tl-factory.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });

/** Whether this process may mount a tmpfs (root, and a kernel that allows it here). */
function canMount(): boolean {
  const probe = mkdtempSync(path.join(tmpdir(), "tl-mount-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

it("a download that does not fit on the disk is an error event; the message stays and the service goes on", {
  skip: canMount() ? false : "cannot mount a tmpfs here (needs root)",
}, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "tl-test-"));
  const dataRoot = path.join(dir, "data");
  const media = path.join(dataRoot, "media");
  mkdirSync(media, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", media]);
  const f = await startFixture(t, {}, dataRoot);
  // After the fixture's own stop (hooks run in the order they were added): unmount, then remove.
  t.after(() => {
    execFileSync("umount", ["-l", media]);
    rmSync(dir, { recursive: true, force: true });
  });
  await f.telegram.push(
    newMessageUpdate(
      message({
        id: 9,
        peer: alice,
        from: alice,
        text: "too big for the disk",
        media: f.telegram.photoMedia({ bytes: randomBytes(300_000) }),
      }),
      { users: [alice] },
    ),
  );
  await f.app.idle();
  const failed = new EventStore(f.app.store.db).ofType("media.download_failed", "error");
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.error ?? "", /ENOSPC|no space/i);
  assert.deepEqual(readdirSync(media), [], "no partial file is left");
  const messages = new MessageStore(f.app.store.db);
  assert.ok(messages.find(42, 9), "the message row stays");
  await f.telegram.push(
    newMessageUpdate(message({ id: 10, peer: alice, from: alice, text: "later" }), { users: [alice] }),
  );
  await f.app.idle();
  assert.equal(messages.find(42, 10)?.text, "later", "the service goes on");
});
