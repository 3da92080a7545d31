/**
 * `.env.example` as users copy it: with only WATCH_CONFIG added the file audit runs alone (the
 * example pre-fills LOG_CHAT_ID=me, which must not demand Telegram credentials), and without
 * WATCH_CONFIG the missing credentials are named. The real file is read, so a change to it that
 * breaks either kind of user fails here.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { pollUntil, runCommand, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { TEST_KEY_B64 } from "../support/vault.ts";

const EXAMPLE = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");

/** A folder with `.env` copied from `.env.example` plus `extra` lines, and a watched folder. */
function copiedExample(dir: string, extra: string): void {
  mkdirSync(path.join(dir, "docs"));
  writeFileSync(path.join(dir, "docs", "offer.docx"), "offer");
  writeFileSync(
    path.join(dir, "watch.json"),
    JSON.stringify({ directories: [{ path: "docs", project: "CRM" }] }),
  );
  writeFileSync(path.join(dir, ".env"), `${EXAMPLE}\n${extra}\n`);
}

describe(".env.example copied as .env", () => {
  it("plus WATCH_CONFIG: scan runs the file audit without Telegram credentials", (t) => {
    const dir = tempDir(t);
    assert.match(EXAMPLE, /^LOG_CHAT_ID=me$/m, "the example pre-fills LOG_CHAT_ID");
    copiedExample(dir, "WATCH_CONFIG=./watch.json");
    const r = runCommand(dir, ["scan"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^CRM \(.*docs\): 1 files, baseline recorded/m);
    const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
    t.after(() => db.close());
    assert.deepEqual(db.prepare("SELECT rel FROM file_state").all(), [{ rel: "offer.docx" }]);
  });

  it("plus WATCH_CONFIG: run audits files alone and says once why Telegram capture is off", async (t) => {
    const dir = tempDir(t);
    copiedExample(dir, `WATCH_CONFIG=./watch.json\nDELETED_MEDIA_KEY_B64=${TEST_KEY_B64}`);
    // HEALTH_PORT=0 from the environment wins over the example's 8080, as the environment always does.
    const svc = await startService(dir, {});
    t.after(() => svc.child.kill("SIGKILL"));
    const health = await pollUntil(
      svc.url("/health"),
      (status, body) => status === 200 && JSON.parse(body).watchers.roots[0]?.state === "ready",
    );
    assert.deepEqual(JSON.parse(health.body).telegram, { enabled: false });
    const off = svc.lines.filter((l) => l.includes("Telegram capture is off"));
    assert.equal(off.length, 1, svc.lines.join("\n"));
    const line = JSON.parse(off[0]!) as { level: number; msg: string; ignored: string[] };
    assert.match(line.msg, /Telegram capture is off because API_ID and API_HASH are not set/);
    assert.equal(line.level, 40, "a warning");
    assert.ok(line.ignored.includes("LOG_CHAT_ID"), off[0]);
    svc.child.kill("SIGTERM");
    assert.deepEqual(await svc.exited, { code: 0, signal: null });
    const output = `${svc.lines.join("\n")}${svc.stderr()}`;
    assert.ok(!output.includes(TEST_KEY_B64), "no secret value in the output");
  });

  it("plus credentials and WATCH_CONFIG: run wants Telegram too, and a login", (t) => {
    const dir = tempDir(t);
    copiedExample(dir, "API_ID=12345\nAPI_HASH=c0ffee0123456789c0ffee0123456789\nWATCH_CONFIG=./watch.json");
    const r = runCommand(dir, ["run"], { HEALTH_PORT: "0" });
    assert.equal(r.status, 78);
    assert.match(r.stderr, /telegram-logger login/);
    assert.ok(!r.stderr.includes("c0ffee0123456789c0ffee0123456789"));
    assert.ok(!existsSync(path.join(dir, "data", "db", "telegram.session")));
  });

  it("unchanged: run names API_ID (exit 78), and scan names WATCH_CONFIG", (t) => {
    const dir = tempDir(t);
    copiedExample(dir, "");
    const r = runCommand(dir, ["run"]);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /configuration error: API_ID: is required/);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one clear line");
    const scan = runCommand(dir, ["scan"]);
    assert.equal(scan.status, 78);
    assert.match(scan.stderr, /configuration error: WATCH_CONFIG: is required for scan/);
    assert.doesNotMatch(scan.stderr, /API_ID/);
  });
});
