/**
 * `telegram-logger verify` on what the real service kept: media buffered and vaulted by the app on
 * the offline Telegram harness, then the real command run as a process beside it (read-only).
 * Each kind of damage is made on disk and must be named; intact data must pass.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { appendToArchive } from "../../src/housekeeping/events-archive.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { storedFile } from "../support/locked-database.ts";
import { runCommand } from "../support/service.ts";
import { deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";
import { tempDir } from "../support/tmp.ts";

const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
const KEY = randomBytes(32);
const KEY_B64 = KEY.toString("base64");

/** Three documents from Alice: 1 and 3 stay buffered, 2 is deleted into the encrypted vault. */
async function keptMedia(t: TestContext, env: Record<string, string> = {}): Promise<AppFixture> {
  const f = await startFixture(t, { ENCRYPT_DELETED_MEDIA: "true", DELETED_MEDIA_KEY_B64: KEY_B64, ...env });
  for (const id of [1, 2, 3]) {
    const media = f.telegram.documentMedia({
      bytes: randomBytes(200_000 + id),
      mimeType: "application/pdf",
      fileName: `f${id}.pdf`,
    });
    await f.telegram.push(
      newMessageUpdate(message({ id, peer: alice, from: alice, text: `doc ${id}`, media }), {
        users: [alice],
      }),
    );
  }
  await f.app.idle();
  await f.telegram.push(deleteMessagesUpdate([2]));
  await f.app.idle();
  return f;
}

function verify(f: AppFixture, args: string[] = [], env: Record<string, string> = {}) {
  return runCommand(f.dataRoot, ["verify", ...args], { DATA_ROOT: f.dataRoot, ...env });
}

const blobOf = (f: AppFixture, id: number) =>
  path.join(f.dataRoot, "media", storedFile(f, alice.id.toJSNumber(), id)!.blob!);
const vaultFileOf = (f: AppFixture) =>
  path.join(f.dataRoot, "media_deleted", storedFile(f, alice.id.toJSNumber(), 2)!.vaultFile!);

describe("telegram-logger verify", () => {
  it("intact data passes, each area summarised; the key is never printed", async (t) => {
    const f = await keptMedia(t);
    await appendToArchive(path.join(f.dataRoot, "archive"), Date.now(), [
      { id: 1, type: "file.created" },
      { id: 2, type: "x" },
    ]);
    const r = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^database \(quick_check and foreign keys\): ok$/m);
    assert.match(r.stdout, /^buffer: 2 files, 400\.0 kB: ok$/m);
    assert.match(r.stdout, /^vault: 1 file, 200\.\d kB \(encrypted files authenticated with the key\): ok$/m);
    assert.match(r.stdout, /^archive: 2 rows \(1 file\): ok$/m);
    assert.ok(!(r.stdout + r.stderr).includes(KEY_B64));
    const full = verify(f, ["--full"]);
    assert.equal(full.status, 0, full.stdout);
    assert.match(full.stdout, /^database \(integrity_check and foreign keys\): ok$/m);
    assert.match(full.stdout, /no key: encrypted files' headers and lengths only/);
  });

  it("a changed, a missing and an unknown buffered file; a cut and a modified vault file", async (t) => {
    const f = await keptMedia(t);
    const one = blobOf(f, 1);
    const bytes = readFileSync(one);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(one, bytes);
    rmSync(blobOf(f, 3));
    writeFileSync(path.join(f.dataRoot, "media", "stray"), "nobody's");
    const r = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^DAMAGED {2}buffer: media\/\w+ \(message 1 in chat 42\): content differs from what was downloaded \(SHA-256\)$/m,
    );
    assert.match(r.stdout, /^DAMAGED {2}buffer: media\/\w+ \(message 3 in chat 42\): missing$/m);
    assert.match(r.stdout, /^notice {2}buffer: media\/stray: no stored row refers to it$/m);
    assert.match(r.stdout, /^buffer: 2 files, .*: 2 DAMAGED, 1 notice$/m);
    assert.match(r.stdout, /^vault: .*: ok$/m, "the vault is untouched so far");

    const vault = vaultFileOf(f);
    const sealed = readFileSync(vault);
    sealed[sealed.length - 5000] = sealed[sealed.length - 5000]! ^ 1;
    writeFileSync(vault, sealed);
    const modified = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.match(
      modified.stdout,
      /^DAMAGED {2}vault: media_deleted\/\w+\.tlv \(message 2 in chat 42\): chunk 1 failed authentication/m,
    );
    const withoutKey = verify(f);
    assert.match(
      withoutKey.stdout,
      /^vault: 1 file, .*no key.*: ok$/m,
      "a modified byte needs the key to be seen",
    );

    truncateSync(vault, sealed.length - 10);
    const cut = verify(f);
    assert.equal(cut.status, 1);
    assert.match(
      cut.stdout,
      /^DAMAGED {2}vault: media_deleted\/\w+\.tlv \(message 2 in chat 42\): truncated/m,
    );
  });

  it("a vault file under another key is a notice; a malformed key, no database, a wrong flag are refused", async (t) => {
    const f = await keptMedia(t);
    const other = verify(f, ["--key-b64", randomBytes(32).toString("base64")]);
    assert.equal(other.status, 0, other.stdout);
    assert.match(
      other.stdout,
      /^notice {2}vault: media_deleted\/\w+\.tlv \(message 2 in chat 42\): encrypted with another key: not checked$/m,
    );
    const bad = verify(f, ["--key-b64", "short"]);
    assert.equal(bad.status, 78);
    assert.match(bad.stderr, /bad key: --key-b64/);
    const none = runCommand(f.dataRoot, ["verify"], { DATA_ROOT: path.join(f.dataRoot, "nowhere") });
    assert.equal(none.status, 66);
    assert.match(none.stderr, /no database at .*nowhere/);
    const flag = verify(f, ["--fast"]);
    assert.equal(flag.status, 64);
    assert.match(flag.stderr, /Unknown option '--fast'[\s\S]*Usage: telegram-logger verify/);
  });

  it("a damaged archive file, a row without its message, a damaged database file", async (t) => {
    const f = await keptMedia(t);
    const archive = path.join(f.dataRoot, "archive");
    mkdirSync(archive, { recursive: true });
    const good = gzipSync('{"id":1}\n{"id":2}\n');
    writeFileSync(path.join(archive, "events-20260101.jsonl.gz"), good.subarray(0, good.length - 6));
    writeFileSync(path.join(archive, "events-20260102.jsonl.gz"), gzipSync('{"id":1}\nnot json\n'));
    const r = verify(f);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /^DAMAGED {2}archive: events-20260101\.jsonl\.gz: does not decompress: unexpected end of file$/m,
    );
    assert.match(r.stdout, /^DAMAGED {2}archive: events-20260102\.jsonl\.gz: line 2 is not an event row$/m);
    rmSync(archive, { recursive: true });

    const db = new Database(f.app.store.file);
    db.pragma("foreign_keys = OFF");
    db.prepare(
      "INSERT INTO media_files (message_row_id, status, created_at, updated_at) VALUES (999999, 'failed', 0, 0)",
    ).run();
    db.close();
    const orphan = verify(f);
    assert.equal(orphan.status, 1, orphan.stdout);
    assert.match(
      orphan.stdout,
      /^DAMAGED {2}database: media_files row \d+: refers to a missing messages row$/m,
    );

    // A copy of the data folder whose database has a page overwritten.
    await f.app.stop();
    const copy = path.join(tempDir(t), "copy");
    cpSync(f.dataRoot, copy, { recursive: true });
    const file = path.join(copy, "db", "telegram-logger.sqlite");
    const pages = readFileSync(file);
    pages.fill(0x5a, 4096 * 3, 4096 * 3 + 2000);
    writeFileSync(file, pages);
    const broken = runCommand(copy, ["verify"], { DATA_ROOT: copy });
    assert.equal(broken.status, 1, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /^DAMAGED {2}database: /m);
    assert.deepEqual(readdirSync(path.join(copy, "media")).length, 2, "verify changes nothing");
  });

  it("a vault file swapped for another message's, a damaged key id, a row without its checksum", async (t) => {
    const f = await keptMedia(t);
    await f.telegram.push(deleteMessagesUpdate([3]));
    await f.app.idle();
    const two = vaultFileOf(f);
    const three = path.join(f.dataRoot, "media_deleted", storedFile(f, alice.id.toJSNumber(), 3)!.vaultFile!);
    const original = readFileSync(two);
    copyFileSync(three, two);
    const swapped = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.equal(swapped.status, 1);
    assert.match(
      swapped.stdout,
      /^DAMAGED {2}vault: media_deleted\/\w+\.tlv \(message 2 in chat 42\): holds the file of message 3 in chat 42$/m,
    );

    const keyId = Buffer.from(original);
    keyId[14] = keyId[14]! ^ 0x01; // inside the header's key id (bytes 13-20)
    writeFileSync(two, keyId);
    const damagedId = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.match(
      damagedId.stdout,
      /^DAMAGED {2}vault: media_deleted\/\w+\.tlv \(message 2 in chat 42\): its header's key id is damaged/m,
    );
    writeFileSync(two, original);

    const db = new Database(f.app.store.file);
    db.prepare("UPDATE media_files SET sha256 = NULL WHERE status = 'stored'").run();
    db.close();
    const unchecked = verify(f, [], { DELETED_MEDIA_KEY_B64: KEY_B64 });
    assert.equal(unchecked.status, 2, unchecked.stdout);
    assert.match(
      unchecked.stdout,
      /^UNCHECKED {2}buffer: media\/\w+ \(message 1 in chat 42\): recorded without its size or SHA-256$/m,
    );
    assert.match(unchecked.stdout, /^buffer: 1 file, .*: 1 UNCHECKED$/m);
  });

  it("files the service purges are not damage; an unreadable archive is unchecked; a stray argument is not echoed", async (t) => {
    const f = await keptMedia(t, { DELETED_MEDIA_TTL_DAYS: "30" });
    const old = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(vaultFileOf(f), old, old);
    await f.app.housekeeper.runNow();
    assert.deepEqual(readdirSync(path.join(f.dataRoot, "media_deleted")), [], "the TTL purge removed it");
    const purged = verify(f);
    assert.equal(purged.status, 0, purged.stdout);
    assert.match(purged.stdout, /^vault: 0 files, 0\.0 kB: ok$/m);

    // A purge cut short between removing a file and marking its row (a crash) is completed by the
    // next housekeeping run, even when that run has nothing of its own to remove.
    await f.telegram.push(deleteMessagesUpdate([3]));
    await f.app.idle();
    const three = path.join(f.dataRoot, "media_deleted", storedFile(f, alice.id.toJSNumber(), 3)!.vaultFile!);
    rmSync(three);
    assert.equal(verify(f).status, 1, "a kept row without its file is damage until the purge says so");
    await f.app.housekeeper.runNow();
    const completed = verify(f);
    assert.equal(completed.status, 0, completed.stdout);

    mkdirSync(path.join(f.dataRoot, "archive", "events-20260103.jsonl.gz"), { recursive: true });
    const unreadable = verify(f);
    assert.equal(unreadable.status, 2, unreadable.stdout + unreadable.stderr);
    assert.match(
      unreadable.stdout,
      /^UNCHECKED {2}archive: events-20260103\.jsonl\.gz: cannot read it \(EISDIR\)$/m,
    );

    const stray = verify(f, ["--full", KEY_B64]);
    assert.equal(stray.status, 64);
    assert.ok(!stray.stderr.includes(KEY_B64), "the argument, maybe a key, is not printed");
    assert.match(stray.stderr, /unexpected argument \(not shown/);
  });
});
