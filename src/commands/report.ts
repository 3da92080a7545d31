/**
 * `telegram-logger report daily|weekly|monthly`: a summary of a period of the audit trail
 * (src/report/). Needs only DATA_ROOT (and TZ), not a valid service configuration: it reads the
 * database while the service runs, from cron say.
 */
import type { Command } from "./command.ts";
import { loadEnvFile } from "./setup.ts";

/** Writes a report; its options and help live with the report code (src/report/options.ts). */
export const report: Command = {
  name: "report",
  summary: "a summary of a day, week or month: report daily, report monthly --date 2026-10-01",
  usage: async () => (await import("../report/options.ts")).REPORT_USAGE,
  ownOptions: "telegram-logger report daily|weekly|monthly [--date DAY]",
  async run({ args }) {
    loadEnvFile();
    const { runReportCommand } = await import("../report/report-command.ts");
    return runReportCommand(args, process.env);
  },
};
