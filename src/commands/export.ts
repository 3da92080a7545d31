/**
 * `telegram-logger export`: the audit trail as CSV or JSON lines (src/export/). Needs only
 * DATA_ROOT, not a valid service configuration: it reads the database while the service runs.
 */
import type { Command } from "./command.ts";
import { loadEnvFile } from "./setup.ts";

/** Exports the audit trail; its options and help live with the export code (src/export/options.ts). */
export const exportCommand: Command = {
  name: "export",
  summary: "the audit trail as CSV or JSON lines, filtered: export --since 7d --out audit.csv",
  usage: async () => (await import("../export/options.ts")).EXPORT_USAGE,
  ownOptions: "telegram-logger export [--format csv|jsonl] [--out FILE]",
  async run({ args }) {
    loadEnvFile();
    const { runExportCommand } = await import("../export/export-command.ts");
    return runExportCommand(args, process.env);
  },
};
