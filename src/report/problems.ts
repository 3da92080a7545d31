/**
 * Grouping of errors and warnings for a report: the same failure recurring with a different file,
 * id or wait time is one line with a count, not a hundred. Pure, so the grouping is tested alone.
 */

/** Errors and warnings of one kind: how often, and when last. */
export interface ProblemGroup {
  status: string;
  type: string;
  /** The message with its varying parts (quoted names, long numbers, hashes) masked. */
  message: string;
  count: number;
  /** When it last occurred (ms). */
  lastAt: number;
  /** The most recent message as recorded, unmasked. */
  example: string;
}

/** Longest message kept, in characters: a stack trace or a dumped request is cut. */
const MESSAGE_MAX = 200;

/**
 * `message` with what varies between occurrences of one failure masked: quoted text (file names,
 * paths; an apostrophe inside a word is no quote), long hex strings (hashes), the number of
 * Telegram errors such as FLOOD_WAIT_35, and every other number (ids, sizes, wait times) except a
 * code before a colon (`400: MESSAGE_ID_INVALID`). Whitespace is collapsed, the result cut.
 */
export function problemKey(message: string): string {
  const masked = message
    .replace(/\s+/g, " ")
    .replace(/(?<!\w)'[^']*'(?!\w)|(?<!\w)"[^"]*"(?!\w)|`[^`]*`/g, "'…'")
    .replace(/\b[0-9a-f]{16,}\b/gi, "…")
    .replace(/(?<=[A-Z]_)\d+\b/g, "N")
    .replace(/\b\d+\b(?!:)/g, "N")
    .trim();
  return masked.length > MESSAGE_MAX ? `${masked.slice(0, MESSAGE_MAX - 1)}…` : masked;
}

/** One stored group of identical messages, as SQL returns it. */
export interface ProblemRow {
  status: string;
  type: string;
  error: string | null;
  n: number;
  last_at: number;
}

/**
 * Merges identical-after-masking rows into groups, most frequent first (then most recent). At most
 * `limit` distinct groups are kept in memory; rows of further groups are counted in `overflow`, so
 * a flood of all-different messages cannot make the report grow without bound.
 */
export class ProblemGroups {
  readonly #groups = new Map<string, ProblemGroup>();
  readonly #limit: number;
  /** Occurrences that did not fit in `limit` groups. */
  overflow = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Counts `row` in its group. Rows should come most frequent first (the SQL orders them so):
   * once `limit` groups exist, a row of a new group only adds to `overflow`.
   */
  add(row: ProblemRow): void {
    const text = typeof row.error === "string" ? row.error : row.error === null ? "" : String(row.error);
    const message = text.trim() === "" ? "(no message)" : problemKey(text);
    const key = `${row.status}\u0000${row.type}\u0000${message}`;
    const group = this.#groups.get(key);
    if (group) {
      group.count += row.n;
      if (row.last_at > group.lastAt) {
        group.lastAt = row.last_at;
        group.example = text.slice(0, MESSAGE_MAX);
      }
    } else if (this.#groups.size < this.#limit) {
      this.#groups.set(key, {
        status: row.status,
        type: row.type,
        message,
        count: row.n,
        lastAt: row.last_at,
        example: text.slice(0, MESSAGE_MAX),
      });
    } else {
      this.overflow += row.n;
    }
  }

  /** How many distinct groups were seen (up to the limit). */
  get distinct(): number {
    return this.#groups.size;
  }

  /** The `top` most frequent groups. */
  top(top: number): ProblemGroup[] {
    return [...this.#groups.values()]
      .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt)
      .slice(0, top)
      .map((g) => ({ ...g }));
  }
}
