/**
 * The event detail, files, file history, report and status pages in a real headless Chromium
 * (test/web/browser.ts): reached by their links as a person would (an events row to its detail,
 * the detail's path to the file's history, a report's previous period), hostile text as text that
 * runs nothing and breaks no policy. Screenshots at desktop and phone width in
 * test-output/screenshots/<test name>/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OutboxStore } from "../../src/store/outbox.ts";
import { logInThroughForm, screenshots, startBrowser, type Troubles } from "./browser.ts";
import { HOSTILE, seedMessage, seedRenames } from "./pages-seed.ts";
import { startWeb } from "./support.ts";

const HOUR = 3_600_000;

function assertCalm(troubles: Troubles): void {
  assert.deepEqual(troubles.dialogs, [], "no dialog opened");
  assert.deepEqual(troubles.violations, [], "no Content-Security-Policy violation");
  assert.deepEqual(troubles.errors, [], "no console error or exception");
}

describe("the detail, files, reports and status pages in Chromium", () => {
  it("event detail, file history, files, a report and the status", async (t) => {
    const b = await startBrowser(t);
    if (b === null) return;
    const f = await startWeb(t);
    await f.app.idle();
    const t0 = Date.now() - 12 * HOUR;
    seedMessage(f, t0);
    seedRenames(f, t0);
    f.seed([
      {
        source: "telegram",
        type: "message.edited",
        status: "success",
        occurredAt: t0 + 30_000,
        chatId: -1001234,
        messageId: 7,
        project: "chat",
        details: { note: HOSTILE, big: "y".repeat(300_000) },
        correlationId: "batch-1",
      },
      {
        source: "telegram",
        type: "feed.failed",
        status: "error",
        occurredAt: t0 + 40_000,
        error: `FLOOD_WAIT_35 ${HOSTILE}`,
        correlationId: "batch-1",
        durationMs: 120,
      },
    ]);
    new OutboxStore(f.app.store.db).add(
      { kind: "file.digest", randomId: "1", text: "digest", entities: null, notBefore: Date.now() },
      Date.now(),
    );

    const { page, troubles } = await b.newPage();
    await logInThroughForm(page, f, undefined, "/ui/events?project=chat");
    // The events row links to its detail.
    await Promise.all([page.waitForURL(/\/ui\/events\/\d+$/), page.locator("td.when a").first().click()]);
    assert.match(await page.locator("h1").innerText(), /message\.edited/);
    assert.equal(await page.locator("script:not([src])").count(), 0);
    assert.match((await page.locator("pre.json").textContent()) ?? "", /<script>alert\(\\"x\\"\)<\/script>/);
    assert.match(await page.locator("ol.versions").innerText(), /<script>alert\("x"\)<\/script>/);
    assert.equal(await page.locator("ol.versions > li").count(), 3);
    assert.equal(await page.locator("details.fold:not([open])").count(), 1, "the 300 KB details are folded");
    await screenshots(t, page, "event-detail");

    // The file's history, through the diff's file.
    await page.goto(f.url("/ui/files/history?path=%2Fsrv%2Fpapers%2Fb.txt"));
    assert.equal(await page.locator("ol.history > li").count(), 6);
    assert.equal(await page.locator("pre.diff .d-del").count(), 1);
    await screenshots(t, page, "file-history");

    await page.goto(f.url("/ui/files?since=30d"));
    assert.ok((await page.locator("svg.chart rect.bar").count()) >= 3);
    await screenshots(t, page, "files");

    const day = new Date(t0 + 30_000);
    const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
    await page.goto(f.url(`/ui/reports/daily?date=${date}`));
    assert.match(await page.locator("h1").innerText(), new RegExp(`Daily report, ${date}`));
    assert.ok((await page.locator("svg.chart").count()) >= 2);
    await screenshots(t, page, "report-daily");
    await Promise.all([page.waitForURL(/date=/), page.locator("a[rel=prev]").click()]);
    await page.goto(f.url(`/ui/reports/weekly?date=${date}`));
    await screenshots(t, page, "report-weekly");

    await page.goto(f.url("/ui/status?refresh=0"));
    assert.match(await page.locator("main").innerText(), /Watchers/);
    await screenshots(t, page, "status");
    assertCalm(troubles);
  });
});
