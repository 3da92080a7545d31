/**
 * `telegram-logger verify`: checks that what the service kept is intact, without changing any of
 * it. The database (SQLite's own check and its foreign keys), every buffered media file against
 * its recorded size and SHA-256, every deleted message's file (with the key: authenticated and
 * hashed in full), and the events archive. Runs beside the service, read-only; needs DATA_ROOT,
 * and the vault key to check encrypted files in full. Exit 1 when anything is damaged, so a cron
 * job or a systemd timer can alert on it.
 */
import { parseArgs } from "node:util";
import { flagErrorMessage } from "../cli/args.ts";
import { type CommandIo, commandFailure, PROCESS_IO } from "../cli/command-io.ts";
import { KeyFormatError, parseKeyB64 } from "../media/vault/keys.ts";
import { dataPathsOf } from "../store/data-paths.ts";
import { describeReadProblem, openReadOnly, READ_PROBLEM_EXIT } from "../store/read-only.ts";
import { checkArchive } from "./archive-check.ts";
import { checkDatabase } from "./database-check.ts";
import { type Area, type AreaResult, findingLine, summaryLine, worstOf } from "./findings.ts";
import { checkBuffer, checkVault } from "./media-check.ts";

/** Exit statuses (sysexits.h where one fits), documented in README.md and the usage. */
export const VERIFY_EXIT = {
  ok: 0,
  /** Something is damaged: the lines marked DAMAGED say what. */
  damaged: 1,
  /** Nothing damaged, but something could not be checked: the lines marked UNCHECKED say why. */
  unchecked: 2,
  usage: 64,
  /** Not a telegram-logger database, or one SQLite cannot read at all. */
  data: 65,
  noInput: 66,
  /** Another process holds the database locked. */
  tempFail: 75,
  /** A malformed key. */
  config: 78,
} as const;

/** Help text of the command. */
export const VERIFY_USAGE = `Usage: telegram-logger verify [--full] [--key-b64 KEY]

Checks that what the service kept is intact, changing nothing; runs while the service runs.
  database  SQLite's quick_check (--full: integrity_check, slower) and its foreign keys
  buffer    every file in media/ has its recorded size and SHA-256
  vault     every deleted message's file in media_deleted/ exists; encrypted ones authenticate
            with the key and decrypt to the recorded SHA-256 (without a key: header and length)
  archive   every archive/events-*.jsonl.gz decompresses and holds event rows
Prints one line per problem and one per area.

  --full          integrity_check instead of quick_check
  --key-b64 KEY   the vault key; default: DELETED_MEDIA_KEY_B64 (environment or .env)

Settings (environment or ./.env):
  DATA_ROOT             data folder (default ./data)
  DELETED_MEDIA_KEY_B64 the vault key, to check encrypted files in full

Lines start with DAMAGED (damage), UNCHECKED (could not be checked: unreadable, or recorded
without a checksum) or notice (a file nothing refers to, a vault file under another key).
When the service is stopped, SQLite creates the database's -wal and -shm files to read it (as any
reader of it does); nothing else is written.

Exit status: 0 all intact (notices aside), 1 something is damaged, 2 nothing damaged but something
could not be checked, 64 usage, 65 not a telegram-logger database, 66 no database, 75 the database
is locked by another process (try again), 78 malformed key.`;

/** Runs the command with `args` (after the word `verify`) and `env`; returns the exit status. */
export async function runVerifyCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const fail = commandFailure("verify", io);
  let values: { full?: boolean; "key-b64"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        full: { type: "boolean" },
        "key-b64": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    return fail(`${flagErrorMessage(err)}\n\n${VERIFY_USAGE}`, VERIFY_EXIT.usage);
  }
  if (values.help) {
    io.out(VERIFY_USAGE);
    return VERIFY_EXIT.ok;
  }
  let key: Uint8Array | null = null;
  try {
    const fromEnv = env.DELETED_MEDIA_KEY_B64?.trim() ? env.DELETED_MEDIA_KEY_B64 : undefined;
    if (values["key-b64"] !== undefined) key = parseKeyB64(values["key-b64"], "--key-b64");
    else if (fromEnv !== undefined) key = parseKeyB64(fromEnv, "DELETED_MEDIA_KEY_B64");
  } catch (err) {
    if (err instanceof KeyFormatError) return fail(`bad key: ${err.message}`, VERIFY_EXIT.config);
    throw err;
  }

  const paths = dataPathsOf(env.DATA_ROOT?.trim() || "./data");
  // SQLite finding its own file damaged is what verify is for: a DAMAGED line, exit 1.
  const unreadable = (err: unknown): number => {
    const code = (err as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_CORRUPT")) {
      io.out(
        findingLine({
          area: "database",
          severity: "damaged",
          subject: paths.dbFile,
          problem: (err as Error).message,
        }),
      );
      return VERIFY_EXIT.damaged;
    }
    const problem = describeReadProblem(err, paths.dbFile);
    return fail(problem.message, READ_PROBLEM_EXIT[problem.kind]);
  };
  let sqlite: ReturnType<typeof openReadOnly>;
  try {
    sqlite = openReadOnly(paths.dbFile);
  } catch (err) {
    return unreadable(err);
  }
  const results: AreaResult[] = [];
  // Each area on its own: a database error in one (a damaged index, say) is that area's finding,
  // and the others, the archive above all, are still checked.
  const area = async (name: Area, check: () => AreaResult | Promise<AreaResult>) => {
    try {
      results.push(await check());
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_LOCKED")) throw err;
      if (!code.startsWith("SQLITE_")) throw err;
      const problem = `the database failed while checking: ${(err as Error).message}`;
      results.push({
        area: name,
        checked: 0,
        findings: [{ area: name, severity: "damaged", subject: paths.dbFile, problem }],
      });
    }
  };
  try {
    await area("database", () => checkDatabase(sqlite, values.full ?? false));
    await area("buffer", () => checkBuffer(sqlite, paths.mediaDir));
    await area("vault", () => checkVault(sqlite, paths.vaultDir, key));
  } catch (err) {
    return unreadable(err);
  } finally {
    sqlite.close();
  }
  results.push(await checkArchive(paths.archiveDir));
  for (const r of results) for (const f of r.findings) io.out(findingLine(f));
  for (const r of results) io.out(summaryLine(r));
  const worst = worstOf(results);
  return worst === "damaged"
    ? VERIFY_EXIT.damaged
    : worst === "unchecked"
      ? VERIFY_EXIT.unchecked
      : VERIFY_EXIT.ok;
}
