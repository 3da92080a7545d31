/**
 * Where a command that reports line by line (`decrypt`, `export`, `verify`) writes: the process's
 * streams, or a test's collector, so tests can read what a command said without a child process.
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
