/**
 * Real-browser tests: Debian's headless Chromium (`/usr/bin/chromium`, or `CHROMIUM_PATH`) driven
 * by playwright-core, which never downloads a browser of its own. `.ci/run` installs the package;
 * in CI (`CI=true`) a missing browser fails the test saying how to install it, elsewhere the test
 * is skipped with that reason.
 *
 * Each test gets a browser of its own (a fresh profile, nothing shared between tests) and pages
 * that record what a user would not see but must never happen: a dialog (`alert` run by hostile
 * text), a console error, an uncaught exception, a Content-Security-Policy violation. Screenshots
 * go to `test-output/screenshots/<test name>/<page>-<width>.png`, at desktop and phone width, for
 * a person to look at.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { TOKEN, type WebFixture } from "./support.ts";

/** Where Debian's chromium package puts the browser. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The widths screenshots are taken at: a desktop window and a phone. */
export const WIDTHS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** The repository's folder of screenshots (gitignored). */
export const SCREENSHOT_ROOT = path.resolve(import.meta.dirname, "../../test-output/screenshots");

/**
 * Flags that let Chromium run headless as root in a container without a GPU or a session bus, and
 * keep it from calling home during a test (updates, sync, QUIC probes).
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

const INSTALL_HINT =
  "install Debian's chromium package (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to a Chromium binary";

/** The browser binary to use, or why there is none. */
export function chromiumPath(): { path: string } | { missing: string } {
  const file = process.env.CHROMIUM_PATH?.trim() || DEFAULT_CHROMIUM;
  try {
    accessSync(file, constants.X_OK);
    return { path: file };
  } catch {
    return { missing: `no Chromium at ${file}: ${INSTALL_HINT}` };
  }
}

/** What a page did that a person would not see but a test must: each entry says what and where. */
export interface Troubles {
  /** Dialogs opened (`alert`, `confirm`, …): hostile text that ran. */
  dialogs: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Content-Security-Policy violations the page reported. */
  violations: string[];
}

/** A browser for one test, with its troubles recorded per page. */
export interface TestBrowser {
  browser: Browser;
  /** A new window (its own cookies) at desktop width, watched for troubles. */
  newPage(): Promise<WatchedPage>;
}

/** A page and what went wrong on it. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  troubles: Troubles;
}

/**
 * Starts Chromium for test `t`, closed when the test ends. Null when the browser is missing outside
 * CI (the test is then marked skipped with the reason; return from it); in CI that throws instead.
 */
export async function startBrowser(t: TestContext): Promise<TestBrowser | null> {
  const found = chromiumPath();
  if ("missing" in found) {
    if (process.env.CI === "true") throw new Error(`browser tests need Chromium in CI: ${found.missing}`);
    t.skip(found.missing);
    return null;
  }
  // Playwright gives a launched browser a fresh temporary profile (--user-data-dir), removed on
  // close; each page then gets a context of its own (its own cookies), like a private window.
  const browser = await chromium.launch({ executablePath: found.path, headless: true, args: FLAGS });
  t.after(() => browser.close());
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: WIDTHS.desktop });
      return watch(context, await context.newPage());
    },
  };
}

/** Records `page`'s dialogs (dismissed), console errors, exceptions and CSP violations. */
async function watch(context: BrowserContext, page: Page): Promise<WatchedPage> {
  const troubles: Troubles = { dialogs: [], errors: [], violations: [] };
  page.on("dialog", (d) => {
    troubles.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on("console", (m) => {
    if (m.type() === "error")
      troubles.errors.push(`console: ${m.text()} (${m.location().url || page.url()})`);
  });
  page.on("pageerror", (err) => troubles.errors.push(`exception: ${err.message} (${page.url()})`));
  // The page reports violations itself (a DOM event); the binding carries them out. Scripts
  // added this way run outside the page's CSP, so they do not count as inline script.
  await page.exposeBinding("__tlViolation", (_source, text: string) => void troubles.violations.push(text));
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", function (e) {
    window.__tlViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + location.pathname);
  });`);
  return { page, context, troubles };
}

/**
 * Logs in as a person does: opens `start` (a UI page, which sends an anonymous visitor to the
 * login form), types `token` and submits. Returns once the answer has loaded.
 */
export async function logInThroughForm(
  page: Page,
  f: WebFixture,
  token = TOKEN,
  start = "/ui/events",
): Promise<void> {
  await page.goto(f.url(start));
  await page.getByLabel("Token").fill(token);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Log in" }).click()]);
  await page.waitForLoadState("load");
}

/** `t`'s name as a folder name. */
function folderOf(t: TestContext): string {
  const name = t.fullName || t.name;
  return name.replace(/[^\p{L}\p{N}._-]+/gu, "-").replace(/^-+|-+$/g, "") || "test";
}

/** What to take besides the light pages at both widths. */
export interface ScreenshotOptions {
  /** Also in the dark colour scheme (`prefers-color-scheme: dark`), as `<name>-<width>-dark.png`. */
  dark?: boolean;
}

/**
 * Full-page screenshots of what `page` shows, at desktop and at phone width, saved as
 * `<folder of t>/<name>-<width>.png`; the page is left at desktop width in the light scheme.
 * Returns the files. Throws when the page is wider than the window (it would scroll sideways).
 */
export async function screenshots(
  t: TestContext,
  page: Page,
  name: string,
  options: ScreenshotOptions = {},
): Promise<string[]> {
  const dir = path.join(SCREENSHOT_ROOT, folderOf(t));
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const scheme of options.dark ? (["light", "dark"] as const) : (["light"] as const)) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of [WIDTHS.desktop, WIDTHS.phone]) {
      await page.setViewportSize(size);
      const file = path.join(dir, `${name}-${size.width}${scheme === "dark" ? "-dark" : ""}.png`);
      await page.screenshot({ path: file, fullPage: true });
      files.push(file);
      // Nothing may push the page sideways: at phone width that is a layout bug, not a scroll bar.
      const wide = (await page.evaluate("document.documentElement.scrollWidth")) as number;
      if (wide > size.width) throw new Error(`${name} is ${wide} px wide at ${size.width} px (see ${file})`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize(WIDTHS.desktop);
  t.diagnostic(`screenshots: ${dir}`);
  return files;
}
