import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const SECRET_HASH = "c0ffee0123456789c0ffee0123456789";

describe("telegram-logger command", () => {
  it("exits 78 naming API_ID when it is missing", (t) => {
    const r = runCommand(tempDir(t), ["run"], { API_HASH: SECRET_HASH, LOG_CHAT_ID: "me" });
    assert.equal(r.status, 78);
    assert.match(r.stderr, /API_ID/);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one clear line");
  });

  it("exits 78 naming LOG_CHAT_ID when it is malformed", (t) => {
    const r = runCommand(tempDir(t), ["run"], {
      API_ID: "1",
      API_HASH: SECRET_HASH,
      LOG_CHAT_ID: "my-log-chat",
    });
    assert.equal(r.status, 78);
    assert.match(r.stderr, /LOG_CHAT_ID/);
    assert.ok(!r.stderr.includes(SECRET_HASH) && !r.stdout.includes(SECRET_HASH));
  });

  it("exits 78 with login instructions when there is no session and no terminal", (t) => {
    const dir = tempDir(t);
    const r = runCommand(dir, ["run"], {
      API_ID: "1",
      API_HASH: SECRET_HASH,
      LOG_CHAT_ID: "me",
      DATA_ROOT: path.join(dir, "data"),
    });
    assert.equal(r.status, 78);
    assert.match(r.stderr, /telegram-logger login/);
    assert.ok(!r.stderr.includes(SECRET_HASH) && !r.stdout.includes(SECRET_HASH));
  });

  it("exits 78 naming REPORT_TO_LOG_CHAT for a kind it does not know, and TZ for a zone that is none", (t) => {
    const base = { API_ID: "1", API_HASH: SECRET_HASH, LOG_CHAT_ID: "me" };
    const kind = runCommand(tempDir(t), ["run"], { ...base, REPORT_TO_LOG_CHAT: "daily,hourly" });
    assert.equal(kind.status, 78);
    assert.match(kind.stderr, /configuration error: REPORT_TO_LOG_CHAT: .*"hourly"/);
    const zone = runCommand(tempDir(t), ["run"], {
      ...base,
      REPORT_TO_LOG_CHAT: "daily",
      TZ: "Mars/Olympus",
    });
    assert.equal(zone.status, 78);
    assert.match(zone.stderr, /configuration error: TZ: "Mars\/Olympus" is not a time zone/);
    assert.equal(zone.stderr.trim().split("\n").length, 1, "one clear line");
  });

  it("reads .env from the working directory like the Python logger", (t) => {
    const dir = tempDir(t);
    writeFileSync(path.join(dir, ".env"), `API_ID=1\nAPI_HASH=${SECRET_HASH}\nLOG_CHAT_ID=-100oops\n`);
    const r = runCommand(dir, ["run"]);
    assert.equal(r.status, 78);
    assert.match(r.stderr, /LOG_CHAT_ID/);
  });

  it("refuses an unknown command with usage", (t) => {
    const r = runCommand(tempDir(t), ["frobnicate"]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /Usage/);
  });
});
