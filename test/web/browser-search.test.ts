/**
 * The search page in a real headless Chromium (test/web/browser.ts): logging in, searching in
 * Cyrillic in another case, the deleted-only filter, an earlier version marked, a file path found,
 * hostile text arriving as text (nothing runs, no policy breaks). Screenshots at desktop and phone
 * width land in test-output/screenshots/<test name>/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageStore, type NewMessageRow } from "../../src/store/messages.ts";
import { logInThroughForm, screenshots, startBrowser } from "./browser.ts";
import { ask, bearer, startWeb, type WebFixture } from "./support.ts";

const T0 = Date.UTC(2026, 10, 1, 8, 30);
const HOUR = 3_600_000;

function message(messageId: number, text: string): NewMessageRow {
  return {
    chatId: -1005550001,
    messageId,
    chatType: "supergroup",
    senderId: 31337,
    date: T0 + messageId * HOUR,
    text,
    outgoing: false,
    noforwards: false,
    selfDestructing: false,
  };
}

async function indexed(f: WebFixture): Promise<void> {
  for (;;) {
    const { index } = (await ask(f, "/api/search?q=zzzzzz", { headers: bearer() })).json();
    if (index.queued === 0 && index.backfillLeft === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the search page in Chromium", () => {
  it("searches Cyrillic in any case, filters deleted, marks earlier versions, keeps hostile text text", async (t) => {
    const b = await startBrowser(t);
    if (b === null) return;
    const f = await startWeb(t);
    const messages = new MessageStore(f.app.store.db);
    const ids = f.app.store.transaction(() =>
      [
        message(1, "Привіт! Зустріч завтра о 10:30, біля ґанку"),
        message(2, "зустріч перенесли на п'ятницю"),
        message(3, "Зустріч <img src=x onerror=alert(1)> javascript:alert(2) \u202Etxt.exe"),
        message(4, "звіт за квітень готовий"),
      ].map((m) => messages.insert(m, m.date)!),
    );
    f.app.store.transaction(() => {
      messages.markDeleted(ids[1]!, T0 + 9 * HOUR, "deleted");
      messages.applyEdit(
        messages.byRowId(ids[3]!)!,
        { text: "звіт за травень готовий", entities: null, media: null, editDate: T0 + 10 * HOUR },
        T0 + 10 * HOUR,
      );
    });
    f.seed([
      {
        source: "fs",
        type: "file.created",
        status: "success",
        occurredAt: T0,
        path: "/srv/Звіти/квітень.xlsx",
      },
    ]);
    await indexed(f);
    const { page, troubles } = await b.newPage();
    await logInThroughForm(page, f, undefined, "/ui/search");
    await page.getByRole("heading", { name: "Search" }).waitFor();

    await page.getByLabel(/Search messages/).fill("ЗУСТРІЧ");
    await Promise.all([page.waitForURL(/q=/), page.getByRole("button", { name: "Search" }).click()]);
    assert.equal(await page.locator(".hit").count(), 3);
    const marks = await page.locator(".hit mark").allTextContents();
    assert.ok(marks.length >= 3 && marks.every((m) => m.toLowerCase() === "зустріч"), marks.join());
    assert.ok((await page.locator(".hit-text").allTextContents()).some((s) => s.includes("<img src=x")));
    await screenshots(t, page, "search-cyrillic");

    await page.getByLabel("Deleted only").check();
    await Promise.all([page.waitForURL(/deleted=1/), page.getByRole("button", { name: "Search" }).click()]);
    assert.equal(await page.locator(".hit").count(), 1);
    await page.locator(".badge.deleted").waitFor();

    await page.goto(f.url(`/ui/search?q=${encodeURIComponent("квітень")}`));
    assert.equal(await page.locator(".hit").count(), 2, "the earlier version and the file path");
    await page.getByText("earlier version: v0 of 1").waitFor();
    await page.locator(".hit-link", { hasText: "Event" }).waitFor();
    await screenshots(t, page, "search-versions-and-paths");

    assert.deepEqual(troubles.dialogs, [], "no dialog opened");
    assert.deepEqual(troubles.violations, [], "no Content-Security-Policy violation");
    assert.deepEqual(troubles.errors, [], "no console error or exception");
  });
});
