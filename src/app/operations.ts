/**
 * What operators see, built last from what every running part reports of itself (`status()`):
 * the health assessment /health answers with and the gauges /metrics reads at scrape time. Part of
 * the composition root.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { ErrorLog } from "../http/health/error-log.ts";
import { assessHealth, type HealthPart, type HealthReport, reportSafely } from "../http/health/model.ts";
import {
  databaseReport,
  outboxReport,
  telegramDisabledReport,
  telegramReport,
  watchersReport,
} from "../http/health/parts.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import { type MetricSources, Metrics } from "../metrics/metrics.ts";
import type { FileAuditPart } from "./file-audit-part.ts";
import { watchRootHealth } from "./file-audit-part.ts";
import type { HousekeepingPart } from "./housekeeping-part.ts";
import type { StorePart } from "./store-part.ts";
import type { TelegramPart } from "./telegram-part.ts";

/** The running parts operations read; either of `telegram` and `files` may be off. */
export interface OperationsOptions {
  config: Config;
  clock: Clock;
  errors: ErrorLog;
  startedAt: number;
  data: StorePart;
  telegram: TelegramPart | undefined;
  files: FileAuditPart | undefined;
  housekeeping: HousekeepingPart;
  counters: MetricCounters;
}

/** Health and metrics of one running app. */
export interface Operations {
  health(): HealthReport;
  metrics: Metrics;
}

/** Builds the health assessment and the metrics over the running parts. */
export function watchOperations(o: OperationsOptions): Operations {
  const { config, clock, housekeeping } = o;
  const parts = healthParts(o);
  const health = (): HealthReport => {
    const now = clock.now();
    return assessHealth({
      now,
      startedAt: o.startedAt,
      lastHousekeepingAt: housekeeping.status().lastSuccessAt,
      lastError: o.errors.last,
      errorWindowSecs: config.http.errorWindowSecs,
      housekeepingStaleSecs: config.http.housekeepingStaleSecs,
      parts: parts.map((p) => ({ name: p.name, report: reportSafely(p, now) })),
    });
  };
  const metrics = new Metrics(o.counters, metricSources(o, health));
  return { health, metrics };
}

/** The gauges' sources: each reads a part's status at scrape time. */
function metricSources(o: OperationsOptions, health: () => HealthReport): MetricSources {
  const { clock, data, telegram, files, housekeeping } = o;
  const since = (at: number) => Math.max(0, (clock.now() - at) / 1000);
  return {
    outboxByStatus: () => data.readOutbox.countByStatus(),
    outboxBacklog: () => data.readOutbox.summary().pending,
    ingestDepth: () => telegram?.status().queueDepth ?? 0,
    floodWaitSeconds: () => Math.max(0, ((telegram?.status().floodWaitUntil ?? 0) - clock.now()) / 1000),
    lastUpdateAt: () => telegram?.status().lastUpdateAt ?? null,
    databaseBytes: () => {
      const p = data.status();
      return p.sizeBytes + p.walBytes;
    },
    mediaBytes: () => housekeeping.status().mediaUsage,
    healthy: () => health().httpStatus === 200,
    secondsSinceHousekeeping: () => since(housekeeping.status().lastSuccessAt ?? o.startedAt),
    telegramDownSeconds: () => {
      const bad = telegram?.status().badSince ?? null;
      return bad === null ? 0 : since(bad);
    },
    telegramLoggedOut: () => telegram?.status().authorized === false,
    watchRootsByState: () => {
      const byState: Record<string, number> = {};
      for (const r of files?.status() ?? []) byState[r.state] = (byState[r.state] ?? 0) + 1;
      return byState;
    },
    now: () => clock.now(),
  };
}

/** The parts /health assesses one by one, each from facts read at the moment of asking. */
function healthParts(o: OperationsOptions): HealthPart[] {
  const { config, data, telegram, files } = o;
  return [
    {
      name: "telegram",
      report: (now) => {
        if (!telegram) return telegramDisabledReport();
        const s = telegram.status();
        return telegramReport(s, s.badSince, now, config.http.updateStallSecs);
      },
    },
    {
      name: "outbox",
      report: (now) => {
        if (!telegram) return { state: { enabled: false }, problems: [] };
        const s = telegram.status();
        const facts = {
          ...data.readOutbox.summary(),
          earliestDueAt: data.readOutbox.nextDueAt() ?? null,
          lastSentAt: s.lastSentAt,
          floodWaitUntil: s.floodWaitUntil,
        };
        return outboxReport(facts, now, config.http.outboxStuckSecs);
      },
    },
    { name: "watchers", report: () => watchersReport(files?.status().map(watchRootHealth) ?? null) },
    { name: "database", report: () => databaseReport(data.status()) },
  ];
}
