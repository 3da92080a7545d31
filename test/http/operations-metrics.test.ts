/**
 * Metrics the alert rules read, from the real app (offline Telegram, real SQLite, /metrics over
 * HTTP, the fixture's adjustable clock): `feed_messages_sent_total` counts what reached the log
 * chat from 0 at start and is not lowered when outbox retention removes sent posts;
 * `telegram_down_seconds` and `seconds_since_housekeeping` grow with the clock once Telegram is
 * disconnected and housekeeping has not run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import { type Exposition, parseExposition, sampleValue } from "../support/prom-text.ts";
import { deleteMessagesUpdate, message, newMessageUpdate, user } from "../support/tl-factory.ts";

const SENT = "telegram_logger_feed_messages_sent_total";
const DAY_MS = 86_400_000;
const alice = user({ id: 42, firstName: "Alice", accessHash: 4242 });

async function scrape(f: AppFixture): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${f.app.http.port}/metrics`);
  return parseExposition(await res.text());
}

/** Alice sends message `id` with `text`, then deletes it: one deletion post to the log chat. */
async function deleted(f: AppFixture, id: number, text: string): Promise<void> {
  await f.telegram.push(
    newMessageUpdate(message({ id, peer: alice, from: alice, text }), { users: [alice] }),
  );
  await f.telegram.push(deleteMessagesUpdate([id]));
  await f.app.idle();
}

describe("metrics the alert rules read", () => {
  it("feed_messages_sent_total counts messages that reached the log chat, from 0, and retention does not lower it", async (t) => {
    // Housekeeping only when the test asks for it, and sent posts leave the outbox after a day.
    const f = await startFixture(t, { HOUSEKEEPING_INTERVAL_SECS: "86400", OUTBOX_RETENTION_DAYS: "1" });
    await f.app.housekeeper.runNow();
    let m = await scrape(f);
    assert.equal(m.types.get(SENT), "counter");
    assert.equal(sampleValue(m, SENT), 0, "exported at 0 before the first message");

    await deleted(f, 1, "short");
    await deleted(f, 2, `${"lorem ipsum ".repeat(400)}THE END`); // over 4096: two messages
    // Telegram refuses the next one once: tried, not delivered, not counted; the retry is.
    f.telegram.failNext("messages.SendMessage", "CHAT_ADMIN_REQUIRED", { code: 400 });
    await deleted(f, 3, "second try");
    assert.equal(f.telegram.sent.length, 3, "the refused one waits for its retry");
    m = await scrape(f);
    assert.equal(sampleValue(m, SENT), 3);
    f.clock.advance(10_000);
    await f.app.idle();

    assert.equal(f.telegram.sent.length, 4);
    m = await scrape(f);
    assert.equal(sampleValue(m, SENT), 4);
    assert.equal(sampleValue(m, "telegram_logger_feed_posts", { status: "sent" }), 3);

    f.clock.advance(2 * DAY_MS);
    await f.app.housekeeper.runNow();
    m = await scrape(f);
    assert.equal(
      sampleValue(m, "telegram_logger_feed_posts", { status: "sent" }),
      undefined,
      "retention removed the sent posts",
    );
    assert.equal(sampleValue(m, SENT), 4, "what went out stays counted");
  });

  it("telegram_down_seconds and seconds_since_housekeeping grow with the time Telegram is down and housekeeping idle", async (t) => {
    const f = await startFixture(t, { HOUSEKEEPING_INTERVAL_SECS: "86400" });
    const { clock } = f;
    const beforeRun = clock.now();
    await f.app.housekeeper.runNow();
    const afterRun = clock.now();
    let m = await scrape(f);
    assert.equal(sampleValue(m, "telegram_logger_telegram_down_seconds"), 0);
    assert.equal(sampleValue(m, "telegram_logger_telegram_logged_out"), 0);
    assert.equal(sampleValue(m, "telegram_logger_healthy"), 1);

    const beforeDown = clock.now();
    await f.telegram.client.disconnect();
    await scrape(f); // the disconnection is noticed at the latest here
    const noticed = clock.now();
    clock.advance(3_600_000);
    const beforeScrape = clock.now();
    m = await scrape(f);
    const afterScrape = clock.now();

    // Each reading lies between what the clock allows, whatever the real time the test took.
    const between = (name: string, from: number, to: number) => {
      const v = sampleValue(m, name)!;
      assert.ok(v >= from / 1000 && v <= to / 1000, `${name} ${v}: not in [${from / 1000}, ${to / 1000}]`);
    };
    between("telegram_logger_telegram_down_seconds", beforeScrape - noticed, afterScrape - beforeDown);
    between("telegram_logger_seconds_since_housekeeping", beforeScrape - afterRun, afterScrape - beforeRun);
    assert.ok(sampleValue(m, "telegram_logger_telegram_down_seconds")! >= 3600);
    assert.equal(sampleValue(m, "telegram_logger_telegram_logged_out"), 0, "disconnected is not logged out");
    assert.equal(sampleValue(m, "telegram_logger_healthy"), 0);
    const health = await fetch(`http://127.0.0.1:${f.app.http.port}/health`);
    assert.equal(health.status, 503);
    await health.body?.cancel();
  });
});
