/**
 * Every command of `telegram-logger`, in the order the general usage lists them. main.ts
 * dispatches through this table and src/cli/args.ts parses with it, so adding a command here is
 * all it takes to have it run, parsed and listed in the help.
 */
import { agent } from "./agent.ts";
import type { Command } from "./command.ts";
import { decrypt } from "./decrypt.ts";
import { exportCommand } from "./export.ts";
import { helpCommand } from "./help.ts";
import { login } from "./login.ts";
import { report } from "./report.ts";
import { run } from "./run.ts";
import { scan } from "./scan.ts";
import { uiUrl } from "./ui-url.ts";
import { verify } from "./verify.ts";
import { warmCache } from "./warm-cache.ts";

/** The commands, `help` last. */
export const COMMANDS: readonly Command[] = [
  run,
  login,
  scan,
  agent,
  decrypt,
  exportCommand,
  report,
  verify,
  warmCache,
  uiUrl,
  helpCommand(() => COMMANDS),
];

/** The command called `name`; throws for a name the parser would not have let through. */
export function commandNamed(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new Error(`no command "${name}"`);
  return command;
}
