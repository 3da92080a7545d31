/**
 * The events page in a real headless Chromium (test/web/browser.ts): logging in through the form
 * (a wrong token first), filtering by a facet and a time range, the next page, local times with
 * UTC on hover, the histogram, oldest first, the CSV export's download, logging out; hostile text arrives as text, runs nothing and breaks no policy.
 * Screenshots at desktop and phone width land in test-output/screenshots/<test name>/.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { NewEvent } from "../../src/store/events.ts";
import { CELL_CHARS } from "../../src/web/events-page.ts";
import { logInThroughForm, screenshots, startBrowser, type Troubles } from "./browser.ts";
import { startWeb, TOKEN } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30); // 2026-11-01T08:30:00Z
const MINUTE = 60_000;

/** 150 ordinary events a minute apart: fs and telegram alternating, every tenth an error. */
function ordinary(): NewEvent[] {
  return Array.from({ length: 150 }, (_, i): NewEvent => {
    const fs = i % 2 === 0;
    return {
      source: fs ? "fs" : "telegram",
      type: fs ? "file.modified" : "message.edited",
      status: i % 10 === 0 ? "error" : "success",
      occurredAt: T0 + i * MINUTE,
      path: fs ? `/srv/docs/report-${i}.txt` : null,
      chatId: fs ? null : -1001234567,
      messageId: fs ? null : i,
      error: i % 10 === 0 ? `disk full at ${i}` : null,
      project: "seed",
    };
  });
}

const EVIL_PATH = "/srv/<img src=x onerror=alert(1)>.txt";
const EVIL_LINK = "javascript:alert(1)";
const RTL = "invoice\u202Efdp.exe";
const ZERO_WIDTH = "pass\u200Bword\u200D.txt";
const BIG = `big:${"x".repeat(100_000)}`;

function hostile(): NewEvent[] {
  const at = T0 + 200 * MINUTE;
  const base = { source: "fs", status: "error", project: "evil" } as const;
  return [
    { ...base, type: "file.created", occurredAt: at, path: EVIL_PATH, error: EVIL_LINK },
    { ...base, type: "file.renamed", occurredAt: at + 1, path: RTL },
    { ...base, type: "file.deleted", occurredAt: at + 2, path: ZERO_WIDTH },
    { ...base, type: "file.modified", occurredAt: at + 3, path: "/srv/big.txt", error: BIG },
  ];
}

function assertCalm(troubles: Troubles): void {
  assert.deepEqual(troubles.dialogs, [], "no dialog opened");
  assert.deepEqual(troubles.violations, [], "no Content-Security-Policy violation");
  assert.deepEqual(troubles.errors, [], "no console error or exception");
}

describe("the events page in Chromium", () => {
  it("log in, filter by facet and time, page on, local times, log out", async (t) => {
    const b = await startBrowser(t);
    if (b === null) return;
    const f = await startWeb(t);
    f.seed(ordinary());
    const { page, troubles } = await b.newPage();

    // A UI page sends the visitor to the login form; a wrong token is said so.
    await logInThroughForm(page, f, "not-the-token-at-all", "/ui/events?project=seed");
    assert.match(new URL(page.url()).pathname, /^\/ui\/login$/);
    await page.getByRole("alert").getByText("That is not the token.").waitFor();
    await screenshots(t, page, "login-wrong-token");
    // The browser logs the 401 of the answer itself; nothing else may be in the console.
    assert.ok(
      troubles.errors.every((e) => e.includes("401")),
      troubles.errors.join("\n"),
    );
    troubles.errors.length = 0;

    await page.getByLabel("Token").fill(TOKEN);
    await Promise.all([
      page.waitForURL(/\/ui\/events/),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    assert.equal(new URL(page.url()).searchParams.get("project"), "seed", "back where the visitor was going");
    await page.getByRole("heading", { name: "Events" }).waitFor();
    assert.equal(await page.locator("tbody tr").count(), 100);
    await screenshots(t, page, "events");

    // Local times: app.js rewrote every <time>; the UTC instant is in its title.
    const first = page.locator("tbody time").first();
    const iso = await first.getAttribute("datetime");
    assert.equal(iso, new Date(T0 + 149 * MINUTE).toISOString());
    assert.equal(await first.getAttribute("title"), `${iso} (UTC)`);
    assert.notEqual(await first.textContent(), iso, "shown in the viewer's time zone, not as ISO");
    await first.hover();

    // A facet: only the fs events, counted on the side.
    await Promise.all([
      page.waitForURL(/source=fs/),
      page.locator(".facets").getByRole("link", { name: "fs", exact: true }).click(),
    ]);
    const sources = await page.locator('tbody td[data-label="Source"]').allTextContents();
    assert.equal(sources.length, 75);
    assert.ok(sources.every((s) => s === "fs"));

    // A time range through the form: 09:00 to 10:00 UTC is 30 minutes of the fs events (15).
    await page.getByLabel("Since").fill("2026-11-01T09:00Z");
    await page.getByLabel("Until").fill("2026-11-01T10:00Z");
    await Promise.all([page.waitForURL(/until=/), page.getByRole("button", { name: "Filter" }).click()]);
    const times = await page
      .locator("tbody time")
      .evaluateAll((els) =>
        els.map((el) => (el as unknown as { getAttribute(n: string): string }).getAttribute("datetime")),
      );
    assert.equal(times.length, 30);
    assert.ok(
      times.every((t) => t >= "2026-11-01T09:00" && t < "2026-11-01T10:00"),
      times.join(),
    );
    await screenshots(t, page, "events-filtered", { dark: true });

    // The next page, and back.
    await page.goto(f.url("/ui/events?project=seed&limit=40"));
    await Promise.all([page.waitForURL(/cursor=/), page.getByRole("link", { name: "Older →" }).click()]);
    const second = await page.locator("tbody time").first().getAttribute("datetime");
    assert.equal(second, new Date(T0 + 109 * MINUTE).toISOString());
    await page.getByRole("link", { name: "← Newer" }).click();
    await page.waitForLoadState("load");
    assert.equal(
      await page.locator("tbody time").first().getAttribute("datetime"),
      new Date(T0 + 149 * MINUTE).toISOString(),
    );

    // Oldest first through the column header; the histogram draws a bar per hour (three hours).
    await page.goto(f.url("/ui/events?project=seed"));
    assert.equal(await page.locator(".histogram rect.bar").count(), 3);
    await Promise.all([page.waitForURL(/sort=oldest/), page.getByRole("link", { name: "Time ↓" }).click()]);
    assert.equal(
      await page.locator("tbody time").first().getAttribute("datetime"),
      new Date(T0).toISOString(),
    );
    assert.equal(await page.getByLabel("Order").inputValue(), "oldest");
    await page.getByRole("link", { name: "Newer →" }).waitFor();

    // The export link downloads every matching event as CSV, the filter included.
    await page.goto(f.url("/ui/events?project=seed&source=fs&limit=10"));
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "CSV", exact: true }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^events-\d{4}-\d\d-\d\d\.csv$/);
    const csv = readFileSync(await download.path(), "utf8").split("\r\n");
    assert.equal(csv[0]?.split(",")[0], "id");
    assert.equal(csv.length, 75 + 2, "all 75 fs events, not just the page's 10");
    assert.ok(csv.slice(1, -1).every((line) => line.includes(",fs,file.modified,")));

    // Logging out ends the session: the page sends the visitor to the login form again.
    await Promise.all([
      page.waitForURL(/\/ui\/login/),
      page.getByRole("button", { name: "Log out" }).click(),
    ]);
    await page.goto(f.url("/ui/events"));
    assert.match(new URL(page.url()).pathname, /^\/ui\/login$/);
    assertCalm(troubles);
  });

  it("hostile text arrives as text: no dialog, no policy violation, shown as typed", async (t) => {
    const b = await startBrowser(t);
    if (b === null) return;
    const f = await startWeb(t);
    f.seed(hostile());
    const { page, troubles } = await b.newPage();
    await logInThroughForm(page, f, TOKEN, "/ui/events?project=evil");
    await page.getByRole("heading", { name: "Events" }).waitFor();

    const cells = page.locator("tbody");
    await cells.getByText(EVIL_PATH, { exact: true }).waitFor();
    await cells.getByText(EVIL_LINK, { exact: true }).waitFor();
    assert.equal(await page.locator("tbody img, tbody a[href^='javascript']").count(), 0, "no element made");
    // Invisible characters are shown by their code point, the text around them as typed.
    const rtl = await page.locator("tbody bdi", { hasText: "invoice" }).textContent();
    assert.equal(rtl, "invoiceU+202Efdp.exe");
    const zw = await page.locator("tbody bdi", { hasText: "pass" }).textContent();
    assert.equal(zw, "passU+200BwordU+200D.txt");
    // 100 KB of error text: its start as typed, the rest counted.
    const big = await page.locator("tbody td.err", { hasText: "big:" }).textContent();
    assert.ok(big?.startsWith(BIG.slice(0, CELL_CHARS)));
    assert.ok(big?.includes(`(${BIG.length - CELL_CHARS} more characters)`), big?.slice(-80));

    // Hostile text typed into the filter comes back as the field's value, not as markup.
    await page.getByLabel("Text").fill(EVIL_PATH);
    await Promise.all([page.waitForURL(/q=/), page.getByRole("button", { name: "Filter" }).click()]);
    assert.equal(await page.getByLabel("Text").inputValue(), EVIL_PATH);
    assert.equal(await page.locator("tbody tr").count(), 1);
    await screenshots(t, page, "hostile");
    assertCalm(troubles);
  });
});
