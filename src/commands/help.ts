/**
 * `telegram-logger help [COMMAND]` (also `--help`, `COMMAND --help`): the general usage, its list of
 * commands made from the command table, or one command's help. README.md's Commands section says
 * the same for readers.
 */
import type { Command } from "./command.ts";

/** Width of the command column of the general usage: the longest name, `warm-cache`. */
const NAME_WIDTH = 10;

/** `telegram-logger --help`: every command of `commands` and every shared flag. */
export function generalUsage(commands: readonly Command[]): string {
  const list = commands.map((c) => `  ${c.name.padEnd(NAME_WIDTH)}  ${c.summary}`).join("\n");
  return `Usage: telegram-logger [command] [--config FILE] [--once]

Commands:
${list}

Options (run, scan):
  --config FILE  the watch-config file of the file audit; takes precedence over WATCH_CONFIG
  --once         one pass and exit, the same as scan: telegram-logger --config watch.json --once
  -h, --help     show help

Configuration comes from the environment (and ./.env when present); see README.md.
Exit status: 0 ok, 64 usage error, 78 configuration error (the message names the variable);
each command's help lists its own.`;
}

/** The help of the command named `topic` among `commands`, or the general usage (`null`). */
export async function usageOf(commands: readonly Command[], topic: string | null): Promise<string> {
  const command = commands.find((c) => c.name === topic);
  if (command === undefined) return generalUsage(commands);
  return typeof command.usage === "string" ? command.usage : command.usage();
}

/**
 * The `help` command, listing `commands()`. A function of the table rather than an import of it,
 * because the table lists `help` too.
 */
export function helpCommand(commands: () => readonly Command[]): Command {
  return {
    name: "help",
    summary: "show this help; help COMMAND (or COMMAND --help) shows that command's",
    usage: async () => generalUsage(commands()),
    async run({ args }) {
      process.stdout.write(`${await usageOf(commands(), args[0] ?? null)}\n`);
    },
  };
}
