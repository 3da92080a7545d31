#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `telegram-logger` command: parses the arguments (src/cli/args.ts), finds the command in the
 * table (src/commands/table.ts, a file per command) and runs it. `run` (the default) is the
 * service; `telegram-logger help` lists the rest. A usage mistake exits 64 (EX_USAGE) with the
 * usage; configuration mistakes exit 78 (src/commands/setup.ts).
 */
import { EXIT_USAGE, parseCommandLine } from "./cli/args.ts";
import type { Invocation } from "./commands/command.ts";
import { usageOf } from "./commands/help.ts";
import { fail } from "./commands/setup.ts";
import { COMMANDS, commandNamed } from "./commands/table.ts";

/** Runs the command the arguments name; resolves to its exit status, if it has one yet. */
async function main(): Promise<number | undefined> {
  const line = parseCommandLine(process.argv.slice(2), COMMANDS);
  if (line.kind === "usage-error")
    fail(`${line.message}\n\n${await usageOf(COMMANDS, line.topic)}`, EXIT_USAGE);
  const [name, invocation]: [string, Invocation] =
    line.kind === "help"
      ? ["help", { args: line.topic === null ? [] : [line.topic], configFile: null }]
      : line.kind === "own-options"
        ? [line.command, { args: line.args, configFile: null }]
        : [line.command, { args: [], configFile: line.configFile }];
  return commandNamed(name).run(invocation);
}

main().then(
  (status) => {
    if (status !== undefined) process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`telegram-logger: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
