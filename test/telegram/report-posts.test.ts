/**
 * Reports posted to the log chat (`REPORT_TO_LOG_CHAT`): the real app on the offline Telegram posts
 * yesterday's and last week's reports once each, as a caption with the whole report attached,
 * the same report the `report` command prints; not again after a run or a restart; the next day's
 * once that day has ended.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { Api } from "telegram";
import { databaseFileOf } from "../../src/store/data-paths.ts";
import { openStore } from "../../src/store/db.ts";
import { EventStore, type NewEvent } from "../../src/store/events.ts";
import { type AppFixture, startFixture } from "../support/app-fixture.ts";
import type { DeliveredMessage } from "../support/fake-server.ts";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

const H = 3_600_000;

/** A local calendar day as YYYY-MM-DD, `days` from the one holding `ms`. */
function localDay(ms: number, days = 0): string {
  const d = new Date(ms);
  const at = new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, 12);
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, "0")}-${String(at.getDate()).padStart(2, "0")}`;
}

/** Noon (local time) of the day `days` from the one holding `ms`. */
function localNoon(ms: number, days: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, 12).getTime();
}

/** The first day of the last whole Monday-to-Sunday week before the day holding `ms`. */
function lastMonday(ms: number): string {
  const weekday = new Date(ms).getDay(); // 0 = Sunday
  return localDay(ms, -((weekday + 6) % 7) - 7);
}

/** The name of the file a post carries, if any. */
function attachedName(post: DeliveredMessage): string | undefined {
  const media = post.media;
  if (!(media instanceof Api.MessageMediaDocument) || !(media.document instanceof Api.Document))
    return undefined;
  const name = media.document.attributes.find((a) => a instanceof Api.DocumentAttributeFilename);
  return (name as Api.DocumentAttributeFilename | undefined)?.fileName;
}

const reportPosts = (f: AppFixture) =>
  f.telegram.sent.filter((s) => attachedName(s)?.startsWith("telegram-logger-"));

/** Settles the housekeeping run in progress, runs one more, and lets the feed deliver. */
async function housekeep(f: AppFixture): Promise<void> {
  await f.app.housekeeper.runNow();
  await f.app.housekeeper.runNow();
  await f.app.idle();
}

/** The report text without its "Generated" line, which names the moment it was made. */
const withoutGenerated = (text: string) => text.replace(/^Generated .*\n/m, "");

describe("reports posted to the log chat", () => {
  it("yesterday's and last week's reports go out once, as the report command prints them", async (t) => {
    // The app's clock is set to local noon today (back or forward), so neither the grace time
    // after midnight nor a daylight-saving day can shift what is due, whenever the test runs; and
    // yesterday is over in real time too, so the report command run now prints the same report.
    const now = localNoon(Date.now(), 0);
    const root = path.join(tempDir(t), "data");
    const store = openStore(databaseFileOf(root));
    const events = new EventStore(store.db);
    const yesterday = (hour: number, type: string, status: NewEvent["status"]): NewEvent => ({
      source: "telegram",
      type,
      status,
      occurredAt: localNoon(now, -1) + (hour - 12) * H,
      chatId: 42,
      messageId: hour,
      error: status === "error" ? "FILE_REFERENCE_EXPIRED for document 5" : null,
    });
    for (const e of [
      yesterday(9, "message.deleted", "success"),
      yesterday(10, "message.edited", "success"),
      yesterday(11, "media.download_failed", "error"),
    ])
      events.record(e, e.occurredAt);
    store.close();

    const first = await startFixture(t, {}, root);
    first.clock.advance(now - first.clock.now());
    const f = await first.restart({ REPORT_TO_LOG_CHAT: "daily, weekly" });
    await housekeep(f);
    const posts = reportPosts(f);
    const day = localDay(now, -1);
    assert.deepEqual(posts.map(attachedName).sort(), [
      `telegram-logger-daily-${day}.txt`,
      `telegram-logger-weekly-${lastMonday(now)}.txt`,
    ]);
    const daily = posts.find((p) => attachedName(p) === `telegram-logger-daily-${day}.txt`)!;
    assert.equal(daily.chatId, `-100${f.logChannel.id}`);
    assert.match(daily.message, new RegExp(`^telegram-logger daily report: \\w+ ${day} \\(`));
    assert.match(daily.message, /\nevents 3 \(the day before: 0, none before\), errors 1\n/);
    assert.match(daily.message, /The whole report is attached\.$/);
    const zone: Record<string, string> = process.env.TZ === undefined ? {} : { TZ: process.env.TZ };
    const printed = runCommand(root, ["report", "daily", "--date", day], { DATA_ROOT: root, ...zone });
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(withoutGenerated(daily.uploadedBytes!.toString("utf8")), withoutGenerated(printed.stdout));
    assert.match(printed.stdout, /FILE_REFERENCE_EXPIRED/, "the report holds the day's error");

    await housekeep(f);
    assert.equal(reportPosts(f).length, 2, "not again at the next run");
    const again = await f.restart();
    await housekeep(again);
    assert.equal(reportPosts(again).length, 2, "not again after a restart");

    again.clock.advance(localNoon(now, 1) - again.clock.now());
    await housekeep(again);
    const names = reportPosts(again).map(attachedName);
    assert.equal(names.filter((n) => n?.startsWith("telegram-logger-daily-")).length, 2);
    assert.ok(names.includes(`telegram-logger-daily-${localDay(now)}.txt`), names.join(", "));
  });

  it("without REPORT_TO_LOG_CHAT nothing is posted", async (t) => {
    const f = await startFixture(t);
    await housekeep(f);
    assert.deepEqual(reportPosts(f), []);
  });
});
