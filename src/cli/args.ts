/**
 * The `telegram-logger` command line, parsed without side effects: which command, which watch
 * config, or why the arguments make no sense. Strict, so a mistyped flag is an error instead of
 * being ignored; it also takes the CRM file-event service's `--config FILE` and `--once`, so
 * `telegram-logger --config watch.json --once` does what `crm-file-events --config watch.json
 * --once` did. The commands come from the caller (src/commands/table.ts); one that parses its own
 * options (`decrypt`, `export`, ...) gets its arguments as they are.
 */
import { parseArgs } from "node:util";

/** Exit status for a usage error (sysexits.h EX_USAGE). */
export const EXIT_USAGE = 64;

/** What the parser needs to know of a command. */
export interface CommandSyntax {
  readonly name: string;
  /**
   * Set when the command parses its own options: the synopsis shown when a flag comes before the
   * command's name.
   */
  readonly ownOptions?: string;
}

/** What a help request is about: a command's name, or the general usage (`null`). */
export type HelpTopic = string | null;

/** A command to run that takes the shared flags. */
export interface CommandRequest {
  kind: "command";
  command: string;
  /** `--config FILE`, taking precedence over WATCH_CONFIG. */
  configFile: string | null;
}

/** Arguments that make no sense: `message` names the culprit, `topic` whose usage to show. */
export interface UsageError {
  kind: "usage-error";
  message: string;
  topic: HelpTopic;
}

/** A command that parses its own options, with the arguments after its name. */
export interface OwnOptionsRequest {
  kind: "own-options";
  command: string;
  args: readonly string[];
}

/** The outcome of parsing: a command to run, help to print, or a usage error to report. */
export type CommandLine =
  | CommandRequest
  | OwnOptionsRequest
  | { kind: "help"; topic: HelpTopic }
  | UsageError;

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  once: { type: "boolean" },
} as const;

/**
 * Says which flag a strict parse refused and why. Node's own messages name the flag too, but in
 * several sentences; the non-strict token list tells the same without reading those messages.
 */
function flagProblem(args: readonly string[], fallback: Error): string {
  const { tokens } = parseArgs({
    args: [...args],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (!(token.name in OPTIONS)) return `unknown option ${token.rawName}`;
    const expectsValue = OPTIONS[token.name as keyof typeof OPTIONS].type === "string";
    if (expectsValue && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))))
      return `${token.rawName} needs a value: ${token.rawName} FILE`;
    if (!expectsValue && token.value !== undefined) return `${token.rawName} takes no value`;
  }
  return fallback.message.split("\n")[0] ?? fallback.message;
}

/**
 * Parses the arguments after `telegram-logger` for one of `commands`. `help` is a word of the
 * grammar itself, whatever `commands` holds.
 */
export function parseCommandLine(args: readonly string[], commands: readonly CommandSyntax[]): CommandLine {
  const own = new Map<string, string>();
  for (const c of commands) if (c.ownOptions !== undefined) own.set(c.name, c.ownOptions);
  const shared = commands.filter((c) => c.ownOptions === undefined && c.name !== "help").map((c) => c.name);
  const isCommand = (word: string) => shared.includes(word);
  const first = args[0];
  if (first !== undefined && own.has(first))
    return { kind: "own-options", command: first, args: args.slice(1) };
  let values: { help?: boolean; config?: string; once?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    const topic = args.find(isCommand) ?? null;
    return { kind: "usage-error", message: flagProblem(args, err as Error), topic };
  }
  const [word, ...extra] = positionals;
  if (word === "help") {
    const topic = extra[0];
    if (topic === undefined) return { kind: "help", topic: null };
    if (own.has(topic) || isCommand(topic)) return { kind: "help", topic };
    return { kind: "usage-error", message: `no help for unknown command "${topic}"`, topic: null };
  }
  const synopsis = word === undefined ? undefined : own.get(word);
  if (word !== undefined && synopsis !== undefined) {
    if (values.help) return { kind: "help", topic: word };
    return { kind: "usage-error", message: `"${word}" must come first: ${synopsis}`, topic: word };
  }
  if (word !== undefined && !isCommand(word))
    return { kind: "usage-error", message: `unknown command "${word}"`, topic: null };
  if (values.help) return { kind: "help", topic: word ?? null };
  if (extra.length > 0)
    return { kind: "usage-error", message: `unexpected argument "${extra[0]}"`, topic: word ?? null };

  let command = word ?? "run";
  if (values.once) {
    if (command !== "run" && command !== "scan")
      return {
        kind: "usage-error",
        message: `--once (one pass of the watched folders) is not an option of ${command}`,
        topic: command,
      };
    command = "scan";
  }
  const configFile = values.config ?? null;
  if (configFile !== null) {
    if (command !== "run" && command !== "scan")
      return {
        kind: "usage-error",
        message: `--config (the watch-config file) is not an option of ${command}`,
        topic: command,
      };
    if (configFile.trim() === "")
      return { kind: "usage-error", message: "--config needs a value: --config FILE", topic: command };
  }
  return { kind: "command", command, configFile };
}

/**
 * The one-line message of a strict parseArgs failure, for commands that parse their own options.
 * A stray argument is never repeated: it may be a key (`verify "$KEY"`), and this line goes to
 * logs and cron mail.
 */
export function flagErrorMessage(err: unknown): string {
  if ((err as { code?: string }).code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return "unexpected argument (not shown: it may be a key); give a key as --key-b64 KEY";
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0] ?? message;
}
