/**
 * The shape of one `telegram-logger` command. Everything main.ts and the help need to know of a
 * command sits in one object, so the dispatch, the general usage and each command's help come from
 * one table (table.ts) and cannot drift apart.
 */

/** A parsed command line, as the chosen command receives it. */
export interface Invocation {
  /**
   * The arguments after the command's name, untouched, for a command that parses its own options
   * (`ownOptions`); the help topic, if any, for `help`; empty otherwise.
   */
  readonly args: readonly string[];
  /** `--config FILE` of `run` and `scan`, which replaces WATCH_CONFIG; null when not given. */
  readonly configFile: string | null;
}

/**
 * One command. Its file is loaded for every command line (the table imports them all), so it
 * stays light: what does the work (GramJS, the database, the HTTP server) is imported inside `run`,
 * and `decrypt --help` loads no more than `decrypt` needs.
 */
export interface Command {
  /** The word that selects it. */
  readonly name: string;
  /** Its line in the general usage (`telegram-logger --help`). */
  readonly summary: string;
  /**
   * Its help text (`COMMAND --help`, `help COMMAND`); a loader when the text lives with the
   * command's options code, so showing it loads that code and nothing else.
   */
  readonly usage: string | (() => Promise<string>);
  /**
   * Set when the command parses its own options: main hands it every argument after its name as
   * they are, and this synopsis is the hint when a flag comes before the name. Unset: the shared
   * flags (`--config`, `--once`, `--help`; src/cli/args.ts) are parsed first.
   */
  readonly ownOptions?: string;
  /**
   * Runs it. Resolves to the exit status, or to nothing when the process should exit 0 once idle
   * or, for the service, keep running until a signal stops it.
   */
  run(invocation: Invocation): Promise<number | undefined>;
}
