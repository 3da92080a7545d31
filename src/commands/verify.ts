/**
 * `telegram-logger verify`: checks that the database, media, vault and archive are intact
 * (src/verify/). Needs only DATA_ROOT and the vault key, not a valid service configuration: it
 * reads while the service runs.
 */
import type { Command } from "./command.ts";
import { loadEnvFile } from "./setup.ts";

/** Checks what the service kept; its options and help live with the checks (src/verify/). */
export const verify: Command = {
  name: "verify",
  summary: "check that the database, media, vault and archive are intact: verify [--full]",
  usage: async () => (await import("../verify/verify-command.ts")).VERIFY_USAGE,
  ownOptions: "telegram-logger verify [--full] [--key-b64 KEY]",
  async run({ args }) {
    loadEnvFile();
    const { runVerifyCommand } = await import("../verify/verify-command.ts");
    return runVerifyCommand(args, process.env);
  },
};
