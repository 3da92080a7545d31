/**
 * Starts the real app against an offline Telegram (test/support/fake-telegram.ts), a real SQLite
 * file in a temporary folder and an adjustable clock. Tests drive it with `telegram.push(...)` and
 * `app.idle()`, and assert on what reached "Telegram" and on the rows.
 */
import path from "node:path";
import type { TestContext } from "node:test";
import type { Api } from "telegram";
import { type App, type StartOptions, startApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { AdjustableClock } from "./clock.ts";
import { createOfflineClient, type FakeTelegram } from "./fake-telegram.ts";
import { channel } from "./tl-factory.ts";
import { tempDir } from "./tmp.ts";

/** The log channel every fixture posts to. */
export const LOG_CHANNEL_ID = 1_999_000_111;

/** A running app with its fake Telegram. */
export interface AppFixture {
  app: App;
  telegram: FakeTelegram;
  clock: AdjustableClock;
  dataRoot: string;
  logChannel: Api.Channel;
  /** Stops the app (the fake stays, as Telegram would). */
  stop(): Promise<void>;
  /**
   * Starts a new app on the same data folder and the same Telegram, as after a restart; `env`
   * changes settings for the new run (as an edited `.env` would).
   */
  restart(env?: Record<string, string>): Promise<AppFixture>;
}

/** Environment for the fixture's config; override anything. */
export function fixtureEnv(dataRoot: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    API_ID: "1",
    API_HASH: "0123456789abcdef0123456789abcdef",
    LOG_CHAT_ID: `-100${LOG_CHANNEL_ID}`,
    DATA_ROOT: dataRoot,
    FEED_POSTS_PER_MINUTE: "6000",
    FEED_FOLD_WINDOW_MS: "50",
    SAVE_EDITED_MESSAGES: "true",
    CATCH_UP_GAP_WAIT_MS: "0",
    // Any free port: tests run in parallel.
    HEALTH_PORT: "0",
    ...env,
  };
}

async function launch(
  t: TestContext | null,
  dataRoot: string,
  env: Record<string, string>,
  telegram: FakeTelegram,
  clock: AdjustableClock,
  logChannel: Api.Channel,
  extra: FixtureOptions,
): Promise<AppFixture> {
  const app = await startApp({
    config: loadConfig(fixtureEnv(dataRoot, env)),
    telegram: telegram.client,
    clock,
    logger: extra.logger ?? silentLogger(),
    errors: extra.errors,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  t?.after(stop);
  return {
    app,
    telegram,
    clock,
    dataRoot,
    logChannel,
    stop,
    restart: async (changed = {}) => {
      await stop();
      return launch(t, dataRoot, { ...env, ...changed }, telegram, clock, logChannel, extra);
    },
  };
}

/** Optional parts of the app under test (default: a silent logger). */
export type FixtureOptions = Pick<StartOptions, "logger" | "errors">;

/**
 * Starts an app for test `t` (pass null outside tests and remove `dataRoot` yourself). The log
 * channel is known to Telegram, so the app resolves it the way it would in production.
 */
export async function startFixture(
  t: TestContext | null,
  env: Record<string, string> = {},
  dataRoot?: string,
  extra: FixtureOptions = {},
): Promise<AppFixture> {
  const root = dataRoot ?? path.join(tempDir(t!), "data");
  const { telegram } = createOfflineClient({ self: { id: 100, firstName: "Owner", username: "owner" } });
  t?.after(() => telegram.close());
  const logChannel = channel({ id: LOG_CHANNEL_ID, title: "Audit log", megagroup: false });
  telegram.addEntities(logChannel);
  return launch(t, root, env, telegram, new AdjustableClock(), logChannel, extra);
}
