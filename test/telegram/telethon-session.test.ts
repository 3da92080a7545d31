/**
 * Moving over from the Python logger: its Telethon session is imported (no new login), and catch-up
 * starts from the update state it had reached.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { StringSession } from "telegram/sessions/index.js";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { loadSession } from "../../src/telegram/connect.ts";
import {
  NotATelethonSession,
  telethonSessionString,
  telethonUpdateState,
} from "../../src/telegram/telethon-session.ts";
import { fixtureEnv, startFixture } from "../support/app-fixture.ts";
import { writeTelethonSession } from "../support/telethon-session.ts";
import { tempDir } from "../support/tmp.ts";

describe("Telethon session import", () => {
  it("gives GramJS the same data centre, address, port and auth key", async (t) => {
    const file = path.join(tempDir(t), "user.session");
    const authKey = randomBytes(256);
    writeTelethonSession(file, { dcId: 2, serverAddress: "149.154.167.51", port: 443, authKey });
    const session = new StringSession((await telethonSessionString(file))!);
    await session.load();
    assert.equal(session.dcId, 2);
    assert.equal(session.serverAddress, "149.154.167.51");
    assert.equal(session.port, 443);
    assert.deepEqual(session.getAuthKey()?.getKey(), authKey);
  });

  it("reads the account's update state and each channel's pts", (t) => {
    const file = path.join(tempDir(t), "user.session");
    writeTelethonSession(file, {
      dcId: 4,
      serverAddress: "149.154.167.91",
      port: 443,
      authKey: randomBytes(256),
      states: [
        { id: 0, pts: 5123, qts: 3, date: 1_763_000_000.75, seq: 9 },
        { id: 1_234_567, pts: 88 },
      ],
    });
    const imported = telethonUpdateState(file);
    assert.deepEqual(imported?.state, { pts: 5123, qts: 3, date: 1_763_000_000, seq: 9 });
    assert.deepEqual([...(imported?.channels ?? [])], [[1_234_567, 88]]);
  });

  it("no file is no session; a broken file or one without a login is a clear error", async (t) => {
    const dir = tempDir(t);
    assert.equal(await telethonSessionString(path.join(dir, "none.session")), null);
    assert.equal(telethonUpdateState(path.join(dir, "none.session")), null);
    const garbage = path.join(dir, "garbage.session");
    writeFileSync(garbage, randomBytes(4096));
    await assert.rejects(telethonSessionString(garbage), NotATelethonSession);
    // Something at the path that cannot be opened is reported, not taken for "no session".
    const folder = path.join(dir, "folder.session");
    mkdirSync(folder);
    await assert.rejects(telethonSessionString(folder), NotATelethonSession);
    const loggedOut = path.join(dir, "logged-out.session");
    writeTelethonSession(loggedOut, { dcId: 2, serverAddress: "149.154.167.51", port: 443, authKey: null });
    await assert.rejects(telethonSessionString(loggedOut), /holds no login/);
    const shortKey = path.join(dir, "short.session");
    writeTelethonSession(shortKey, {
      dcId: 2,
      serverAddress: "149.154.167.51",
      port: 443,
      authKey: randomBytes(32),
    });
    await assert.rejects(telethonSessionString(shortKey), /32 bytes, not 256/);
  });

  it("with no session of its own, the service saves the imported one (0600) and uses it after", async (t) => {
    const dataRoot = tempDir(t);
    mkdirSync(path.join(dataRoot, "db"), { recursive: true });
    const authKey = randomBytes(256);
    writeTelethonSession(path.join(dataRoot, "db", "user.session"), {
      dcId: 2,
      serverAddress: "149.154.167.51",
      port: 443,
      authKey,
    });
    const cfg = loadConfig(fixtureEnv(dataRoot)).telegram!;
    const imported = await loadSession(cfg, silentLogger());
    assert.ok(imported);
    assert.equal(readFileSync(cfg.sessionFile, "utf8").trim(), imported);
    assert.equal(statSync(cfg.sessionFile).mode & 0o777, 0o600);
    // Saved once: a later start reads its own file, even with the Telethon one gone or broken.
    writeFileSync(path.join(dataRoot, "db", "user.session"), "not a database");
    assert.equal(await loadSession(cfg, silentLogger()), imported);
  });

  it("a broken Telethon file means no session (reported), not a crash", async (t) => {
    const dataRoot = tempDir(t);
    mkdirSync(path.join(dataRoot, "db"), { recursive: true });
    writeFileSync(path.join(dataRoot, "db", "user.session"), "not a database");
    const cfg = loadConfig(fixtureEnv(dataRoot)).telegram!;
    assert.equal(await loadSession(cfg, silentLogger()), null);
  });

  it("catch-up starts from the Python logger's update state, not from now", async (t) => {
    const dir = tempDir(t);
    const telethonFile = path.join(dir, "user.session");
    writeTelethonSession(telethonFile, {
      dcId: 2,
      serverAddress: "149.154.167.51",
      port: 443,
      authKey: randomBytes(256),
      states: [{ id: 0, pts: 4321, date: 1_763_000_000 }],
    });
    const f = await startFixture(t, { TELETHON_SESSION_FILE: telethonFile }, path.join(dir, "data"));
    await f.app.idle();
    assert.equal(f.telegram.requestsOf("updates.GetState").length, 0);
    const asked = f.telegram.requestsOf("updates.GetDifference");
    assert.equal(asked[0]?.request.pts, 4321);
    assert.equal(asked[0]?.request.date, 1_763_000_000);
  });
});
