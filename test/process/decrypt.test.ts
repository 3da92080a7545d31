import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../support/tmp.ts";
import { makeVaultFile, meta, OTHER_KEY, pythonEncFile, TEST_KEY_B64 } from "../support/vault.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/decrypt-deleted-media.ts", import.meta.url));

/** Both entry points take the same options; `main` needs the word `decrypt` first. */
const COMMANDS: [string, string[]][] = [
  ["telegram-logger decrypt", [MAIN, "decrypt"]],
  ["scripts/decrypt-deleted-media.ts", [SCRIPT]],
];

function run(cwd: string, prefix: string[], args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...prefix, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    input: "",
    encoding: "utf8",
    timeout: 60_000,
  });
  for (const secret of [TEST_KEY_B64, OTHER_KEY.toString("base64")]) {
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), "the key never appears in output");
  }
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** A vault folder with two vault files and one Python .enc file, plus the expected outputs. */
async function fixture(t: TestContext) {
  const dir = tempDir(t);
  const photo = randomBytes(300_000);
  const doc = Buffer.from("a small document\n");
  const old = randomBytes(5000);
  await makeVaultFile(dir, photo, meta("photo.jpg"), 64 * 1024);
  await makeVaultFile(dir, doc, meta("../../notes.txt"));
  pythonEncFile(path.join(dir, "vault", "old-video.mp4.enc"), old);
  return { dir, vault: path.join(dir, "vault"), out: path.join(dir, "out"), photo, doc, old };
}

const ENV = { DELETED_MEDIA_KEY_B64: TEST_KEY_B64 };

function visible(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

for (const [label, prefix] of COMMANDS) {
  describe(label, () => {
    it("decrypts a folder of vault and Python files under their original names, mode 0600", async (t) => {
      const f = await fixture(t);
      const r = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], ENV);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(visible(f.out), ["notes.txt", "old-video.mp4", "photo.jpg"]);
      assert.ok(readFileSync(path.join(f.out, "photo.jpg")).equals(f.photo));
      assert.ok(readFileSync(path.join(f.out, "notes.txt")).equals(f.doc));
      assert.ok(readFileSync(path.join(f.out, "old-video.mp4")).equals(f.old));
      for (const name of visible(f.out)) assert.equal(statSync(path.join(f.out, name)).mode & 0o777, 0o600);
      assert.equal(statSync(f.out).mode & 0o777, 0o700);
      assert.ok(!existsSync(path.join(f.dir, "notes.txt")), "nothing written outside --out");
    });

    it("takes the key from --key-b64 and decrypts a single file", async (t) => {
      const f = await fixture(t);
      const one = readdirSync(f.vault).find((n) => n.endsWith(".enc"))!;
      const r = run(f.dir, prefix, [
        "--in",
        path.join(f.vault, one),
        "--out",
        f.out,
        "--key-b64",
        TEST_KEY_B64,
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(visible(f.out), ["old-video.mp4"]);
    });

    it("refuses to overwrite without --force (73), overwrites with it", async (t) => {
      const f = await fixture(t);
      mkdirSync(f.out);
      writeFileSync(path.join(f.out, "photo.jpg"), "precious");
      const r = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], ENV);
      assert.equal(r.status, 1, "a folder with a failure exits non-zero");
      assert.match(r.stderr, /photo\.jpg already exists \(use --force/);
      assert.equal(readFileSync(path.join(f.out, "photo.jpg"), "utf8"), "precious");
      assert.deepEqual(
        visible(f.out),
        ["notes.txt", "old-video.mp4", "photo.jpg"],
        "the others were restored",
      );

      const single = readdirSync(f.vault).find((n) => n.endsWith(".enc"))!;
      const again = run(f.dir, prefix, ["--in", path.join(f.vault, single), "--out", f.out], ENV);
      assert.equal(again.status, 73);
      assert.match(again.stderr, /already exists/);

      const forced = run(f.dir, prefix, ["--in", f.vault, "--out", f.out, "--force"], ENV);
      assert.equal(forced.status, 0, forced.stderr);
      assert.ok(readFileSync(path.join(f.out, "photo.jpg")).equals(f.photo));
      assert.equal(statSync(path.join(f.out, "photo.jpg")).mode & 0o777, 0o600);
    });

    it("a wrong key exits 65, says so and writes nothing", async (t) => {
      const f = await fixture(t);
      const one = readdirSync(f.vault).find((n) => n.endsWith(".tlv"))!;
      const r = run(f.dir, prefix, ["--in", path.join(f.vault, one), "--out", f.out], {
        DELETED_MEDIA_KEY_B64: OTHER_KEY.toString("base64"),
      });
      assert.equal(r.status, 65);
      assert.match(r.stderr, /wrong key/);
      assert.deepEqual(visible(f.out), []);
    });

    it("a file kept unencrypted in the same folder is named as such and is not a failure", async (t) => {
      const f = await fixture(t);
      const plainName = `${"ab".repeat(16)}.bin`;
      writeFileSync(path.join(f.vault, plainName), randomBytes(70_000));
      const r = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], ENV);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`${plainName}: not encrypted \\(kept while ENCRYPT_DELETED_MEDIA was off\\)`),
      );
      assert.match(r.stdout, /3 files decrypted into .*; 1 not encrypted, left as they are/);
      assert.deepEqual(visible(f.out), ["notes.txt", "old-video.mp4", "photo.jpg"]);
      const single = run(f.dir, prefix, ["--in", path.join(f.vault, plainName), "--out", f.out], ENV);
      assert.equal(single.status, 65, "asked for by name, it is still not a vault file");
    });

    it("a modified, a truncated and a foreign file each get their own error; the rest is restored", async (t) => {
      const f = await fixture(t);
      const [a, b] = readdirSync(f.vault).filter((n) => n.endsWith(".tlv"));
      const big = [a!, b!].find((n) => statSync(path.join(f.vault, n)).size > 100_000)!;
      const small = [a!, b!].find((n) => n !== big)!;
      const bytes = readFileSync(path.join(f.vault, big));
      const cut = path.join(f.vault, "cut.tlv");
      writeFileSync(cut, bytes.subarray(0, 53 + 256 + 16 + 65536 + 16));
      bytes[bytes.length - 3]! ^= 1;
      writeFileSync(path.join(f.vault, big), bytes);
      writeFileSync(path.join(f.vault, "readme.txt"), "hello, I am not encrypted at all");
      const r = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], ENV);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`${big}: chunk \\d+ failed authentication`));
      assert.match(r.stderr, /cut\.tlv: truncated/);
      assert.match(r.stderr, /readme\.txt: not a vault file/);
      assert.match(r.stderr, /3 of 5 files failed/);
      assert.deepEqual(visible(f.out), ["notes.txt", "old-video.mp4"], "no partial or hidden file left");
      assert.ok(small);

      const single = run(f.dir, prefix, ["--in", cut, "--out", f.out], ENV);
      assert.equal(single.status, 65);
    });

    it("a malformed key exits 78 naming its source; a missing key exits 78", async (t) => {
      const f = await fixture(t);
      const env = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], {
        DELETED_MEDIA_KEY_B64: "c2hvcnQ=",
      });
      assert.equal(env.status, 78);
      assert.match(env.stderr, /DELETED_MEDIA_KEY_B64/);
      assert.ok(!env.stderr.includes("c2hvcnQ="));
      const flag = run(f.dir, prefix, ["--in", f.vault, "--out", f.out, "--key-b64", "not*base64"], ENV);
      assert.equal(flag.status, 78);
      assert.match(flag.stderr, /--key-b64/);
      const none = run(f.dir, prefix, ["--in", f.vault, "--out", f.out]);
      assert.equal(none.status, 78);
      assert.match(none.stderr, /DELETED_MEDIA_KEY_B64/);
      assert.deepEqual(visible(f.out), []);
    });

    it("reads the Python script's TELEGRAM_DELETED_MEDIA_KEY_B64 as a fallback, with one warning", async (t) => {
      const f = await fixture(t);
      const r = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], {
        TELEGRAM_DELETED_MEDIA_KEY_B64: TEST_KEY_B64,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(visible(f.out), ["notes.txt", "old-video.mp4", "photo.jpg"]);
      assert.ok(readFileSync(path.join(f.out, "photo.jpg")).equals(f.photo));
      const warnings = r.stderr.trim().split("\n");
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(
        warnings[0]!,
        /warning: TELEGRAM_DELETED_MEDIA_KEY_B64 .*deprecated.*DELETED_MEDIA_KEY_B64/,
      );

      // DELETED_MEDIA_KEY_B64 and --key-b64 come first; the old name is then not even read.
      const out2 = path.join(f.dir, "out2");
      const preferred = run(f.dir, prefix, ["--in", f.vault, "--out", out2], {
        DELETED_MEDIA_KEY_B64: TEST_KEY_B64,
        TELEGRAM_DELETED_MEDIA_KEY_B64: OTHER_KEY.toString("base64"),
      });
      assert.equal(preferred.status, 0, preferred.stderr);
      assert.equal(preferred.stderr, "");
      const flag = run(
        f.dir,
        prefix,
        ["--in", f.vault, "--out", path.join(f.dir, "out3"), "--key-b64", TEST_KEY_B64],
        {
          TELEGRAM_DELETED_MEDIA_KEY_B64: "not*base64",
        },
      );
      assert.equal(flag.status, 0, flag.stderr);
      assert.equal(flag.stderr, "");
    });

    it("a malformed TELEGRAM_DELETED_MEDIA_KEY_B64 exits 78 naming it; no key at all names both variables", async (t) => {
      const f = await fixture(t);
      const bad = run(f.dir, prefix, ["--in", f.vault, "--out", f.out], {
        TELEGRAM_DELETED_MEDIA_KEY_B64: "c2hvcnQ=",
      });
      assert.equal(bad.status, 78);
      assert.match(bad.stderr, /bad key: TELEGRAM_DELETED_MEDIA_KEY_B64: decodes to 5 bytes/);
      assert.ok(!bad.stderr.includes("c2hvcnQ="));
      const none = run(f.dir, prefix, ["--in", f.vault, "--out", f.out]);
      assert.equal(none.status, 78);
      assert.match(
        none.stderr,
        /no key: set DELETED_MEDIA_KEY_B64 .*TELEGRAM_DELETED_MEDIA_KEY_B64.* --key-b64/,
      );
      assert.deepEqual(visible(f.out), []);
    });

    it("usage errors exit 64; a missing input exits 66", (t) => {
      const dir = tempDir(t);
      assert.equal(run(dir, prefix, ["--out", dir], ENV).status, 64);
      assert.equal(run(dir, prefix, ["--in", dir, "--out", dir, "--frobnicate"], ENV).status, 64);
      const missing = run(dir, prefix, ["--in", path.join(dir, "nope"), "--out", path.join(dir, "o")], ENV);
      assert.equal(missing.status, 66);
      assert.match(missing.stderr, /nope/);
    });
  });
}

describe("telegram-logger decrypt", () => {
  it("reads the key from .env and needs no other configuration", async (t) => {
    const f = await fixture(t);
    writeFileSync(path.join(f.dir, ".env"), `DELETED_MEDIA_KEY_B64=${TEST_KEY_B64}\nLOG_CHAT_ID=not-valid\n`);
    const r = run(f.dir, [MAIN, "decrypt"], ["--in", f.vault, "--out", f.out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(visible(f.out).length, 3);
  });

  it("reads the Python logger's TELEGRAM_DELETED_MEDIA_KEY_B64 from .env", async (t) => {
    const f = await fixture(t);
    writeFileSync(path.join(f.dir, ".env"), `TELEGRAM_DELETED_MEDIA_KEY_B64=${TEST_KEY_B64}\n`);
    const r = run(f.dir, [MAIN, "decrypt"], ["--in", f.vault, "--out", f.out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(visible(f.out).length, 3);
    assert.match(r.stderr, /deprecated/);
  });
});
