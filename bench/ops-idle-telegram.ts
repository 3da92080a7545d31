/**
 * The service with Telegram configured, for bench/ops-idle.bench.ts: the real app (`startApp`, the
 * same parts `telegram-logger run` starts) on a real GramJS client whose sender is the offline fake
 * (test/support/fake-telegram.ts), so it catches up, probes and waits for updates without a network.
 * Logs JSON to stdout like the service (the bench reads the "http listening" line); SIGTERM stops it.
 * The fake's own modules are loaded too, so its figures slightly overstate the service's.
 *
 *   node --max-semi-space-size=4 bench/ops-idle-telegram.ts DATA_ROOT   (WATCH_CONFIG from the environment)
 */
import { createLogger } from "../src/log.ts";
import { startFixture } from "../test/support/app-fixture.ts";

const dataRoot = process.argv[2];
if (!dataRoot) throw new Error("usage: ops-idle-telegram.ts DATA_ROOT");
const env: Record<string, string> = process.env.WATCH_CONFIG
  ? { WATCH_CONFIG: process.env.WATCH_CONFIG }
  : {};
const f = await startFixture(null, env, dataRoot, { logger: createLogger({ level: "info", pretty: false }) });
process.once("SIGTERM", () => {
  void f.stop().then(() => {
    f.telegram.close();
    process.exit(0);
  });
});
