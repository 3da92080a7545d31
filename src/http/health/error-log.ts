/**
 * The last error the service logged, as /health reports it (`last_error_at`, `last_error_msg`).
 * Fed by the logger (every `error`/`fatal` entry), so no part has to remember to report errors.
 *
 * Health output is read by monitoring systems and may be shown to people who must not see the
 * account's data, so the message is sanitized: known secret values are replaced, quoted strings
 * (where values such as message text would appear) are elided, and the length is capped.
 */

const MAX_MESSAGE = 200;

/** Makes an error text safe for health output; see the module comment. */
export function sanitizeErrorText(text: string, secrets: readonly string[]): string {
  let s = text;
  for (const secret of secrets) if (secret.length >= 6) s = s.split(secret).join("[redacted]");
  s = s
    .replace(/"[^"\n]*"|'[^'\n]*'|`[^`\n]*`|«[^»\n]*»|“[^”\n]*”/g, "…")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

/** The error summary health reports. */
export interface LastError {
  at: number;
  message: string;
}

/** Remembers the last error logged. */
export class ErrorLog {
  readonly #secrets: () => readonly string[];
  readonly #now: () => number;
  #last: LastError | null = null;
  #count = 0;

  /** `secrets` lists values that must never be shown (API hash, vault key, session). */
  constructor(now: () => number, secrets: () => readonly string[] = () => []) {
    this.#now = now;
    this.#secrets = secrets;
  }

  /** Records an error: the static log message, and the error's own text when there is one. */
  record(message: string, err?: unknown): void {
    const detail =
      err instanceof Error ? `${err.name}: ${err.message}` : err === undefined ? "" : String(err);
    const text = [message, detail].filter((s) => s !== "").join(" — ") || "error";
    this.#last = { at: this.#now(), message: sanitizeErrorText(text, this.#secrets()) };
    this.#count++;
  }

  /** The most recent error, or null when none was logged since start. */
  get last(): LastError | null {
    return this.#last;
  }

  /** Errors logged since start. */
  get count(): number {
    return this.#count;
  }
}
