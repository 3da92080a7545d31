/** Every metric the Grafana dashboard queries is one the service exports. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { MetricCounters } from "../../src/metrics/counters.ts";
import { Metrics } from "../../src/metrics/metrics.ts";
import { parseExposition } from "../support/prom-text.ts";

it("the Grafana dashboard only uses metrics /metrics exports", async () => {
  const dashboard = JSON.parse(
    readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8"),
  );
  const used = new Set<string>();
  for (const panel of dashboard.panels)
    for (const target of panel.targets)
      for (const m of target.expr.matchAll(/telegram_logger_\w+/g)) used.add(m[0]);
  const metrics = new Metrics(new MetricCounters({ feedSender: true }), {
    outboxByStatus: () => ({}),
    outboxBacklog: () => 0,
    ingestDepth: () => 0,
    floodWaitSeconds: () => 0,
    lastUpdateAt: () => 0,
    databaseBytes: () => 0,
    mediaBytes: () => ({ buffer: 0, vault: 0 }),
    healthy: () => true,
    secondsSinceHousekeeping: () => 0,
    telegramDownSeconds: () => 0,
    telegramLoggedOut: () => false,
    watchRootsByState: () => ({}),
    now: () => 0,
  });
  const families = [...parseExposition((await metrics.render()).text).types.keys()];
  const known = (name: string) => families.some((f) => name === f || name.startsWith(`${f}_`));
  assert.deepEqual(
    [...used].filter((n) => !known(n)),
    [],
  );
});
