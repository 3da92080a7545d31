/**
 * The chat pages in a real headless Chromium (test/web/browser.ts): the chat list (filter by name,
 * sort by name), a chat's transcript with formatting, a reply, a deleted and an edited message
 * (its history opened), a photo that loads, a voice message kept encrypted in the vault that the
 * browser loads through ranges decrypted on the fly, jumping to a date, and "what changed".
 * Hostile text arrives as text, runs nothing and breaks no policy. Screenshots at desktop and phone
 * width land in test-output/screenshots/<test name>/.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { crc32, deflateSync } from "node:zlib";
import { logInThroughForm, screenshots, startBrowser, type Troubles } from "./browser.ts";
import { chatSeeder } from "./chat-seed.ts";
import { startWeb } from "./support.ts";

const T0 = Date.UTC(2026, 9, 1, 9, 0);
const HOUR = 3_600_000;
const ANNA = 501;
const BORIS = 502;
const GROUP = -1_001_500_000_001;

/** A `width`×`height` PNG of one colour: a real image the browser decodes. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: width }, () => [40, 120, 200]).flat()),
  ]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `seconds` of a quiet 8 kHz mono tone as a WAV file: audio the browser can load. */
function wav(seconds: number): Buffer {
  const samples = 8000 * seconds;
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0, "latin1");
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVEfmt ", 8, "latin1");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(8000, 24);
  out.writeUInt32LE(16_000, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "latin1");
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    out.writeInt16LE(Math.round(800 * Math.sin((i * 2 * Math.PI * 440) / 8000)), 44 + i * 2);
  return out;
}

/** What the test reads of an <img> and an <audio> (the tests' TypeScript has no DOM types). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  addEventListener(type: string, f: (e?: unknown) => void, o: { once: boolean }): void;
}
interface AudioLike {
  readyState: number;
  duration: number;
  load(): void;
  addEventListener(type: string, f: (e?: unknown) => void, o: { once: boolean }): void;
}

function assertCalm(troubles: Troubles): void {
  assert.deepEqual(troubles.dialogs, [], "no dialog opened");
  assert.deepEqual(troubles.violations, [], "no Content-Security-Policy violation");
  assert.deepEqual(troubles.errors, [], "no console error or exception");
}

describe("the chat pages in Chromium", () => {
  it("chat list, a transcript with media, history and hostile text, jump to date, what changed", async (t) => {
    const b = await startBrowser(t);
    if (b === null) return;
    const key = randomBytes(32);
    const f = await startWeb(t, {
      ENCRYPT_DELETED_MEDIA: "true",
      DELETED_MEDIA_KEY_B64: key.toString("base64"),
    });
    const s = chatSeeder(f);
    s.peer({ peerId: ANNA, name: "Anna Schmidt", type: "user", username: "anna" });
    s.peer({ peerId: BORIS, name: "Борис <img src=x onerror=alert(1)>", type: "user" });
    s.peer({ peerId: GROUP, name: "Проект Альфа", type: "supergroup" });
    const hostile = "look <img src=x onerror=alert(2)> and click me \u202Eexe.txt";
    const rows = s.messages([
      {
        chatId: GROUP,
        messageId: 1,
        senderId: ANNA,
        date: T0,
        text: "Morning all! The plan for today is below.",
      },
      {
        chatId: GROUP,
        messageId: 2,
        senderId: BORIS,
        date: T0 + HOUR,
        text: "Release checklist: run tests, tag v2, deploy",
        entities: [
          { _: "MessageEntityBold", offset: 0, length: 17 },
          { _: "MessageEntityCode", offset: 34, length: 2 },
        ],
        replyTo: 1,
      },
      {
        chatId: GROUP,
        messageId: 3,
        senderId: ANNA,
        date: T0 + 2 * HOUR,
        text: "the whiteboard",
        media: { kind: "photo", identity: "p1", mimeType: "image/png", width: 320, height: 180 },
      },
      {
        chatId: GROUP,
        messageId: 4,
        senderId: BORIS,
        date: T0 + 3 * HOUR,
        media: { kind: "voice", identity: "v1", mimeType: "audio/wav", duration: 2 },
      },
      {
        chatId: GROUP,
        messageId: 5,
        senderId: BORIS,
        date: T0 + 26 * HOUR,
        text: hostile,
        entities: [
          {
            _: "MessageEntityTextUrl",
            offset: hostile.indexOf("click"),
            length: 8,
            url: "javascript:alert(3)",
          },
        ],
      },
      { chatId: GROUP, messageId: 6, senderId: ANNA, date: T0 + 27 * HOUR, text: "meet at five in room 2" },
      { chatId: ANNA, messageId: 7, senderId: ANNA, date: T0 + 28 * HOUR, text: "private hello" },
    ]);
    s.buffered(rows[2]!, png(320, 180));
    s.deleted(GROUP, 4, T0 + 4 * HOUR, "deleted");
    await s.vaulted(rows[3]!, wav(2), key);
    s.edited(GROUP, 6, "meet at six in room 2", T0 + 28 * HOUR);
    s.edited(GROUP, 6, "meet at six in room 3", T0 + 29 * HOUR);
    f.seed([
      {
        source: "telegram",
        type: "message.deleted",
        status: "success",
        occurredAt: T0 + 4 * HOUR,
        chatId: GROUP,
        messageId: 4,
        details: { deletion: "deleted" },
      },
      {
        source: "telegram",
        type: "message.edited",
        status: "success",
        occurredAt: T0 + 28 * HOUR,
        chatId: GROUP,
        messageId: 6,
        details: { version: 1 },
      },
      {
        source: "telegram",
        type: "message.edited",
        status: "success",
        occurredAt: T0 + 29 * HOUR,
        chatId: GROUP,
        messageId: 6,
        details: { version: 2 },
      },
    ]);
    const { page, troubles } = await b.newPage();

    await logInThroughForm(page, f, undefined, "/ui/chats");
    assert.equal(new URL(page.url()).pathname, "/ui/chats");
    await page.getByRole("link", { name: "Проект Альфа" }).waitFor();
    await screenshots(t, page, "chats");

    // Filter by a Cyrillic name in lower case, then sort by name.
    await page.getByLabel("Name").fill("альфа");
    await Promise.all([page.waitForURL(/q=/), page.getByRole("button", { name: "Filter" }).click()]);
    assert.equal(await page.locator("table.chats tbody tr").count(), 1);
    await page.goto(f.url("/ui/chats?sort=name"));
    assert.deepEqual(await page.locator("table.chats tbody tr td:first-child a").allTextContents(), [
      "Anna Schmidt",
      "Проект Альфа",
    ]);

    // The transcript: formatting, the reply's quote, the photo decoded, the vaulted voice loaded.
    await Promise.all([
      page.waitForURL(new RegExp(`/ui/chats/${GROUP}$`)),
      page.getByRole("link", { name: "Проект Альфа" }).click(),
    ]);
    await page.locator("strong", { hasText: "Release checklist" }).waitFor();
    await page.locator("#m2 .reply", { hasText: "Morning all!" }).waitFor();
    const width = await page.locator("#m3 img").evaluate(async (el) => {
      const img = el as unknown as ImageLike;
      if (!img.complete) await new Promise((r) => img.addEventListener("load", r, { once: true }));
      return img.naturalWidth;
    });
    assert.equal(width, 320, "the photo loaded and decoded");
    const audio = page.locator("#m4 audio");
    const duration = await audio.evaluate(async (el) => {
      const a = el as unknown as AudioLike;
      if (a.readyState < 1)
        await new Promise((r, j) => {
          a.addEventListener("loadedmetadata", r, { once: true });
          a.addEventListener("error", () => j(new Error("audio failed to load")), { once: true });
          a.load();
        });
      return a.duration;
    });
    assert.ok(Math.abs(duration - 2) < 0.1, `the vaulted voice message loaded (duration ${duration})`);
    await page.locator("#m4 .deleted-mark", { hasText: "deleted by someone in the chat" }).waitFor();
    // Hostile text: shown, never run, never a link.
    await page.locator("#m5 .text", { hasText: "<img src=x onerror=alert(2)>" }).waitFor();
    assert.equal(await page.locator('#m5 a[href^="javascript:"]').count(), 0);
    await page.locator("#m5 .ctl", { hasText: "U+202E" }).waitFor();
    await page.locator("#m6 summary").click();
    await page.locator("#m6 .history del", { hasText: "five" }).waitFor();
    await screenshots(t, page, "chat");

    // Jump to the second day: its first message is #5.
    await page.getByLabel("Jump to date").fill("2026-10-02");
    await Promise.all([page.waitForURL(/date=2026-10-02/), page.getByRole("button", { name: "Go" }).click()]);
    assert.equal(await page.locator("ol.transcript > li").first().getAttribute("id"), "m5");

    // A link to one message centres the page on it and marks it.
    await page.goto(f.url(`/ui/chats/${GROUP}?around=2`));
    await page.locator("#m2.highlight").waitFor();

    await page.goto(f.url("/ui/changes"));
    await page.locator(".change-edited del", { hasText: "five" }).waitFor();
    await screenshots(t, page, "changes");
    await Promise.all([
      page.waitForURL(/around=4/),
      page
        .locator(".change-deleted")
        .getByRole("link", { name: /open in chat/ })
        .click(),
    ]);
    await page.locator("#m4.highlight").waitFor();
    assertCalm(troubles);
  });
});
