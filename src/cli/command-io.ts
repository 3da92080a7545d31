/**
 * Where a command that reports line by line (`decrypt`, `export`, `report`, `verify`) writes: the
 * process's streams, or a test's collector, so tests can read what a command said without a child
 * process.
 */

/** A command's output lines and error lines. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** Standard output and standard error, a line each. */
export const PROCESS_IO: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * How a command gives up: `telegram-logger COMMAND: message` on `io`'s error lines, and `status`
 * back, so a command can `return fail(message, status)` and every command's errors start alike.
 */
export function commandFailure(command: string, io: CommandIo): (message: string, status: number) => number {
  return (message, status) => {
    io.err(`telegram-logger ${command}: ${message}`);
    return status;
  };
}
