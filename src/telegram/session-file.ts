/**
 * The saved Telegram session. Its string is the account's auth key — full access to the account —
 * so it lives in a 0600 file in a 0700 directory, is written atomically, and is never logged.
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** The session string saved at `file`, or null when there is none. */
export async function readSession(file: string): Promise<string | null> {
  try {
    const s = (await readFile(file, "utf8")).trim();
    return s === "" ? null : s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Saves the session string to `file` (mode 0600), replacing any previous one atomically. */
export async function writeSession(file: string, session: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${session}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
