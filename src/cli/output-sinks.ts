/**
 * Where a command's output goes (`export`, `report`): standard output, or a file that is complete
 * or absent. The file is written under a hidden temporary name beside it (0600: it holds audit
 * data) and put in place only when everything is in it; an interrupted command (an error, SIGINT,
 * SIGTERM) removes the temporary file, so no partial copy is left lying around. Without `force` an
 * existing file is never replaced, not even one that appears while the command runs.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, linkSync, openSync, renameSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import path from "node:path";

/** A destination for a command's output. */
export interface Sink {
  /** Writes `chunk`, which the caller reuses once the promise settles. */
  write(chunk: Buffer): Promise<void>;
  /** Makes the output complete (the file in place); after it, nothing more is written. */
  finish(): Promise<void>;
  /** Gives up: a file output leaves nothing behind. */
  abandon(): Promise<void>;
}

/** Standard output was closed by its reader (`| head`): it wants no more. */
export class ReaderGone extends Error {}

/** Standard output, with back-pressure; a closed pipe ends the output with ReaderGone. */
export function stdoutSink(): Sink {
  let failure: Error | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    failure = err.code === "EPIPE" ? new ReaderGone() : err;
  };
  process.stdout.on("error", onError);
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off("drain", done);
        process.stdout.off("error", done);
        resolve();
      };
      process.stdout.once("drain", done);
      process.stdout.once("error", done);
    });
  return {
    async write(chunk) {
      if (failure) throw failure;
      // A copy: on some platforms a pipe is written after write() returns.
      if (!process.stdout.write(Buffer.from(chunk))) await drained();
      if (failure) throw failure;
    },
    async finish() {
      process.stdout.off("error", onError);
    },
    async abandon() {
      process.stdout.off("error", onError);
    },
  };
}

/** Exit statuses of a shell for a process ended by these signals. */
const SIGNAL_STATUS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Error codes of file systems without hard links (FAT, exFAT, some network mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "ENOSYS"]);

/** Puts `tmp` at `out` unless `out` exists, atomically where the file system has hard links. */
function placeWithoutReplacing(tmp: string, out: string): void {
  try {
    linkSync(tmp, out); // fails with EEXIST if `out` appeared meanwhile
  } catch (err) {
    if (!NO_HARD_LINKS.has((err as NodeJS.ErrnoException).code ?? "")) throw err;
    // No hard links: creating `out` exclusively claims the name (EEXIST if it exists), and the
    // rename then replaces only that empty file of ours.
    closeSync(openSync(out, "wx", 0o600));
    try {
      renameSync(tmp, out);
    } catch (renameErr) {
      rmSync(out, { force: true });
      throw renameErr;
    }
    return;
  }
  rmSync(tmp);
}

/** fsyncs a folder so a new name inside it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, "r");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * A file output at `out`: written to `.<name>.<random>.partial` beside it, synced, then linked (or,
 * with `force`, renamed) into place. While it is open, SIGINT and SIGTERM remove the temporary
 * file and end the process with the shell's status for the signal.
 */
export async function fileSink(out: string, force: boolean): Promise<Sink> {
  const dir = path.dirname(out);
  const tmp = path.join(dir, `.${path.basename(out)}.${randomBytes(6).toString("hex")}.partial`);
  // Listening before the file exists: a signal in between must not leave it behind.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(tmp, { force: true });
    process.exit(SIGNAL_STATUS[signal] ?? 1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopListening = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  let fh: FileHandle;
  try {
    fh = await open(tmp, "wx", 0o600);
  } catch (err) {
    stopListening();
    throw err;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    async write(chunk) {
      await fh.write(chunk);
    },
    async finish() {
      try {
        await fh.sync();
        await close();
        if (force) renameSync(tmp, out);
        else placeWithoutReplacing(tmp, out);
        await syncDir(dir);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      } finally {
        stopListening();
      }
    },
    async abandon() {
      stopListening();
      await close().catch(() => {});
      rmSync(tmp, { force: true });
    },
  };
}

/**
 * Exit statuses (sysexits.h) of a command that reads the database and writes an output (`export`,
 * `report`), documented alike in their usages and README.md.
 */
export const OUTPUT_COMMAND_EXIT = {
  ok: 0,
  usage: 64,
  /** Not a telegram-logger database, or a damaged one. */
  data: 65,
  noInput: 66,
  /** The output exists (no --force) or cannot be written. */
  cantCreate: 73,
  /** Another process holds the database locked: try again. */
  tempFail: 75,
} as const;

/** Why an output could not be opened or written: a message naming it, for exit status 73. */
export class OutputRefused extends Error {}

/**
 * The output of a command: standard output (`out` null) or the file `out`, which must not exist
 * unless `force`. Throws OutputRefused saying why not.
 */
export async function openOutput(out: string | null, force: boolean): Promise<Sink> {
  if (out === null) return stdoutSink();
  if (!force && existsSync(out)) throw new OutputRefused(`${out} exists (pass --force to replace it)`);
  try {
    return await fileSink(out, force);
  } catch (err) {
    throw new OutputRefused(`cannot write ${out}: ${(err as Error).message}`);
  }
}

/** What to say when writing to `out` (null: standard output) failed with `err`. */
export function writeFailure(err: unknown, out: string | null): string {
  if ((err as { code?: string }).code === "EEXIST")
    return `${out} appeared meanwhile (pass --force to replace it)`;
  return `cannot write ${out ?? "standard output"}: ${(err as Error).message}`;
}
