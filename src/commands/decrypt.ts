/**
 * `telegram-logger decrypt` and `scripts/decrypt-deleted-media.ts`: restores vault files (and the
 * Python logger's `.enc` files) to plaintext. Fixes the Python script's traps: `--force` exists,
 * and the key variable is DELETED_MEDIA_KEY_B64, the same name the service reads; the name the
 * Python script read, TELEGRAM_DELETED_MEDIA_KEY_B64, still works, with a deprecation warning.
 *
 * A folder is processed file by file: each failure is reported and the rest continue; the exit
 * status is non-zero if any failed. The key never appears in any message. It needs only the key,
 * not a valid service configuration. The vault's code it loads is small and has no dependencies.
 */
import { mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { flagErrorMessage } from "../cli/args.ts";
import { type CommandIo, commandFailure, PROCESS_IO } from "../cli/command-io.ts";
import { PLAIN_DELETED_MEDIA_NAME } from "../media/deleted-media-store.ts";
import { VaultError } from "../media/vault/errors.ts";
import { KeyFormatError, parseKeyB64 } from "../media/vault/keys.ts";
import { OutputExistsError, removePartialOutputs, restoreFile } from "../media/vault/restore.ts";
import type { Command } from "./command.ts";
import { loadEnvFile } from "./setup.ts";

/** Exit statuses (sysexits.h where one fits), documented in README.md. */
export const DECRYPT_EXIT = {
  ok: 0,
  /** A folder was processed and at least one file failed. */
  someFailed: 1,
  usage: 64,
  /** Wrong key, modified, truncated or not a vault file. */
  data: 65,
  noInput: 66,
  /** The output exists (no --force) or cannot be written. */
  cantCreate: 73,
  /** No key, or a malformed one. */
  config: 78,
} as const;

/** Help text of the command. */
export const DECRYPT_USAGE = `Usage: telegram-logger decrypt --in FILE|DIR --out DIR [--force] [--key-b64 KEY]

Decrypts files from the encrypted deleted-media vault (media_deleted/*.tlv) and files written by
the Python telegram-logger (*.enc), restoring their original names into DIR (mode 0600).

  --in FILE|DIR   one encrypted file, or a folder: every file in it is decrypted (files kept
                  unencrypted, <random>.bin, are listed and left as they are)
  --out DIR       where to write the plaintext files (created 0700 if missing)
  --force         overwrite output files that already exist
  --key-b64 KEY   the key (base64 of 32 bytes); default: DELETED_MEDIA_KEY_B64 from the
                  environment or .env (preferred: a command-line key is visible to other users);
                  the Python script's TELEGRAM_DELETED_MEDIA_KEY_B64 is read when neither is
                  given (deprecated: rename it)

Exit status: 0 ok, 1 some files of a folder failed, 64 usage, 65 wrong key / modified / truncated /
not a vault file, 66 input missing, 73 output exists or cannot be written, 78 key missing or malformed.`;

/** The key variable of the Python logger's decrypt script, read as a deprecated fallback. */
const PYTHON_KEY_VARIABLE = "TELEGRAM_DELETED_MEDIA_KEY_B64";

/** Where the command writes (src/cli/command-io.ts). */
export type DecryptIo = CommandIo;

function statusOf(err: unknown): number {
  if (err instanceof VaultError) return DECRYPT_EXIT.data;
  if (err instanceof OutputExistsError) return DECRYPT_EXIT.cantCreate;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "EISDIR") return DECRYPT_EXIT.noInput;
  return DECRYPT_EXIT.cantCreate;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A file of `media_deleted/` the service kept unencrypted (by its name, and because it is neither
 * a vault file nor a Python-logger file): in a folder, not a failure.
 */
function keptInTheClear(file: string, err: unknown): boolean {
  return (
    err instanceof VaultError &&
    err.kind === "not-vault" &&
    PLAIN_DELETED_MEDIA_NAME.test(path.basename(file))
  );
}

/** The regular, non-hidden files of `dir`, sorted so runs are repeatable. */
function listInputs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith("."))
    .map((d) => path.join(dir, d.name))
    .sort();
}

/**
 * Runs the command with `args` (after the word `decrypt`) and `env`; returns the exit status.
 * While it runs, SIGINT/SIGTERM delete any partial output before exiting.
 */
export async function runDecryptCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: DecryptIo = PROCESS_IO,
): Promise<number> {
  const fail = commandFailure("decrypt", io);
  let values: { in?: string; out?: string; force?: boolean; "key-b64"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        in: { type: "string" },
        out: { type: "string" },
        force: { type: "boolean" },
        "key-b64": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    return fail(`${flagErrorMessage(err)}\n${DECRYPT_USAGE}`, DECRYPT_EXIT.usage);
  }
  if (values.help) {
    io.out(DECRYPT_USAGE);
    return DECRYPT_EXIT.ok;
  }
  if (!values.in || !values.out)
    return fail(`--in and --out are required\n${DECRYPT_USAGE}`, DECRYPT_EXIT.usage);

  let key: Buffer;
  try {
    const fromFlag = values["key-b64"];
    const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";
    const fromEnv = env.DELETED_MEDIA_KEY_B64;
    const fromPythonEnv = env[PYTHON_KEY_VARIABLE];
    if (fromFlag !== undefined) key = parseKeyB64(fromFlag, "--key-b64");
    else if (isSet(fromEnv)) key = parseKeyB64(fromEnv, "DELETED_MEDIA_KEY_B64");
    else if (isSet(fromPythonEnv)) {
      io.err(
        `telegram-logger decrypt: warning: ${PYTHON_KEY_VARIABLE} (the Python script's name) is deprecated; rename it to DELETED_MEDIA_KEY_B64, the name the service reads`,
      );
      key = parseKeyB64(fromPythonEnv, PYTHON_KEY_VARIABLE);
    } else
      return fail(
        `no key: set DELETED_MEDIA_KEY_B64 (or the Python script's ${PYTHON_KEY_VARIABLE}) or pass --key-b64`,
        DECRYPT_EXIT.config,
      );
  } catch (err) {
    if (err instanceof KeyFormatError) return fail(`bad key: ${err.message}`, DECRYPT_EXIT.config);
    throw err;
  }

  const input = path.resolve(values.in);
  const outDir = path.resolve(values.out);
  let inputs: string[];
  let folder: boolean;
  try {
    folder = statSync(input).isDirectory();
    inputs = folder ? listInputs(input) : [input];
  } catch (err) {
    return fail(`cannot read --in ${input}: ${describe(err)}`, DECRYPT_EXIT.noInput);
  }
  try {
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    return fail(`cannot create --out ${outDir}: ${describe(err)}`, DECRYPT_EXIT.cantCreate);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    removePartialOutputs();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const claimed = new Set<string>();
    let failed = 0;
    let plain = 0;
    let lastStatus: number = DECRYPT_EXIT.ok;
    for (const file of inputs) {
      try {
        const r = await restoreFile(file, key, outDir, { force: values.force ?? false, claimed });
        io.out(`${file} -> ${r.output}`);
      } catch (err) {
        if (folder && keptInTheClear(file, err)) {
          plain++;
          io.out(`${file}: not encrypted (kept while ENCRYPT_DELETED_MEDIA was off), nothing to decrypt`);
          continue;
        }
        failed++;
        lastStatus = statusOf(err);
        io.err(`telegram-logger decrypt: ${file}: ${describe(err)}`);
      }
    }
    if (!folder) return lastStatus;
    if (failed > 0) {
      return fail(`${failed} of ${inputs.length} files failed`, DECRYPT_EXIT.someFailed);
    }
    const decrypted = inputs.length - plain;
    const notEncrypted = plain > 0 ? `; ${plain} not encrypted, left as they are` : "";
    io.out(`${decrypted} file${decrypted === 1 ? "" : "s"} decrypted into ${outDir}${notEncrypted}`);
    return DECRYPT_EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Decrypts vault files; reads the key from `.env` too, and needs nothing else configured. */
export const decrypt: Command = {
  name: "decrypt",
  summary: "decrypt the deleted-media vault: decrypt --in FILE|DIR --out DIR [--force]",
  usage: DECRYPT_USAGE,
  ownOptions: "telegram-logger decrypt --in FILE|DIR --out DIR",
  async run({ args }) {
    loadEnvFile();
    return runDecryptCommand(args, process.env);
  },
};
