/**
 * /health and /metrics of the real app (offline Telegram, real SQLite, real HTTP server on a free
 * port), asked over HTTP as a monitoring system would.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { ErrorLog } from "../../src/http/health/error-log.ts";
import { createLogger } from "../../src/log.ts";
import { startFixture } from "../support/app-fixture.ts";
import { parseExposition, sampleValue } from "../support/prom-text.ts";
import { channel, editMessageUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const API_HASH = "0123456789abcdef0123456789abcdef"; // the fixture's

/** A logger that writes nowhere but tells `errors` about every error, as startApp wires it. */
function quietLoggerWithErrors() {
  const errors = new ErrorLog(
    () => Date.now(),
    () => [API_HASH],
  );
  const logger = createLogger({
    level: "warn",
    destination: { write() {} },
    onError: (m, e) => errors.record(m, e),
  });
  return { errors, logger };
}

async function get(port: number, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

describe("/health", () => {
  it("answers 200 with the documented JSON when every part is well", async (t) => {
    const f = await startFixture(t);
    await f.app.housekeeper.runNow();
    const r = await get(f.app.http.port, "/health");
    assert.equal(r.status, 200, r.text);
    assert.match(r.type, /application\/json/);
    const body = JSON.parse(r.text);
    assert.equal(body.status, "ok");
    assert.deepEqual(body.reasons, []);
    for (const key of ["started_at", "last_housekeeping_at"])
      assert.ok(!Number.isNaN(Date.parse(body[key])), key);
    assert.equal(body.last_error_at, null);
    assert.equal(body.last_error_msg, null);
    assert.deepEqual(Object.keys(body.telegram).sort(), [
      "authorized",
      "connected",
      "enabled",
      "last_update_at",
      "seconds_since_last_update",
    ]);
    assert.equal(body.telegram.connected, true);
    assert.equal(body.telegram.authorized, true);
    assert.deepEqual(body.outbox, {
      pending: 0,
      failed: 0,
      oldest_pending_age_secs: null,
      last_sent_at: null,
      flood_wait_until: null,
    });
    assert.deepEqual(body.watchers, { enabled: false, roots: [] });
    assert.equal(body.database.ok, true);
    assert.ok(body.database.size_bytes > 0);
  });

  it("answers on HEALTH_PATH, 404 elsewhere", async (t) => {
    const f = await startFixture(t, { HEALTH_PATH: "/healthz" });
    assert.equal((await get(f.app.http.port, "/healthz")).status, 200);
    assert.equal((await get(f.app.http.port, "/health")).status, 404);
  });

  it("answers 503 after an error is logged, with a sanitized reason", async (t) => {
    const { errors, logger } = quietLoggerWithErrors();
    const f = await startFixture(t, {}, undefined, { logger, errors });
    await f.app.housekeeper.runNow();
    f.app.log
      .child({ part: "feed" })
      .error({ err: new Error(`denied for ${API_HASH}`) }, "log chat: post failed");
    const r = await get(f.app.http.port, "/health");
    assert.equal(r.status, 503);
    const body = JSON.parse(r.text);
    assert.equal(body.status, "error");
    assert.match(
      body.reasons[0],
      /an error was logged .* log chat: post failed — Error: denied for \[redacted\]/,
    );
    assert.ok(!r.text.includes(API_HASH));
    assert.ok(body.last_error_at);
  });

  it("answers 503 when housekeeping has not completed within the limit", async (t) => {
    const f = await startFixture(t, { HEALTH_HOUSEKEEPING_STALE_SECS: "60" });
    await f.app.housekeeper.runNow();
    assert.equal((await get(f.app.http.port, "/health")).status, 200);
    f.clock.advance(61_000); // the next run is due only after 300 s
    const r = await get(f.app.http.port, "/health");
    assert.equal(r.status, 503);
    assert.match(
      JSON.parse(r.text).reasons.join("\n"),
      /housekeeping last completed 61 s ago \(limit 60 s\)/,
    );
  });

  it("answers from a reader that does not wait while another process holds the write lock", async (t) => {
    const f = await startFixture(t);
    await f.app.housekeeper.runNow();
    const other = new Database(f.app.store.file);
    t.after(() => other.close());
    other.exec("BEGIN IMMEDIATE; INSERT INTO kv (key, value, updated_at) VALUES ('lock', 'x', 0);");
    const r = await get(f.app.http.port, "/health");
    other.exec("COMMIT");
    assert.equal(r.status, 200, r.text);
    assert.equal(JSON.parse(r.text).database.ok, true);
  });
});

describe("/metrics", () => {
  it("parses as Prometheus text and counts what capture did", async (t) => {
    const f = await startFixture(t);
    const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });
    const group = channel({ id: 5001, title: "Team", megagroup: true, accessHash: 5151 });
    const entities = { users: [alice], chats: [group] };
    await f.telegram.push(
      newMessageUpdate(message({ id: 1, peer: group, from: alice, text: "a" }), entities),
    );
    await f.telegram.push(
      newMessageUpdate(message({ id: 2, peer: alice, from: alice, text: "b" }), entities),
    );
    await f.telegram.push(
      editMessageUpdate(message({ id: 1, peer: group, from: alice, text: "c" }), entities),
    );
    await f.app.idle();
    await f.app.housekeeper.runNow();

    const r = await get(f.app.http.port, "/metrics");
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(r.text);
    assert.equal(sampleValue(m, "telegram_logger_messages_stored_total", { chat_type: "supergroup" }), 1);
    assert.equal(sampleValue(m, "telegram_logger_messages_stored_total", { chat_type: "user" }), 1);
    assert.equal(sampleValue(m, "telegram_logger_edits_total"), 1);
    assert.equal(sampleValue(m, "telegram_logger_handler_duration_seconds_count", { kind: "new" }), 2);
    assert.equal(m.types.get("telegram_logger_handler_duration_seconds"), "histogram");
    assert.equal(sampleValue(m, "telegram_logger_feed_posts", { status: "sent" }), 1);
    assert.equal(sampleValue(m, "telegram_logger_feed_backlog"), 0);
    assert.ok(sampleValue(m, "telegram_logger_housekeeping_runs_total", { status: "success" })! >= 1);
    assert.ok(sampleValue(m, "telegram_logger_database_bytes")! > 0);
    assert.equal(sampleValue(m, "telegram_logger_media_bytes", { store: "vault" }), 0);
    assert.ok(sampleValue(m, "telegram_logger_seconds_since_last_update")! >= 0);
    assert.ok(sampleValue(m, "telegram_logger_process_resident_memory_bytes")! > 0, "process defaults");
  });
});
