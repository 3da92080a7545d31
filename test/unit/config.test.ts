import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseEnv } from "node:util";
import { ConfigError, loadConfig } from "../../src/config.ts";

const BASE = {
  API_ID: "12345",
  API_HASH: "0123456789abcdef",
  LOG_CHAT_ID: "-1001234567890",
  DATA_ROOT: "/tmp/x",
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("reads the Python logger's variables with their defaults", () => {
    const c = loadConfig(BASE);
    assert.equal(c.telegram?.apiId, 12345);
    assert.deepEqual(c.telegram?.logChat, { kind: "peer", peerId: -1001234567890 });
    assert.equal(c.dataRoot, "/tmp/x");
    assert.equal(c.dbFile, "/tmp/x/db/telegram-logger.sqlite");
    assert.equal(c.telegram?.sessionFile, "/tmp/x/db/telegram.session");
    assert.equal(c.feed.maxDeletedInline, 5);
    assert.equal(c.feed.postsPerMinute, 20);
    assert.equal(c.feed.saveEditedMessages, false);
    assert.equal(c.media.maxBufferFileSize, 209715200);
    assert.equal(c.http.healthPath, "/health");
    assert.equal(c.http.port, 8080);
  });

  it("accepts `me` as the log chat", () => {
    assert.deepEqual(loadConfig({ ...BASE, LOG_CHAT_ID: "me" }).telegram?.logChat, { kind: "self" });
  });

  it("names a missing API_ID", () => {
    const { API_ID: _, ...rest } = BASE;
    assert.equal(configError(rest).variable, "API_ID");
  });

  it("names a malformed LOG_CHAT_ID", () => {
    const e = configError({ ...BASE, LOG_CHAT_ID: "-100abc" });
    assert.equal(e.variable, "LOG_CHAT_ID");
    assert.match(e.message, /-100abc/);
  });

  it("rejects bad numbers and booleans with the variable's name", () => {
    assert.equal(configError({ ...BASE, API_ID: "12x" }).variable, "API_ID");
    assert.equal(
      configError({ ...BASE, MAX_DELETED_MESSAGES_PER_EVENT: "0" }).variable,
      "MAX_DELETED_MESSAGES_PER_EVENT",
    );
    assert.equal(configError({ ...BASE, SAVE_EDITED_MESSAGES: "maybe" }).variable, "SAVE_EDITED_MESSAGES");
    assert.equal(configError({ ...BASE, HEALTH_PORT: "70000" }).variable, "HEALTH_PORT");
    assert.equal(configError({ ...BASE, HEALTH_PATH: "health" }).variable, "HEALTH_PATH");
  });

  it("accepts Python-style booleans", () => {
    assert.equal(loadConfig({ ...BASE, SAVE_EDITED_MESSAGES: "True" }).feed.saveEditedMessages, true);
    assert.equal(loadConfig({ ...BASE, LISTEN_OUTGOING_MESSAGES: "False" }).listenOutgoing, false);
  });

  it("refuses ENCRYPT_DELETED_MEDIA without a key instead of falling back to plaintext", () => {
    assert.equal(configError({ ...BASE, ENCRYPT_DELETED_MEDIA: "true" }).variable, "DELETED_MEDIA_KEY_B64");
  });

  it("checks the vault key's length and never echoes it", () => {
    const key16 = Buffer.alloc(16, 7).toString("base64");
    const e = configError({ ...BASE, DELETED_MEDIA_KEY_B64: key16 });
    assert.equal(e.variable, "DELETED_MEDIA_KEY_B64");
    assert.ok(!e.message.includes(key16));
    const key32 = Buffer.alloc(32, 9).toString("base64");
    assert.equal(
      loadConfig({ ...BASE, ENCRYPT_DELETED_MEDIA: "1", DELETED_MEDIA_KEY_B64: key32 }).media.deletedMediaKey
        ?.length,
      32,
    );
  });

  it("never echoes API_HASH", () => {
    const e = configError({ ...BASE, API_HASH: "   " });
    assert.equal(e.variable, "API_HASH");
  });

  it("parses IGNORED_IDS as a JSON-style list or separated ids, marked or bare", () => {
    const c = loadConfig({ ...BASE, IGNORED_IDS: "[123, -1009876543210]" });
    assert.ok(c.ignoredIds.has(123));
    assert.ok(c.ignoredIds.has(-1009876543210));
    assert.ok(!c.ignoredIds.has(-1001234567890));
    // A bare positive id also matches the basic group and the channel with that id.
    const bare = loadConfig({ ...BASE, IGNORED_IDS: "555 777" });
    assert.ok(bare.ignoredIds.has(-555));
    assert.ok(bare.ignoredIds.has(-1000000000777));
    assert.equal(configError({ ...BASE, IGNORED_IDS: "12,abc" }).variable, "IGNORED_IDS");
  });

  it("treats empty values as unset, as .env files write them", () => {
    assert.equal(loadConfig({ ...BASE, IGNORED_IDS: "", HEALTH_PORT: "" }).http.port, 8080);
  });
});

describe("operational settings", () => {
  it("have defaults for housekeeping and health", () => {
    const c = loadConfig(BASE);
    assert.deepEqual(c.housekeeping, {
      intervalSecs: 300,
      eventsRetentionDays: 90,
      outboxRetentionDays: 30,
      archiveDir: "/tmp/x/archive",
      archiveRetentionDays: 0,
      reportsToLogChat: [],
    });
    assert.equal(c.http.host, "127.0.0.1");
    assert.equal(c.http.updateStallSecs, 21_600);
    assert.equal(c.http.outboxStuckSecs, 900);
    assert.equal(loadConfig({ ...BASE, HTTP_HOST: "::" }).http.host, "::");
    assert.equal(loadConfig({ ...BASE, HTTP_HOST: "logger.internal" }).http.host, "logger.internal");
  });

  it("name the variable of a bad port, host, interval, TTL or path", () => {
    for (const [variable, value] of [
      ["HEALTH_PORT", "65536"],
      ["HEALTH_PORT", "-1"],
      ["HTTP_HOST", "local host"],
      ["HTTP_HOST", "-bad-.example"],
      ["HOUSEKEEPING_INTERVAL_SECS", "0"],
      ["EVENTS_RETENTION_DAYS", "-1"],
      ["PERSIST_TIME_IN_DAYS_USER", "a week"],
      ["MEDIA_BUFFER_TTL_HOURS", "-3"],
      ["HEALTH_PATH", "health"],
      ["HEALTH_UPDATE_STALL_SECS", "1.5"],
    ]) {
      assert.equal(configError({ ...BASE, [variable!]: value! }).variable, variable, `${variable}=${value}`);
    }
  });
});

describe("when Telegram capture is on", () => {
  const EXAMPLE = parseEnv(readFileSync(new URL("../../.env.example", import.meta.url), "utf8")) as Record<
    string,
    string
  >;
  const AUDIT = { DATA_ROOT: "/tmp/x", WATCH_CONFIG: "/tmp/x/watch.json" };

  it("LOG_CHAT_ID alone does not switch it on: with a watch config the file audit runs alone", () => {
    const c = loadConfig({ ...AUDIT, LOG_CHAT_ID: "me", SAVE_EDITED_MESSAGES: "true", HEALTH_PORT: "0" });
    assert.equal(c.telegram, null);
    assert.equal(c.watchConfigFile, "/tmp/x/watch.json");
    assert.deepEqual(c.ignoredTelegramSettings, ["LOG_CHAT_ID", "SAVE_EDITED_MESSAGES"]);
    assert.deepEqual(loadConfig(AUDIT).ignoredTelegramSettings, []);
  });

  it("a copy of .env.example with only WATCH_CONFIG added runs the file audit alone", () => {
    assert.equal(EXAMPLE.LOG_CHAT_ID, "me", "the example pre-fills LOG_CHAT_ID");
    const c = loadConfig({ ...EXAMPLE, ...AUDIT });
    assert.equal(c.telegram, null);
    assert.ok(c.ignoredTelegramSettings.includes("LOG_CHAT_ID"));
    assert.ok(!c.ignoredTelegramSettings.includes("HEALTH_PORT"), "not a Telegram-only setting");
  });

  it("a copy of .env.example with credentials added captures Telegram into Saved Messages", () => {
    const c = loadConfig({ ...EXAMPLE, API_ID: "12345", API_HASH: "0123456789abcdef", DATA_ROOT: "/tmp/x" });
    assert.deepEqual(c.telegram?.logChat, { kind: "self" });
    assert.deepEqual(c.ignoredTelegramSettings, []);
  });

  it("without a watch config or credentials there is nothing to run: API_ID is named", () => {
    assert.equal(configError({ DATA_ROOT: "/tmp/x", LOG_CHAT_ID: "me" }).variable, "API_ID");
    assert.equal(configError({ ...EXAMPLE }).variable, "API_ID");
  });

  it("API_ID, API_HASH or a session file switches it on, and then all of it is required", () => {
    assert.equal(configError({ ...AUDIT, API_HASH: "0123456789abcdef" }).variable, "API_ID");
    assert.equal(configError({ ...AUDIT, API_ID: "12345", LOG_CHAT_ID: "me" }).variable, "API_HASH");
    assert.equal(configError({ ...AUDIT, SESSION_FILE: "/tmp/x/s.session" }).variable, "API_ID");
    assert.equal(configError({ ...AUDIT, TELETHON_SESSION_FILE: "/tmp/x/user.session" }).variable, "API_ID");
    assert.equal(
      configError({ ...AUDIT, API_ID: "12345", API_HASH: "0123456789abcdef" }).variable,
      "LOG_CHAT_ID",
    );
  });
});
